"""Time zones by IANA name: the one check that a name is a time zone.

``zoneinfo`` reads the zones from the system's database or the ``tzdata`` package. It
refuses an unknown name in several ways (not found, a malformed key, a folder such as
"America", a file that is not a zone); every caller needs the same answer, so they ask here
and word the refusal for their own reader: a form, an event, a setting, an import.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

#: A name to show in messages about a wrong one.
EXAMPLE = "Asia/Yerevan"


class UnknownTimeZoneError(ValueError):
    """The name is not an IANA time zone."""


def zone_named(name: object) -> ZoneInfo:
    """The zone called ``name``, such as 'Europe/London'; UnknownTimeZoneError if none is."""
    if not isinstance(name, str):
        raise UnknownTimeZoneError(f"{name!r} is not a time zone name.")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise UnknownTimeZoneError(f"{name!r} is not a known time zone.") from None


def is_time_zone(name: object) -> bool:
    try:
        zone_named(name)
    except UnknownTimeZoneError:
        return False
    return True
