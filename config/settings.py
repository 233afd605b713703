"""Django settings for liveblog, read from the environment through config.env.

Local defaults need nothing installed: SQLite under the project and the in-memory channel
layer; ``var/local.env`` (written by ``make install``, see ``config.local_env``) supplies a
secret key for this checkout. Production sets DATABASE_URL (PostgreSQL), REDIS_URL
(channels_redis) and its own DJANGO_SECRET_KEY; see README.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from config import local_env
from config.env import (
    SettingError,
    env_bool,
    env_choice,
    env_database,
    env_float,
    env_int,
    env_list,
    env_networks,
    env_redis_url,
    env_retired,
    env_str,
    env_time_zone,
)
from liveblog.params import whole_number

BASE_DIR = Path(__file__).resolve().parent.parent

#: The variables this checkout's var/local.env supplied (the environment wins over it).
LOCAL_ENV_SUPPLIED = local_env.load()

DEBUG = env_bool("DJANGO_DEBUG", False)
_DEV_SECRET_KEY = "django-insecure-local-development-only"
SECRET_KEY = env_str(
    "DJANGO_SECRET_KEY",
    _DEV_SECRET_KEY if DEBUG else None,
    hint=" (for this checkout's own commands, `make install` writes one to var/local.env)",
)
if not DEBUG and SECRET_KEY == _DEV_SECRET_KEY:
    raise SettingError("DJANGO_SECRET_KEY must be set to a real secret when DEBUG is off.")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "liveblog.apps.LiveblogAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    # Swagger UI's assets, served from here: the docs page makes no request elsewhere.
    "drf_spectacular_sidecar",
    "channels",
    "liveblog",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "liveblog.params.RefuseNulInQuery",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# No connection outlives its request (CONN_MAX_AGE 0). Under ASGI every request runs in a
# thread of its own, and a connection kept "for reuse" stayed open in the finished thread
# until the garbage collector found it (README, "Database connections").
env_retired(
    "DATABASE_CONN_MAX_AGE",
    "persistent connections leak under ASGI; on PostgreSQL each process reuses connections "
    "from a pool of at most DATABASE_POOL_MAX_SIZE.",
)
DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _pool_max_size = env_int("DATABASE_POOL_MAX_SIZE", 10, minimum=1)
    _pool_min_size = env_int("DATABASE_POOL_MIN_SIZE", 2, minimum=0)
    if _pool_min_size > _pool_max_size:
        raise SettingError(
            f"DATABASE_POOL_MIN_SIZE={_pool_min_size} is more than "
            f"DATABASE_POOL_MAX_SIZE={_pool_max_size}."
        )
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # psycopg's pool, one per process: it bounds the connections the process holds,
            # requests and the push channel's database thread alike, and a request that finds
            # them all busy waits up to the timeout for one (then the API answers 503).
            "pool": {
                "min_size": _pool_min_size,
                "max_size": _pool_max_size,
                "timeout": env_float("DATABASE_POOL_TIMEOUT", 10.0, above=0),
            },
        }
    )
    # One name per process, so pg_stat_activity shows what each one holds (README).
    DATABASES["default"]["OPTIONS"].setdefault("application_name", f"liveblog-{os.getpid()}")
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock when a transaction starts, so two appends queue up
    # behind busy_timeout instead of failing to upgrade a read lock half-way through.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

REDIS_URL = env_redis_url("REDIS_URL")
if REDIS_URL:
    # The pub/sub layer publishes once per group message and fans out inside each process.
    # socket_timeout and max_connections are explicit: redis-py 8's defaults (5 s timeout,
    # 100-connection async pool) crash idle consumers and drop messages under load.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "socket_timeout": None,
                        "socket_connect_timeout": 5,
                        "max_connections": env_int("REDIS_MAX_CONNECTIONS", 1000),
                    }
                ],
            },
        }
    }
else:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels.layers.InMemoryChannelLayer",
            "CONFIG": {"capacity": 1000, "expiry": 60},
        }
    }

# How often each process's hub compares a blog's log with what it has pushed (liveblog.fanout).
LIVEBLOG_LOG_CHECK_SECONDS = env_float("LIVEBLOG_LOG_CHECK_SECONDS", 10.0)
# How often each hub sends its readers a heartbeat (liveblog.fanout): a reader that hears
# nothing for 2.5 times this takes its socket for dead and reconnects.
LIVEBLOG_HEARTBEAT_SECONDS = env_float("LIVEBLOG_HEARTBEAT_SECONDS", 25.0, minimum=1.0)
# Open WebSockets one client address may hold in one process (liveblog.limits).
LIVEBLOG_WS_MAX_PER_IP = env_int("LIVEBLOG_WS_MAX_PER_IP", 200)
# The proxies whose X-Forwarded-For names the client (liveblog.clients); none by default, so
# the connection's own address is the client's and no header can change it.
LIVEBLOG_TRUSTED_PROXIES = env_networks("LIVEBLOG_TRUSTED_PROXIES", [])

# Webhooks (liveblog.webhooks; README "For partners: webhooks").
LIVEBLOG_WEBHOOK_WORKER = env_bool("LIVEBLOG_WEBHOOK_WORKER", True)
LIVEBLOG_WEBHOOK_ALLOW_PRIVATE = env_bool("LIVEBLOG_WEBHOOK_ALLOW_PRIVATE", False)
LIVEBLOG_WEBHOOK_TIMEOUT_SECONDS = env_float("LIVEBLOG_WEBHOOK_TIMEOUT_SECONDS", 15.0, above=0)
LIVEBLOG_WEBHOOK_RETRY_FIRST_SECONDS = env_float(
    "LIVEBLOG_WEBHOOK_RETRY_FIRST_SECONDS", 2.0, above=0
)
LIVEBLOG_WEBHOOK_RETRY_MAX_SECONDS = env_float("LIVEBLOG_WEBHOOK_RETRY_MAX_SECONDS", 300.0, above=0)
LIVEBLOG_WEBHOOK_PAUSE_AFTER_SECONDS = env_float(
    "LIVEBLOG_WEBHOOK_PAUSE_AFTER_SECONDS", 86400.0, above=0
)
LIVEBLOG_WEBHOOK_POLL_SECONDS = env_float("LIVEBLOG_WEBHOOK_POLL_SECONDS", 0.25, above=0)
# Each delivery in flight holds a database connection (liveblog.webhooks.worker).
LIVEBLOG_WEBHOOK_CONCURRENCY = env_int("LIVEBLOG_WEBHOOK_CONCURRENCY", 4, minimum=1)

# Scheduled updates (liveblog.schedule; README "For editors"): server processes publish them.
LIVEBLOG_SCHEDULER = env_bool("LIVEBLOG_SCHEDULER", True)
LIVEBLOG_SCHEDULE_POLL_SECONDS = env_float("LIVEBLOG_SCHEDULE_POLL_SECONDS", 1.0, above=0)

# Larger request bodies are refused with 413 before Django reads them (liveblog.limits). An
# entry's 50,000 characters fit several times over, even JSON- or form-escaped.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_time_zone("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Serve /static/ from the ASGI app itself; behind a proxy, set this off and let it serve
# STATIC_ROOT after collectstatic.
SERVE_STATIC = env_bool("DJANGO_SERVE_STATIC", True)

# Media: uploaded images and embed thumbnails (liveblog.images, liveblog.media). Files are
# content-addressed and never change, so any number of processes can share them.
MEDIA_ROOT = Path(env_str("LIVEBLOG_MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
MEDIA_URL = env_str("LIVEBLOG_MEDIA_URL", "/media/")
MEDIA_STORAGE = env_choice("LIVEBLOG_MEDIA_STORAGE", "local", ["local", "s3"])
_MEDIA_BACKEND: dict[str, Any]
if MEDIA_STORAGE == "s3":
    _MEDIA_BACKEND = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("LIVEBLOG_S3_BUCKET"),
            "endpoint_url": env_str("LIVEBLOG_S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("LIVEBLOG_S3_REGION", "") or None,
            "custom_domain": env_str("LIVEBLOG_S3_CUSTOM_DOMAIN", "") or None,
            # Public, unsigned URLs: readers' pages and feeds keep them for years.
            "querystring_auth": False,
            "file_overwrite": True,
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
        },
    }
else:
    _MEDIA_BACKEND = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": MEDIA_URL},
    }
STORAGES: dict[str, dict[str, Any]] = {
    "default": _MEDIA_BACKEND,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Behind nginx: the internal location it sends local media files from once the app has said
# they may still be shown (X-Accel-Redirect; deploy/nginx.conf). Empty: the app sends them.
LIVEBLOG_MEDIA_ACCEL_REDIRECT = env_str("LIVEBLOG_MEDIA_ACCEL_REDIRECT", "")
# The largest image file an editor may upload, and the most pixels it may decode to.
LIVEBLOG_MEDIA_MAX_BYTES = env_int("LIVEBLOG_MEDIA_MAX_BYTES", 20 * 1024 * 1024)
LIVEBLOG_MEDIA_MAX_PIXELS = env_int("LIVEBLOG_MEDIA_MAX_PIXELS", 50_000_000)
# Seconds a publish or preview waits, in all, for embeds' metadata and thumbnails.
LIVEBLOG_EMBED_TIMEOUT = env_float("LIVEBLOG_EMBED_TIMEOUT", 3.0)

# Who publishes the blogs: the site's name in the page header, the Open Graph site name and
# the JSON-LD publisher (and, until entries carry bylines, each update's author).
LIVEBLOG_PUBLISHER_NAME = env_str("LIVEBLOG_PUBLISHER_NAME", "Live blogs")
LIVEBLOG_PUBLISHER_URL = env_str("LIVEBLOG_PUBLISHER_URL", "")
LIVEBLOG_PUBLISHER_LOGO = env_str("LIVEBLOG_PUBLISHER_LOGO", "")
# Embeds never fetch from loopback or private addresses (tests lift this for their stub).
LIVEBLOG_EMBED_PRIVATE_HOSTS = False

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGIN_URL = "admin:login"

SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("DJANGO_BEHIND_TLS_PROXY", False) else None
)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0)
# Both are promises to browsers that outlive a deploy; set them once every subdomain is HTTPS.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"


def _api_rate(name: str, default: str) -> str:
    """A DRF throttle rate such as 120/min, checked now so a typo stops start-up."""
    value = env_str(name, default)
    count, _, period = value.partition("/")
    if whole_number(count) is None or period[:1] not in {"s", "m", "h", "d"}:
        raise SettingError(
            f"{name}={value!r} is not a rate; write it as REQUESTS/PERIOD, e.g. 120/min "
            "(period: s, min, hour or day)."
        )
    return value


REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Tokens first: an anonymous write then gets 401 with a Bearer challenge, not 403.
        "liveblog.api.authentication.ApiTokenAuthentication",
        # Enforces CSRF for signed-in browsers.
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Closed unless a view opens it; the API's views decide per method (liveblog.api.views).
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["liveblog.api.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": [
        "liveblog.api.throttling.AnonThrottle",
        "liveblog.api.throttling.WriteThrottle",
    ],
    # Counted in the default cache: per process unless CACHES points at a shared store.
    "DEFAULT_THROTTLE_RATES": {
        "anon": _api_rate("LIVEBLOG_API_THROTTLE_ANON", "120/min"),
        "write": _api_rate("LIVEBLOG_API_THROTTLE_WRITE", "60/min"),
        "media": _api_rate("LIVEBLOG_API_THROTTLE_MEDIA", "20/min"),
    },
    "EXCEPTION_HANDLER": "liveblog.api.exceptions.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "liveblog API",
    "DESCRIPTION": (
        "Blogs, entries and the event log of liveblog, and the newsroom's writes (publish, "
        "correct, retract, pin, key event, labels; drafts, scheduled updates, submissions for "
        "approval; members and their roles) through the same commands as the admin. Reads are "
        "open for live and closed blogs; writes need a member of the blog whose role allows "
        "them (editors publish, contributors submit), signed in (with CSRF) or with an API "
        "token from the admin. Every error is "
        '`{"message", "code", "errors"}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "BlogStatusEnum": "liveblog.models.Blog.Status",
        "EntryStatusEnum": "liveblog.models.Entry.Status",
        "DeskEntryStatusEnum": "liveblog.models.DeskEntry.Status",
        "DeskQueueEnum": "liveblog.api.serializers.DESK_QUEUES",
        "MemberRoleEnum": "liveblog.models.Membership.Role",
        "EventTypeEnum": "liveblog.api.serializers.EVENT_TYPE_CHOICES",
        "WebhookStatusEnum": "liveblog.webhooks.models.Webhook.Status",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "liveblog.api.schema.any_of_for_overlapping_shapes",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Everything goes to the console (the server's log), through the root logger. Django's own
# default prints errors only when DEBUG is on and otherwise mails them to ADMINS, which we do
# not set: an unhandled view error left no trace. Clients never see a traceback with DEBUG
# off; the log has it. uvicorn configures its own loggers before it loads the app (their
# "Exception in ASGI application" covers errors outside Django, WebSockets included), and
# they keep their handlers.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    # Other libraries' warnings and errors too: asyncio's "Task exception was never
    # retrieved", channels, channels_redis.
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "liveblog": {"level": env_str("LIVEBLOG_LOG_LEVEL", "INFO")},
        # Without Django's DEBUG-only console and its mail to admins.
        "django": {"level": "WARNING"},
        # Each 5xx with its traceback; a 4xx is the client's business (uvicorn's access log).
        "django.request": {"level": "ERROR"},
    },
}
