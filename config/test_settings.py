"""Settings for the test suite: the real settings with a throwaway secret key.

DATABASE_URL and REDIS_URL still come from the environment, so the same suite runs on
SQLite + in-memory layer locally and on PostgreSQL + Redis in CI.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not SQLite's shared-cache memory database: shared-cache locks ignore
    # busy_timeout, so concurrent-writer tests would fail for a reason production never has.
    import tempfile

    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.gettempdir(), f"liveblog-test-{os.getpid()}.sqlite3")
    }

# Tests open and close servers and threads freely; no connection outlives its work, so the
# test database can always be dropped.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
