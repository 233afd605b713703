"""What the archivist told the import command, which every parser takes."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime


@dataclasses.dataclass(frozen=True)
class ParseOptions:
    """What the archivist told the command, for any parser to use."""

    source: str
    time_zone: str
    year: int | None = None
    date: date | None = None
    now: datetime | None = None
    zone_names: dict[str, str] = dataclasses.field(default_factory=dict)
