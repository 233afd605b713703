"""One check that a name is a time zone, so every caller refuses the same names the same way."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from config import env
from liveblog import events, zones
from liveblog.errors import InvalidEventError
from liveblog.importers.base import ImportParseError
from liveblog.importers.stamps import zone
from liveblog.models import validate_time_zone

#: Names zoneinfo refuses in different ways: unknown, a folder, malformed, a path, not a zone.
NOT_ZONES = ["Mars/Olympus", "America", "", "Europe/London/", "../etc/passwd", "zone.tab", None]


def test_iana_names_are_zones() -> None:
    assert str(zones.zone_named("Europe/London")) == "Europe/London"
    assert zones.is_time_zone(zones.EXAMPLE)


@pytest.mark.parametrize("name", NOT_ZONES)
def test_every_caller_refuses_what_is_not_a_zone_in_its_own_words(name: object) -> None:
    assert not zones.is_time_zone(name)
    with pytest.raises(zones.UnknownTimeZoneError):
        zones.zone_named(name)
    with pytest.raises(InvalidEventError, match="not a known time zone"):
        # Not a str on purpose for some names: the event must refuse what the types exclude.
        events.BlogCreated(slug="s", title="T", time_zone=name)  # type: ignore[arg-type]
    if isinstance(name, str):
        with pytest.raises(ValidationError, match="not a known time zone"):
            validate_time_zone(name)
        with pytest.raises(ImportParseError, match="unknown time zone"):
            zone(name, source="t.txt")
        if name:  # an empty variable means the default
            with pytest.raises(env.SettingError, match="not a known IANA time zone"):
                env.env_time_zone("TIME_ZONE", "UTC", environ={"TIME_ZONE": name})
