"""Look-alike characters, clock times, dates, time-zone abbreviations and relative stamps.

A live blog's whole chronology rests on stamps typed by hand under deadline: "9:15p.m.",
"1030 a.m.", "3.27pm BST", "1:08 a.m. ET", "14.05", "4 min ago", a Cyrillic letter in "a.m.".
This module reads them once, for every parser. The stamps read on every line of a
100,000-entry file are regular expressions with cheap first-character checks; dateparser
reads the relative ones ("2 hours ago", "yesterday at 9:15") against an anchor we give it
(the page's own "Updated" stamp or --now), so no result depends on the machine's clock.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import NamedTuple, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from liveblog import zones
from liveblog.importers.base import ImportParseError


def zone(time_zone: str, *, source: str) -> ZoneInfo:
    """Return the IANA zone, or an import error the archivist can act on."""
    try:
        return zones.zone_named(time_zone)
    except zones.UnknownTimeZoneError:
        raise ImportParseError(
            f"unknown time zone {time_zone!r}: give an IANA name such as {zones.EXAMPLE!r}",
            source=source,
        ) from None


MIN_YEAR = 1000
MAX_YEAR = 9000


def check_year(year: int | None, *, source: str) -> None:
    """Refuse a --year the datetime arithmetic cannot represent."""
    if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
        raise ImportParseError(
            f"year {year} is out of range ({MIN_YEAR}-{MAX_YEAR})", source=source
        )


class _ReadStamp(Protocol):
    @property
    def raw(self) -> str: ...
    @property
    def valid(self) -> bool: ...


def check_possible(stamp: _ReadStamp, *, source: str, line: int) -> None:
    """Refuse a stamp that starts a line with a time or date that cannot be ("25:61")."""
    if not stamp.valid:
        raise ImportParseError(
            f"line starts with an impossible time or date {stamp.raw!r}; correct it",
            source=source,
            line=line,
        )


# --- look-alike characters ------------------------------------------------------------------

# Characters from other alphabets that typists (or OCR) put where Latin letters, digits or a
# colon belong. Each maps to exactly one character so match positions stay valid.
_CONFUSABLES = str.maketrans(
    {
        # Cyrillic
        "\u0430": "a",
        "\u0410": "A",
        "\u0440": "p",
        "\u0420": "P",
        "\u043c": "m",
        "\u041c": "M",
        "\u0435": "e",
        "\u0415": "E",
        "\u043e": "o",
        "\u041e": "O",
        "\u0441": "c",
        "\u0421": "C",
        "\u0443": "y",
        "\u0445": "x",
        "\u0456": "i",
        "\u0458": "j",
        "\u0455": "s",
        "\u0412": "B",
        "\u041d": "H",
        "\u041a": "K",
        "\u0422": "T",
        "\u0425": "X",
        # Greek
        "\u0391": "A",
        "\u03b1": "a",
        "\u03a1": "P",
        "\u03c1": "p",
        "\u039c": "M",
        "\u039f": "O",
        "\u03bf": "o",
        # colon look-alikes: Armenian full stop, ratio, modifier colons, full-width colon
        "\u0589": ":",
        "\u2236": ":",
        "\ua789": ":",
        "\u02d0": ":",
        "\u02f8": ":",
        "\ufe13": ":",
        "\ufe55": ":",
        "\uff1a": ":",
        # dots and semicolons
        "\u2024": ".",
        "\uff0e": ".",
        "\u037e": ";",
        "\uff1b": ";",
        # full-width digits
        **{chr(0xFF10 + i): str(i) for i in range(10)},
    }
)

_PREFIX = 64  # clock times and date stamps are read from the start of a line only


def plain(text: str) -> str:
    """Replace look-alike characters with the ones they imitate (same length)."""
    return text if text.isascii() else text.translate(_CONFUSABLES)


def _lookalikes(original: str, translated: str) -> list[str]:
    return [
        f"{a!r} ({unicodedata.name(a, f'U+{ord(a):04X}')})"
        for a, b in zip(original, translated, strict=True)
        if a != b
    ]


# --- clock times ----------------------------------------------------------------------------

_LABEL = r"(?P<label>(?:breaking(?:\s+news)?|just\s+in|developing)\s*[:\-\u2013\u2014]\s*)?"
_MERIDIEM = r"(?P<mer>[ap])\s?\.?\s?m\b\.?"
_CLOCK_WITH_MERIDIEM = re.compile(
    r"^" + _LABEL + r"(?P<h>\d{1,2})"
    r"(?:(?P<sep>\s?[:.;]\s?)(?P<m>\d{2})(?!\d)|(?P<mc>\d{2})(?=\s?[ap]\s?\.?\s?m\b))?"
    r"\s?" + _MERIDIEM + r"(?P<tail>\s*(?:[:,\-\u2013\u2014]\s*)?)",
    re.IGNORECASE,
)
_CLOCK_BARE = re.compile(
    r"^" + _LABEL + r"(?P<h>\d{1,2}):(?P<m>\d{2})(?!\d)(?P<tail>\s*(?:[:\-\u2013\u2014]\s*|$))",
    re.IGNORECASE,
)


class LeadingTime(NamedTuple):
    """A clock time read from the start of a line.

    ``hour`` is 0-23, or None when the page gave no a.m./p.m. for an hour of 1-12 (then
    ``hour12`` holds it and the caller decides from the neighbouring entries). ``rest`` is the
    index in the line where the text after the time begins. ``notes`` name the irregular
    spellings worth a warning; ``valid`` is False for things like "25:70 p.m.".
    """

    hour: int | None
    hour12: int
    minute: int
    rest: int
    label: str
    raw: str
    notes: tuple[str, ...]
    valid: bool = True  # a NamedTuple, not a dataclass: built for every line, so it must be cheap


def read_leading_time(line: str) -> LeadingTime | None:
    """Read a clock time ("10:41 p.m.:", "1030 am", "3:27:") at the start of a line."""
    head = line[:_PREFIX]
    first = plain(head[:1])
    if not first or not (first.isdigit() or first in "BbJjDd"):
        return None  # most lines are prose: reject them before any regex runs
    text = plain(head)
    match = _CLOCK_WITH_MERIDIEM.match(text)
    bare = False
    if match is None:
        match = _CLOCK_BARE.match(text)
        bare = True
        if match is None:
            return None
    label = (match.group("label") or "").strip()
    h = int(match.group("h"))
    m_text = match.group("m") or ("" if bare else match.group("mc")) or ""
    minute = int(m_text) if m_text else 0
    notes: list[str] = []
    start = match.start("h")
    odd = [] if text is head else _lookalikes(head[start : match.end()], text[start : match.end()])
    if odd:
        notes.append("look-alike character(s) " + ", ".join(odd))
    if not bare and match.group("sep") and match.group("sep").strip() in (".", ";"):
        notes.append(f"{match.group('sep').strip()!r} instead of ':'")
    if not bare and match.group("mc"):
        notes.append("no colon between hours and minutes")
    raw = head[start : match.end()].strip()
    rest = match.end()
    valid = minute <= 59 and h <= 23
    hour: int | None
    if bare:
        hour = h if h == 0 or h > 12 else None
    else:
        mer = match.group("mer").lower()
        if h > 12 or h == 0:
            hour = h
            if h > 12:
                notes.append(f"hour {h} with '{mer}.m.' read as a 24-hour time")
        else:
            hour = h % 12 + (12 if mer == "p" else 0)
    return LeadingTime(
        hour=hour,
        hour12=h,
        minute=minute,
        rest=rest,
        label=label,
        raw=raw,
        notes=tuple(notes),
        valid=valid,
    )


def describe_time(hour: int, minute: int) -> str:
    """Spell a time the way the newsrooms do ("3:27 p.m."), for warnings."""
    suffix = "a.m." if hour < 12 else "p.m."
    return f"{(hour % 12) or 12}:{minute:02d} {suffix}"


# --- dates ----------------------------------------------------------------------------------

_MONTHS = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
}
_MONTH_ABBREVIATIONS = {name[:3]: number for name, number in _MONTHS.items()} | {"sept": 9}
MONTH_PATTERN = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)


def month_number(name: str) -> int | None:
    """Return 1-12 for an English month name or abbreviation, else None."""
    key = name.lower().rstrip(".")
    return _MONTHS.get(key) or _MONTH_ABBREVIATIONS.get(key)


#: A day and a month either way round, then perhaps a year: "20 Sep 2023", "September 30".
#: A format's own line pattern builds on it, and ``written_date`` reads what it matched.
DAY_AND_MONTH = (
    r"(?:(?P<d1>\d{1,2})(?:st|nd|rd|th)?\s+(?P<m1>" + MONTH_PATTERN + r")\.?"
    r"|(?P<m2>" + MONTH_PATTERN + r")\.?\s+(?P<d2>\d{1,2})(?:st|nd|rd|th)?)"
    r"(?:,?\s+(?P<y>\d{4}))?"
)


_YEAR_MENTION = re.compile(
    r"\b(?P<m1>" + MONTH_PATTERN + r")\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+(?P<y1>\d{4})\b"
    r"|\b\d{1,2}(?:st|nd|rd|th)?\s+(?P<m2>" + MONTH_PATTERN + r")\.?,?\s+(?P<y2>\d{4})\b",
    re.IGNORECASE,
)


def infer_year(lines: Sequence[str], months: set[int]) -> tuple[int, int, int] | None:
    """Find the year most often written next to the blog's months ("September 25, 2023").

    Returns (year, how many mentions, line of the first mention), or None.
    """
    counts: dict[int, int] = {}
    first: dict[int, int] = {}
    for index, line in enumerate(lines):
        if not any(ch.isdigit() for ch in line):
            continue
        for match in _YEAR_MENTION.finditer(line):
            month = month_number(match.group("m1") or match.group("m2"))
            year = int(match.group("y1") or match.group("y2"))
            if month in months and 1900 <= year <= 2100:
                counts[year] = counts.get(year, 0) + 1
                first.setdefault(year, index + 1)
    if not counts:
        return None
    year = max(counts, key=lambda y: (counts[y], y))
    return year, counts[year], first[year]


# --- time-zone abbreviations ----------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ZoneName:
    """What a zone written on a page means: a fixed offset or an IANA zone, and any doubt."""

    zone: str  # "+01:00" for a fixed offset, else an IANA name
    meaning: str
    ambiguous: str = ""  # the other meanings, when there are some


def _fixed(offset: str, meaning: str, ambiguous: str = "") -> ZoneName:
    return ZoneName(offset, meaning, ambiguous)


#: The zone names newsrooms print after a time. An abbreviation that names standard or summer
#: time is its fixed offset by definition (BST is UTC+1 whatever the date); one that names a
#: region ("ET", "UK time") follows that region's daylight saving. Ambiguous ones are read as
#: the meaning listed first and always warned about; --zone-abbreviation overrides any entry.
ZONE_ABBREVIATIONS: dict[str, ZoneName] = {
    "UTC": _fixed("+00:00", "Coordinated Universal Time"),
    "GMT": _fixed("+00:00", "Greenwich Mean Time"),
    "Z": _fixed("+00:00", "UTC"),
    "BST": _fixed("+01:00", "British Summer Time"),
    "IST": _fixed("+05:30", "India Standard Time", "Irish Standard Time (+01:00), Israel (+02:00)"),
    "WET": _fixed("+00:00", "Western European Time"),
    "WEST": _fixed("+01:00", "Western European Summer Time"),
    "CET": _fixed("+01:00", "Central European Time"),
    "CEST": _fixed("+02:00", "Central European Summer Time"),
    "EET": _fixed("+02:00", "Eastern European Time"),
    "EEST": _fixed("+03:00", "Eastern European Summer Time"),
    "MSK": _fixed("+03:00", "Moscow Time"),
    "TRT": _fixed("+03:00", "Turkey Time"),
    "AST": _fixed("+03:00", "Arabia Standard Time", "Atlantic Standard Time (-04:00)"),
    "GST": _fixed("+04:00", "Gulf Standard Time", "South Georgia Time (-02:00)"),
    "AMT": _fixed("+04:00", "Armenia Time", "Amazon Time (-04:00)"),
    "GET": _fixed("+04:00", "Georgia Time"),
    "AZT": _fixed("+04:00", "Azerbaijan Time"),
    "PKT": _fixed("+05:00", "Pakistan Standard Time"),
    "ICT": _fixed("+07:00", "Indochina Time"),
    "WIB": _fixed("+07:00", "Western Indonesia Time"),
    "HKT": _fixed("+08:00", "Hong Kong Time"),
    "SGT": _fixed("+08:00", "Singapore Time"),
    "JST": _fixed("+09:00", "Japan Standard Time"),
    "KST": _fixed("+09:00", "Korea Standard Time"),
    "AEST": _fixed("+10:00", "Australian Eastern Standard Time"),
    "AEDT": _fixed("+11:00", "Australian Eastern Daylight Time"),
    "NZST": _fixed("+12:00", "New Zealand Standard Time"),
    "NZDT": _fixed("+13:00", "New Zealand Daylight Time"),
    "SAST": _fixed("+02:00", "South Africa Standard Time"),
    "WAT": _fixed("+01:00", "West Africa Time"),
    "CAT": _fixed("+02:00", "Central Africa Time"),
    "EAT": _fixed("+03:00", "East Africa Time"),
    "EST": _fixed("-05:00", "Eastern Standard Time (US)"),
    "EDT": _fixed("-04:00", "Eastern Daylight Time (US)"),
    "CST": _fixed("-06:00", "Central Standard Time (US)", "China Standard Time (+08:00)"),
    "CDT": _fixed("-05:00", "Central Daylight Time (US)"),
    "MST": _fixed("-07:00", "Mountain Standard Time (US)"),
    "MDT": _fixed("-06:00", "Mountain Daylight Time (US)"),
    "PST": _fixed("-08:00", "Pacific Standard Time (US)"),
    "PDT": _fixed("-07:00", "Pacific Daylight Time (US)"),
    "ET": ZoneName("America/New_York", "US Eastern time"),
    "CT": ZoneName("America/Chicago", "US Central time"),
    "MT": ZoneName("America/Denver", "US Mountain time"),
    "PT": ZoneName("America/Los_Angeles", "US Pacific time"),
    "UK": ZoneName("Europe/London", "UK time"),
    "KYIV": ZoneName("Europe/Kyiv", "Kyiv time"),
    "MOSCOW": ZoneName("Europe/Moscow", "Moscow time"),
}

_OFFSET = re.compile(
    r"^(?:UTC|GMT)?\s?(?P<sign>[+\-\u2212])\s?(?P<h>\d{1,2})(?::?(?P<m>\d{2}))?$", re.IGNORECASE
)


def zone_for(name: str, overrides: dict[str, str] | None = None) -> tuple[tzinfo, str] | None:
    """Return the zone a page's zone name means, and a warning when the name is ambiguous.

    ``name`` is an abbreviation from ``ZONE_ABBREVIATIONS`` ("BST", "ET"), a region ("UK
    time", "Kyiv time") or an offset ("+04:00", "UTC+4", "GMT-5"). ``overrides`` maps
    abbreviations to IANA names or offsets (--zone-abbreviation IST=Asia/Jerusalem).
    """
    key = " ".join(name.split()).upper().removesuffix(" TIME").strip("() ")
    override = (overrides or {}).get(key)
    entry = ZoneName(override, "as given with --zone-abbreviation") if override else None
    entry = entry or ZONE_ABBREVIATIONS.get(key)
    text = entry.zone if entry else key
    offset = _OFFSET.match(text)
    if offset:
        hours, minutes = int(offset.group("h")), int(offset.group("m") or 0)
        if hours > 14 or minutes > 59:
            return None
        delta = timedelta(hours=hours, minutes=minutes)
        fixed = timezone(-delta if offset.group("sign") != "+" else delta)
        note = ""
        if entry and entry.ambiguous:
            note = (
                f"zone {name!r} is ambiguous: read as {entry.meaning} ({entry.zone}), not "
                f"{entry.ambiguous}; pass --zone-abbreviation {key}=ZONE if that is wrong"
            )
        return fixed, note
    if entry is None:
        return None
    try:
        return ZoneInfo(entry.zone), ""
    except (ZoneInfoNotFoundError, ValueError):
        return None


# --- stamps in general ----------------------------------------------------------------------

_WEEKDAY = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)"
_ORDINAL = r"(?:st|nd|rd|th)?"
_DATE_DAY_FIRST = (
    r"(?P<d1>\d{1,2})" + _ORDINAL + r"\s+(?P<m1>" + MONTH_PATTERN + r")\.?(?:,?\s+(?P<y1>\d{4}))?"
)
_DATE_MONTH_FIRST = (
    r"(?P<m2>" + MONTH_PATTERN + r")\.?\s+(?P<d2>\d{1,2})" + _ORDINAL + r"(?:,?\s+(?P<y2>\d{4}))?"
)
_DATE_ISO = r"(?P<y3>\d{4})-(?P<m3>\d{2})-(?P<d3>\d{2})"
_DATE = (
    r"(?:"
    + _WEEKDAY
    + r"?(?:"
    + _DATE_DAY_FIRST
    + "|"
    + _DATE_MONTH_FIRST
    + r")|"
    + _DATE_ISO
    + ")"
)
_ZONE = (
    r"(?P<zone>(?:UTC|GMT)\s?[+\-\u2212]\s?\d{1,2}(?::?\d{2})?|[+\-\u2212]\d{2}:?\d{2}"
    r"|\(?(?-i:[A-Z]{2,5})\)?(?:\s+time)?|(?:UK|Kyiv|Moscow)\s+time)"
)
_TIME = (
    r"(?P<h>\d{1,2})(?:(?P<sep>\s?[:.h]\s?)(?P<m>\d{2})(?::\d{2})?|(?P<mc>\d{2})(?=\s?(?:[ap]\.?\s?m\b|[A-Z])))?"
    r"(?:\s?(?P<mer>[ap])\.?\s?m\b\.?)?"
)
_PREFIX_WORDS = (
    r"(?P<prefix>(?:last\s+)?updated(?:\s+at|\s+on)?|posted(?:\s+at|\s+on)?|published(?:\s+at|\s+on)?"
    r"|first\s+published(?:\s+on)?)\s*:?\s+"
)
_BULLET_LEAD = r"(?:[-*\u2013\u2022\u00b7\u25aa\u25cf\u25e6]\s*)?"
_AFTER = r"(?P<after>\s*(?:[:\-\u2013\u2014|\u00b7\u2022,]\s*|\s+|$))"
_BULLET = re.compile(_BULLET_LEAD)
_TIME_FIRST = re.compile(
    r"^" + _BULLET_LEAD + "(?:" + _PREFIX_WORDS + ")?" + _TIME + r"(?:\s?" + _ZONE + r")?"
    r"(?:\s*(?:,|\bon\b|[-\u2013\u2014|/\u00b7])?\s*" + _DATE + r")?" + _AFTER,
    re.IGNORECASE,
)
_DATE_FIRST = re.compile(
    r"^"
    + _BULLET_LEAD
    + "(?:"
    + _PREFIX_WORDS
    + ")?"
    + _DATE
    + r"(?:\s*(?:,|\bat\b|[-\u2013\u2014|/\u00b7T])?\s*)"
    + _TIME
    + r"(?:\s?"
    + _ZONE
    + r")?"
    + _AFTER,
    re.IGNORECASE,
)
_DATE_ONLY = re.compile(r"^" + _BULLET_LEAD + _DATE + r"\s*:?$", re.IGNORECASE)
_RELATIVE = re.compile(
    r"^" + _BULLET_LEAD + r"(?P<prefix>(?:updated|posted|published)\s+)?"
    r"(?P<rel>(?:(?:\d{1,3}|an?|one)\s*(?:seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d)"
    r"\s+ago)|just\s+now|moments?\s+ago|yesterday(?:\s+at\s+\d{1,2}[:.]\d{2}(?:\s?[ap]\.?m\.?)?)?)"
    r"(?:\s*\((?P<inner>[^)]{3,40})\))?" + _AFTER,
    re.IGNORECASE,
)
_STAMP_START = frozenset("0123456789-*\u2013\u2022\u00b7\u25aa\u25cf\u25e6")
_WORD_STARTS = frozenset("jfmasondtwlupyJFMASONDTWLUPY")


@dataclasses.dataclass(frozen=True)
class Stamp:
    """A time stamp read from a line of a copied page, before the parser dates it.

    ``hour`` is 0-23, or None for a 12-hour time printed without a.m./p.m. ``year``, ``month``
    and ``day`` are what the stamp itself says (all None for a bare clock time). ``zone`` is
    the stamp's own zone (None: the page's). ``relative`` is the text of a relative stamp
    ("2 hours ago"), dated later against an anchor. ``rest`` is the text after the stamp on
    the same line, ``prefix`` a word before it ("updated", "posted").
    """

    raw: str
    rest: str
    hour: int | None
    hour12: int
    minute: int
    year: int | None = None
    month: int | None = None
    day: int | None = None
    zone: tzinfo | None = None
    zone_raw: str = ""
    zone_note: str = ""
    relative: str = ""
    prefix: str = ""
    notes: tuple[str, ...] = ()
    valid: bool = True

    @property
    def dated(self) -> bool:
        return self.month is not None

    @property
    def is_update_note(self) -> bool:
        return self.prefix.startswith(("updated", "last"))


def _date_parts(match: re.Match[str]) -> tuple[int | None, int | None, int | None]:
    groups = match.groupdict()
    if groups.get("y3"):
        return int(groups["y3"]), int(groups["m3"]), int(groups["d3"])
    for suffix in ("1", "2"):
        month_text = groups.get("m" + suffix)
        if month_text:
            year = groups.get("y" + suffix) or groups.get("y")  # DAY_AND_MONTH: one year group
            return (
                (int(year) if year else None),
                month_number(month_text),
                int(groups["d" + suffix]),
            )
    return None, None, None


def written_date(match: re.Match[str]) -> tuple[int | None, int, int] | None:
    """The (year, month, day) a date match names as written, the day unchecked; None if its
    month is no month. The year is None where the text leaves it out."""
    year, month, day = _date_parts(match)
    if month is None or day is None:
        return None
    return year, month, day


def _plausible_date(match: re.Match[str] | None) -> tuple[int | None, int, int] | None:
    """The date a match names, if its month and day can be one (the year may be left out)."""
    written = written_date(match) if match else None
    if written is None or not 1 <= written[1] <= 12 or not 1 <= written[2] <= 31:
        return None
    return written


def read_date_line(line: str) -> tuple[int | None, int, int] | None:
    """Read a line that is only a date ("Mar. 1", "March 23, 2022", "Wed 20 September 2023")."""
    text = line.strip()
    if not text or len(text) > 40 or not any(ch.isdigit() for ch in text):
        return None
    return _plausible_date(_DATE_ONLY.match(plain(text)))


_DATE_ANYWHERE = re.compile(r"\b" + _DATE, re.IGNORECASE)


def find_date(text: str) -> tuple[int | None, int, int] | None:
    """Find the first date written anywhere in a text ("... (1749 HKT) September 17, 2023")."""
    return _plausible_date(_DATE_ANYWHERE.search(plain(text[:200])))


def read_stamp(line: str, *, zones: dict[str, str] | None = None) -> Stamp | None:
    """Read a time stamp at the start of a line, with its zone, date and the text after it.

    Understood: "09:22 GMT", "3.27pm BST", "1:08 a.m. ET", "14:05 CET - Headline", "10:30 a.m.
    Brussels says ...", "12:41 p.m. ET, September 24, 2023", "20 Sep 2023, 22:58",
    "Sept. 20, 2023, 3:10 p.m. ET", "2023-09-20T22:58:00+04:00", "Posted at 10:32",
    "4 min ago", "Updated 2 hours ago" and bulleted forms ("- 09:22 GMT").
    """
    head = line.strip()
    if not head:
        return None
    first = head[0]
    if first not in _STAMP_START and first not in _WORD_STARTS and not first.isdigit():
        return None
    text = plain(head)
    relative = (
        _RELATIVE.match(text) if ("ago" in text or "now" in text or "esterday" in text) else None
    )
    if relative:
        inner = relative.group("inner")
        if inner:
            absolute = read_stamp(inner, zones=zones)
            if absolute is not None and absolute.valid:
                return dataclasses.replace(
                    absolute,
                    raw=head[: relative.end("inner") + 1].strip(),
                    rest=head[relative.end() :].strip(),
                    prefix=(relative.group("prefix") or "").strip().lower(),
                )
        return Stamp(
            raw=head[: relative.end("rel")].strip(),
            rest=head[relative.end() :].strip(),
            hour=None,
            hour12=0,
            minute=0,
            relative=relative.group("rel"),
            prefix=(relative.group("prefix") or "").strip().lower(),
        )
    match = _TIME_FIRST.match(text)
    if match is not None and not _usable_time(match):
        match = None
    if match is None:
        match = _DATE_FIRST.match(text)
        if match is None or not _usable_time(match, dated=True):
            return None
    return _stamp_from(match, head, text, zones)


def _usable_time(match: re.Match[str], *, dated: bool = False) -> bool:
    """Say whether a match is a time and not a number that starts a sentence ("20 people")."""
    if match.group("mer"):
        return True
    if match.group("m") is None and match.group("mc") is None:
        return False  # "10 GMT" or "20 September": an hour alone is not a stamp
    if match.group("mc") is not None and not match.group("zone"):
        return False
    after = match.group("after")
    rest = match.string[match.end() :]
    if dated or match.group("zone") or match.group("y1") or match.group("y2") or match.group("m1"):
        return True
    sep = (match.group("sep") or "").strip()
    if sep == "." and not after.strip() and rest[:1].islower():
        return False  # "3.5 million" and the like
    if after.strip() or not rest:
        return True
    # A bare "14:05 Headline": only when the text after it reads as a new sentence.
    return rest[:1].isupper() or rest[:1] in "\"'\u201c\u2018\u00ab"


def _stamp_from(
    match: re.Match[str], head: str, text: str, zones: dict[str, str] | None
) -> Stamp | None:
    h = int(match.group("h"))
    minute_text = match.group("m") or match.group("mc") or "0"
    minute = int(minute_text)
    mer = (match.group("mer") or "").lower()
    notes: list[str] = []
    start = match.start("h")
    odd = [] if text is head else _lookalikes(head[start : match.end()], text[start : match.end()])
    if odd:
        notes.append("look-alike character(s) " + ", ".join(odd))
    hour: int | None
    if mer:
        hour = h if h > 12 or h == 0 else h % 12 + (12 if mer == "p" else 0)
        if h > 12:
            notes.append(f"hour {h} with '{mer}.m.' read as a 24-hour time")
    else:
        # A leading zero ("09:22") or an hour past 12 says the page writes a 24-hour clock.
        # So does a zone: pages that print one with a 12-hour clock print a.m./p.m. too.
        explicit = (
            h == 0
            or h > 12
            or match.group("h").startswith("0")
            or match.group("zone")
            or match.groupdict().get("y3")
        )
        hour = h if explicit else None
    zone_raw = (match.group("zone") or "").strip()
    zone: tzinfo | None = None
    zone_note = ""
    if zone_raw:
        found = zone_for(zone_raw, zones)
        if found is None:
            if not zone_raw.strip("()").isupper() or len(zone_raw.strip("()")) > 5:
                return None
            # An unknown capitalised word after a time ("10:30 EU leaders ..."): no zone.
            return _without_zone(match, head, text, zones)
        zone, zone_note = found
    year, month, day = _date_parts(match)
    prefix = (match.group("prefix") or "").strip().lower()
    end = match.end()
    lead = _BULLET.match(text)
    raw = head[lead.end() if lead else 0 : end].strip()
    raw = raw.rstrip(":-\u2013\u2014|,").strip()
    return Stamp(
        raw=raw,
        rest=head[end:].strip(),
        hour=hour,
        hour12=h,
        minute=minute,
        year=year,
        month=month,
        day=day,
        zone=zone,
        zone_raw=zone_raw,
        zone_note=zone_note,
        prefix=prefix,
        notes=tuple(notes),
        valid=h <= 23 and minute <= 59 and _real_day(month, day),
    )


def _real_day(month: int | None, day: int | None) -> bool:
    return month is None or (1 <= month <= 12 and day is not None and 1 <= day <= 31)


def _without_zone(
    match: re.Match[str], head: str, text: str, zones: dict[str, str] | None
) -> Stamp | None:
    """Re-read a stamp whose "zone" was the first word of a headline."""
    cut = match.start("zone")
    stamp = read_stamp(text[:cut].rstrip(), zones=zones)
    if stamp is None or stamp.zone is not None or stamp.rest:
        return None
    return dataclasses.replace(stamp, rest=head[cut:].strip())


def resolve_relative(text: str, anchor: datetime) -> datetime | None:
    """Date a relative stamp ("2 hours ago", "yesterday at 9:15") against ``anchor``."""
    import dateparser  # imported here: loading its language data costs a second at start-up

    local = anchor.replace(tzinfo=None)
    parsed = dateparser.parse(
        text,
        languages=["en"],
        settings={"RELATIVE_BASE": local, "PREFER_DATES_FROM": "past"},
    )
    if parsed is None:
        return None
    if parsed.tzinfo is not None:
        return parsed.astimezone(anchor.tzinfo)
    return parsed.replace(tzinfo=anchor.tzinfo)


def combine(day: date, stamp: Stamp, default_zone: tzinfo) -> datetime:
    """The stamp's time on ``day``, in the stamp's own zone or else the page's."""
    hour = stamp.hour if stamp.hour is not None else stamp.hour12 % 12
    return datetime(
        day.year, day.month, day.day, hour, stamp.minute, tzinfo=stamp.zone or default_zone
    )


def describe_zone(value: tzinfo) -> str:
    """A zone as a person writes it, for messages ("Europe/London", "UTC+01:00")."""
    if isinstance(value, ZoneInfo):
        return value.key
    offset = value.utcoffset(None) or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"
