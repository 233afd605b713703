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

# The test process holds connections in threads it runs itself (twenty editors at once, each
# with one for its whole run), not per request, so it opens them without a pool. The servers
# it starts read the real settings, pool included (tests/reliability/test_connections.py).
DATABASES["default"].get("OPTIONS", {}).pop("pool", None)  # noqa: F405

# Uploaded media go to a directory of this run's own, removed when it ends.
import atexit  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="liveblog-test-media-"))
atexit.register(shutil.rmtree, MEDIA_ROOT, ignore_errors=True)
if STORAGES["default"]["BACKEND"].endswith("FileSystemStorage"):  # noqa: F405
    STORAGES["default"]["OPTIONS"]["location"] = MEDIA_ROOT  # noqa: F405

# Tests that run the ASGI lifespan in-process have no database; the webhook and schedule
# tests start the worker and the schedule themselves. Server processes (config.settings) run
# them as deployed.
LIVEBLOG_WEBHOOK_WORKER = False
LIVEBLOG_SCHEDULER = False
