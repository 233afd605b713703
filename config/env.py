"""Read settings from the environment, failing loudly and by name when a value is wrong.

Every setting that comes from the environment goes through these helpers, so that a
malformed value stops start-up with a message naming the variable instead of surfacing
later as a confusing error somewhere else. ``one_line_setting_errors`` turns that message
into one line on stderr and exit status 1, for ``manage.py`` and for the ASGI server.
"""

from __future__ import annotations

import contextlib
import ipaddress
import math
import os
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from liveblog import zones

Number = TypeVar("Number", int, float)

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class SettingError(ImproperlyConfigured):
    """A setting from the environment is missing or malformed; the message names it."""


@contextlib.contextmanager
def one_line_setting_errors() -> Iterator[None]:
    """Stop the process with the setting's message on one line instead of a traceback."""
    try:
        yield
    except SettingError as exc:
        raise SystemExit(f"Configuration error: {exc}") from None


def _raw(name: str, environ: Mapping[str, str] | None) -> str | None:
    value = (os.environ if environ is None else environ).get(name)
    return None if value is None else value.strip()


def env_str(
    name: str,
    default: str | None = None,
    *,
    hint: str = "",
    environ: Mapping[str, str] | None = None,
) -> str:
    """Return a string setting; without a default, a missing value is an error (plus ``hint``)."""
    value = _raw(name, environ)
    if value:
        return value
    if default is None:
        raise SettingError(f"{name} is not set. Set it in the environment{hint}.")
    return default


def env_bool(name: str, default: bool, *, environ: Mapping[str, str] | None = None) -> bool:
    """Return a boolean setting written as 1/0, true/false, yes/no or on/off."""
    value = _raw(name, environ)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise SettingError(
        f"{name}={value!r} is not a boolean. Use one of: 1, 0, true, false, yes, no, on, off."
    )


def env_choice(
    name: str, default: str, choices: list[str], *, environ: Mapping[str, str] | None = None
) -> str:
    """Return one of ``choices`` (compared without case)."""
    value = env_str(name, default, environ=environ).lower()
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} is not one of: {', '.join(choices)}.")
    return value


def env_list(
    name: str, default: list[str], *, environ: Mapping[str, str] | None = None
) -> list[str]:
    """Return a comma-separated list setting."""
    value = _raw(name, environ)
    if value is None:
        return list(default)
    items = [item.strip() for item in value.split(",") if item.strip()]
    if not items:
        raise SettingError(f"{name} is set but empty. Give a comma-separated list.")
    return items


def env_networks(
    name: str, default: list[str], *, environ: Mapping[str, str] | None = None
) -> list[str]:
    """Return a comma-separated list of IP addresses and networks (``10.0.0.0/8``).

    Each is checked and written the canonical way: a typo must stop start-up, not quietly
    trust nothing (or, worse, more than meant).
    """
    value = _raw(name, environ)
    if value is None or value == "":
        return list(default)
    networks = []
    for item in (part.strip() for part in value.split(",") if part.strip()):
        try:
            if "/" in item:
                networks.append(str(ipaddress.ip_network(item)))
            else:
                networks.append(str(ipaddress.ip_address(item)))
        except ValueError as exc:
            hint = ""
            if "/" in item and "host bits set" in str(exc):
                hint = f"; did you mean {ipaddress.ip_network(item, strict=False)}?"
            raise SettingError(
                f"{name}={value!r}: {item!r} is not an IP address or network (such as "
                f"10.0.0.5 or 10.0.0.0/8){hint}"
            ) from None
    return networks


def _number(
    name: str,
    default: Number,
    parse: Callable[[str], Number],
    kind: str,
    environ: Mapping[str, str] | None,
) -> Number:
    """The setting as ``parse`` reads it, ``default`` when unset or empty; ``kind`` says what
    it must be when ``parse`` refuses it."""
    value = _raw(name, environ)
    if value is None or value == "":
        return default
    try:
        return parse(value)
    except ValueError:
        raise SettingError(f"{name}={value!r} is not {kind}.") from None


def env_int(
    name: str, default: int, *, minimum: int | None = None, environ: Mapping[str, str] | None = None
) -> int:
    """Return a whole-number setting, at least ``minimum`` when one is given."""
    number = _number(name, default, int, "a whole number", environ)
    if minimum is not None and number < minimum:
        raise SettingError(f"{name}={number} is too small: it must be at least {minimum}.")
    return number


def env_float(
    name: str,
    default: float,
    *,
    above: float | None = None,
    minimum: float | None = None,
    environ: Mapping[str, str] | None = None,
) -> float:
    """Return a finite number setting (seconds, say), greater than ``above`` and at least
    ``minimum`` when they are given."""
    number = _number(name, default, float, "a number", environ)
    if not math.isfinite(number):
        # "inf" and "nan" parse as floats; no setting means them (an endless wait is a bug).
        raise SettingError(f"{name}={number:g} is not a finite number.")
    if above is not None and not number > above:
        raise SettingError(f"{name}={number:g} is too small: it must be more than {above:g}.")
    if minimum is not None and number < minimum:
        raise SettingError(f"{name}={number:g} is too small: it must be at least {minimum:g}.")
    return number


def env_time_zone(name: str, default: str, *, environ: Mapping[str, str] | None = None) -> str:
    """Return an IANA time zone name such as 'Europe/London'."""
    value = env_str(name, default, environ=environ)
    if not zones.is_time_zone(value):
        raise SettingError(
            f"{name}={value!r} is not a known IANA time zone (for example {zones.EXAMPLE!r})."
        )
    return value


def env_database(
    name: str, default: str, *, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Return a Django DATABASES entry parsed from a URL (sqlite:///path, postgres://...).

    Connections are not kept past a request (``CONN_MAX_AGE`` 0): see ``config.settings``.
    """
    import dj_database_url

    url = env_str(name, default, environ=environ)
    scheme = urlsplit(url).scheme
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise SettingError(
            f"{name}={url!r} is not supported: use sqlite:///PATH or postgres://USER@HOST:PORT/DB."
        )
    try:
        config = dj_database_url.parse(url, conn_max_age=0, conn_health_checks=True)
    except ValueError as exc:
        raise SettingError(f"{name}={url!r} could not be parsed: {exc}") from None
    if not config.get("NAME"):
        raise SettingError(f"{name}={url!r} names no database.")
    return dict(config)


def env_redis_url(name: str, *, environ: Mapping[str, str] | None = None) -> str | None:
    """Return a redis:// URL, or None when the variable is unset."""
    value = _raw(name, environ)
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in {"redis", "rediss", "unix"} or not (parts.hostname or parts.path):
        raise SettingError(f"{name}={value!r} is not a Redis URL; expected redis://HOST:PORT/DB.")
    return value


def env_retired(name: str, why: str, *, environ: Mapping[str, str] | None = None) -> None:
    """Refuse a variable that is no longer read, rather than ignore it silently."""
    if _raw(name, environ) is not None:
        raise SettingError(f"{name} is no longer read: {why} Remove it from the environment.")
