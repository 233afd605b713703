"""Settings fail at start-up, by name, when the environment is wrong."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from config import env
from tests.servers import PROJECT


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


def test_the_server_refuses_to_start_without_a_secret_key_in_production() -> None:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE"))}
    environ["DJANGO_DEBUG"] = "false"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=PROJECT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr
