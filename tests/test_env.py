"""Settings fail at start-up, by name, when the environment is wrong."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from config import env
from tests.servers import PROJECT, free_port


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: env.env_bool("DJANGO_DEBUG", False, environ={"DJANGO_DEBUG": "maybe"}),
            "DJANGO_DEBUG='maybe' is not a boolean",
        ),
        (lambda: env.env_str("DJANGO_SECRET_KEY", environ={}), "DJANGO_SECRET_KEY is not set"),
        (
            lambda: env.env_database("DATABASE_URL", "", environ={"DATABASE_URL": "mysql://x/y"}),
            "DATABASE_URL='mysql://x/y' is not supported",
        ),
        (
            lambda: env.env_redis_url("REDIS_URL", environ={"REDIS_URL": "localhost:6379"}),
            "REDIS_URL='localhost:6379' is not a Redis URL",
        ),
        (
            lambda: env.env_time_zone("TIME_ZONE", "UTC", environ={"TIME_ZONE": "Mars/Base"}),
            "TIME_ZONE='Mars/Base' is not a known IANA time zone",
        ),
        (
            lambda: env.env_list("DJANGO_ALLOWED_HOSTS", [], environ={"DJANGO_ALLOWED_HOSTS": ","}),
            "DJANGO_ALLOWED_HOSTS is set but empty",
        ),
        (
            lambda: env.env_int("REDIS_MAX_CONNECTIONS", 1, environ={"REDIS_MAX_CONNECTIONS": "x"}),
            "REDIS_MAX_CONNECTIONS='x' is not a whole number",
        ),
        (
            lambda: env.env_int("POOL", 1, minimum=1, environ={"POOL": "0"}),
            "POOL=0 is too small: it must be at least 1",
        ),
        (
            lambda: env.env_float("WAIT", 1.0, above=0, environ={"WAIT": "-2"}),
            "WAIT=-2 is too small: it must be more than 0",
        ),
        (
            lambda: env.env_float("WAIT", 1.0, above=0, environ={"WAIT": "inf"}),
            "WAIT=inf is not a finite number",
        ),
        (
            lambda: env.env_float("WAIT", 1.0, environ={"WAIT": "nan"}),
            "WAIT=nan is not a finite number",
        ),
        (
            lambda: env.env_float("BEAT", 25.0, minimum=1.0, environ={"BEAT": "1e-9"}),
            "BEAT=1e-09 is too small: it must be at least 1",
        ),
        (
            lambda: env.env_retired("OLD", "it leaked.", environ={"OLD": "60"}),
            "OLD is no longer read: it leaked. Remove it from the environment.",
        ),
        (
            lambda: env.env_networks("P", [], environ={"P": "10.0.0.5, proxy.internal"}),
            "P='10.0.0.5, proxy.internal': 'proxy.internal' is not an IP address or network",
        ),
        (
            lambda: env.env_networks("P", [], environ={"P": "10.0.0.5/8"}),
            "did you mean 10.0.0.0/8?",
        ),
        # uvicorn's "*" (trust anyone) would let every client choose its address.
        (lambda: env.env_networks("P", [], environ={"P": "*"}), "'*' is not an IP address"),
    ],
)
def test_a_malformed_setting_is_named_in_the_error(call, message) -> None:
    with pytest.raises(ImproperlyConfigured, match=message.replace("(", r"\(")):
        call()


def test_defaults_need_nothing_and_redis_url_switches_the_channel_layer() -> None:
    assert env.env_database("DATABASE_URL", "sqlite:////tmp/x.sqlite3", environ={})["ENGINE"] == (
        "django.db.backends.sqlite3"
    )
    assert env.env_redis_url("REDIS_URL", environ={}) is None
    assert env.env_redis_url("REDIS_URL", environ={"REDIS_URL": "redis://127.0.0.1:6379/0"})


def test_trusted_proxies_are_written_the_canonical_way() -> None:
    value = " 10.0.0.0/8,2001:DB8:0::1 ,, 192.0.2.7"
    assert env.env_networks("P", [], environ={"P": value}) == [
        "10.0.0.0/8",
        "2001:db8::1",
        "192.0.2.7",
    ]
    assert env.env_networks("P", [], environ={}) == []


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    """Run manage.py with only ``env`` (and a secret key) in the environment."""
    environ = {"PATH": os.environ["PATH"], "DJANGO_SECRET_KEY": "x" * 50, **env}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DJANGO_DEBUG": "maybe"}, "DJANGO_DEBUG='maybe' is not a boolean"),
        ({"DATABASE_CONN_MAX_AGE": "60"}, "DATABASE_CONN_MAX_AGE is no longer read"),
        (
            {"DATABASE_URL": "postgres://liveblog@db.invalid/x", "DATABASE_POOL_MAX_SIZE": "0"},
            "DATABASE_POOL_MAX_SIZE=0 is too small: it must be at least 1",
        ),
    ],
)
def test_a_bad_setting_stops_manage_py_with_one_line_naming_it(env, message) -> None:
    done = _manage("check", **env)

    assert done.returncode == 1
    [line] = done.stderr.strip().splitlines()
    assert line.startswith(f"Configuration error: {message}")


def test_a_bad_setting_stops_the_server_with_one_line_naming_it() -> None:
    server = ["-m", "uvicorn", "config.asgi:application", "--port", str(free_port())]
    environ = {"PATH": os.environ["PATH"], "DJANGO_DEBUG": "maybe"}
    done = subprocess.run(
        [sys.executable, *server],
        cwd=PROJECT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=30,
    )

    assert done.returncode == 1
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("Configuration error: DJANGO_DEBUG='maybe' is not a boolean")


def test_on_postgresql_each_process_has_a_bounded_pool_and_keeps_no_connection() -> None:
    probe = (
        "import json; from django.conf import settings; "
        "print(json.dumps(settings.DATABASES['default']))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=PROJECT,
        env={
            "PATH": os.environ["PATH"],
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_DEBUG": "true",
            "DATABASE_URL": "postgres://liveblog@db.invalid:5432/liveblog",
            "DATABASE_POOL_MAX_SIZE": "7",
            "DATABASE_POOL_MIN_SIZE": "1",
            "DATABASE_POOL_TIMEOUT": "2.5",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    database = json.loads(done.stdout)
    assert database["OPTIONS"]["pool"] == {"min_size": 1, "max_size": 7, "timeout": 2.5}
    assert database["CONN_MAX_AGE"] == 0  # Django's pool requires it; nothing outlives a request
    assert database["OPTIONS"]["application_name"].startswith("liveblog-")
