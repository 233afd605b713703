"""Shared helpers for the text importers: decoding uploads, reading clock times, page furniture.

Old live blogs come to us as text copied off real pages. Their clock times are typed by hand
under deadline ("9:15p.m.", "1030 a.m.", a Cyrillic letter in "a.m."), and the copy drags in the
site's furniture (membership banners, "read more" lists, placeholder text). The helpers here
recognise those once, so each format module only has to know its own layout.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
import unicodedata
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from liveblog.importers.base import ImportNotice, ImportParseError, SetAsideText

# --- decoding -------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class DecodedSource:
    """The text of an upload and the encoding it was read as, so callers can report it.

    ``encoding`` is one of "utf-8", "utf-8-sig" (UTF-8 with a byte-order mark), "utf-16",
    "utf-32" or "cp1252"; the last means the file was not UTF-8 and was read as Windows-1252,
    which the caller should tell the archivist about.
    """

    text: str
    encoding: str


_CONTROL_OK = frozenset("\t\n\r\f")
# Control bytes no text file has (cp1252 gives 0x80-0x9f printable meanings, so not those).
_BINARY_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_BINARY_CONTROL_RATIO = 0.01


# The characters _CONTROL_OK does not excuse: C0 controls and DEL through the C1 range.
_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


def _control_count(text: str) -> int:
    # A regex, not a Python loop over every character: this runs on whole files.
    return len(_CONTROL_CHARACTERS.findall(text))


def _normalise_newlines(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\u2028", "\n").replace("\u2029", "\n")


def decode_source(data: bytes, *, source: str) -> DecodedSource:
    """Decode an uploaded file, refusing binaries and empty files, with Unix line endings.

    UTF-8 (with or without a byte-order mark) and BOM-marked UTF-16/32 are read as such. Only
    bytes that are not UTF-8 and hold no control characters fall back to Windows-1252, the
    usual encoding of text saved from old Windows editors; the result says so.
    """
    if not data.strip():
        raise ImportParseError("the file is empty (nothing but whitespace)", source=source)
    encoding = ""
    text = ""
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        encoding = "utf-32"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    if encoding:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise ImportParseError(
                f"the file starts with a {encoding.upper()} byte-order mark but is not valid "
                f"{encoding.upper()} (byte {exc.start}); re-save it as UTF-8",
                source=source,
            ) from None
        text = text.removeprefix("\ufeff")
    elif data.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
        try:
            text = data[3:].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ImportParseError(
                "the file starts with a UTF-8 byte-order mark but is not valid UTF-8 "
                f"(byte {exc.start + 3}); re-save it as UTF-8",
                source=source,
            ) from None
    else:
        try:
            text = data.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError:
            if _BINARY_BYTES.search(data):
                raise ImportParseError(
                    "the file is not text: it is not UTF-8 and contains NUL or control bytes "
                    "(is it a binary file, e.g. a .docx or .pdf? export it as plain text)",
                    source=source,
                ) from None
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError as exc:
                raise ImportParseError(
                    f"the file is neither UTF-8 nor Windows-1252 (byte {exc.start}); "
                    "re-save it as UTF-8",
                    source=source,
                ) from None
            encoding = "cp1252"
    if "\x00" in text:
        raise ImportParseError(
            "the file contains NUL characters, so it is probably binary, not text; "
            "export the page as plain text",
            source=source,
        )
    if text and _control_count(text) > _BINARY_CONTROL_RATIO * len(text):
        raise ImportParseError(
            "the file is mostly control characters, so it is probably binary, not text; "
            "export the page as plain text",
            source=source,
        )
    if not text.strip():
        raise ImportParseError("the file is empty (nothing but whitespace)", source=source)
    return DecodedSource(text=_normalise_newlines(text), encoding=encoding)


def split_lines(text: str) -> list[str]:
    """Split text into lines whatever its line endings; parsers may be given raw strings."""
    return _normalise_newlines(text.removeprefix("\ufeff")).split("\n")


def zone(time_zone: str, *, source: str) -> ZoneInfo:
    """Return the IANA zone, or an import error the archivist can act on."""
    try:
        return ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError, TypeError, OSError):
        raise ImportParseError(
            f"unknown time zone {time_zone!r}: give an IANA name such as 'Asia/Yerevan'",
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


# --- page furniture -------------------------------------------------------------------------

_FURNITURE_LINE = re.compile(
    r"""^(?:
        become\s+an?\s+(?:.{0,40}\s)?member(?:ship)?\b.{0,60}
      | support\s+(?:our\s+)?independent\s+journalism\b.{0,80}
      | join\s+(?:us\s+)?today\W*
      | read\s+more(?:\s*[:\u00bb\u203a>\u2026.]*\s*|(?=[^\s]).*)
      | (?:the\s+)?(?:web)?site\s+is\s+(?:currently\s+)?(?:undergoing|under)\s+
        (?:scheduled\s+|planned\s+)?maintenance\b.{0,80}
      | this\s+is\s+(?:a\s+|the\s+)?default\s+text\b.{0,80}
      | (?:sign\s+up|subscribe)\b.{0,60}\b(?:newsletter|updates|inbox)\b.{0,40}
      | subscribe(?:\s+now)?\W*
      | advertisement\W* | sponsored(?:\s+content)?\W*
      | share\s+(?:this\s+)?(?:article|post|story|page)?\W*
      | related(?:\s+(?:articles|posts|stories|coverage|news))?\s*:?
      | (?:most\s+read|most\s+popular|you\s+may\s+also\s+like|recommended(?:\s+for\s+you)?)\s*:?
      | (?:we|this\s+(?:web)?site)\s+uses?\s+cookies\b.{0,200}
      | accept(?:\s+all)?\s+cookies\W*
      | \W{0,3}lorem\s+ipsum\b.*
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
_FURNITURE_MAX = 240
# Every furniture pattern contains one of these words: lines without any are real text.
# (Searched in lower-cased text: a case-insensitive regex alternation is ten times slower.)
_FURNITURE_HINT = re.compile(
    "lorem|read|become|support|join|maintenance|default|subscribe|sign|advertis|sponsor"
    "|share|related|most|popular|also|recommended|cookie"
)


def _may_be_furniture(text: str) -> bool:
    return _FURNITURE_HINT.search(plain(text).lower()) is not None


_LOREM = re.compile(r"\blorem\s+ipsum\b", re.IGNORECASE)
# A short lower-case fragment glued onto the end of a sentence just before placeholder text,
# e.g. 'integrate us.”this text. Lorem ipsum': the fragment belongs to the placeholder.
_GLUED_FRAGMENT = re.compile(
    r"(?:^|(?<=[.!?\"\u201d\u2019)\]]))[a-z][^.!?\"\u201c\u201d]{0,40}[.!?]?\s*$"
)
_READ_MORE = re.compile(r"^read\s*more\b|^read\s*more(?=\S)", re.IGNORECASE)
_READ_MORE_GLUED = re.compile(r"^read\s*more(?=[^\s:\u00bb\u203a>.\u2026])", re.IGNORECASE)
_GLUED_TAIL_HINT = re.compile("Become|Support|Read more|Subscribe|The website|This is")
_GLUED_TAIL = re.compile(
    r"(?<=[.!?\"\u201d\u2019)])(?=(?:Become an? |Support independent journalism|Read more|"
    r"Subscribe|The website is undergoing|This is default text))"
)


def is_furniture(text: str) -> bool:
    """Say whether a whole line is site furniture (banner, 'read more', placeholder)."""
    if len(text) > _FURNITURE_MAX:
        return bool(_LOREM.match(text.lstrip(" \"'\u201c\u2018(")))
    return bool(_FURNITURE_LINE.match(plain(text)))


def is_read_more(text: str) -> bool:
    """Say whether a line is (or starts with) a 'read more' link of a card list."""
    return bool(_READ_MORE.match(plain(text)))


@dataclasses.dataclass(frozen=True)
class Segment:
    """A piece of one source line: either real text or furniture glued onto it."""

    text: str
    furniture: bool


def split_glued_furniture(
    text: str, *, starts_entry: Callable[[str], bool] | None = None
) -> list[Segment]:
    """Split furniture that the copy glued onto real text ("Read more9:27 a.m.: ...").

    After a glued "Read more" comes the next card's title, which is furniture too, unless it
    starts an entry (``starts_entry``): then it is real text the parser has to place.
    """
    if not text:
        return []
    if not _may_be_furniture(text):
        return [Segment(text, False)]  # the common case, decided by one scan in C
    segments: list[Segment] = []
    glued = _READ_MORE_GLUED.match(plain(text[:12]))
    if glued:
        segments.append(Segment(text[: glued.end()], True))
        text = text[glued.end() :].strip()
    tail: Segment | None = None
    lorem = _LOREM.search(text)
    if lorem:
        cut = lorem.start()
        fragment = _GLUED_FRAGMENT.search(text, 0, cut)
        if fragment:
            cut = fragment.start()
        tail = Segment(text[cut:].strip(), True)
        text = text[:cut].strip()
    elif _GLUED_TAIL_HINT.search(text):
        glued_tail = _GLUED_TAIL.search(text)
        if glued_tail and is_furniture(text[glued_tail.start() :]):
            tail = Segment(text[glued_tail.start() :].strip(), True)
            text = text[: glued_tail.start()].strip()
    if text:
        # What follows a glued "Read more" is the next card's title, unless it is an entry.
        card = bool(glued) and (starts_entry is None or not starts_entry(text))
        segments.append(Segment(text, card or (not glued and is_furniture(text))))
    if tail is not None and tail.text:
        segments.append(tail)
    return segments


_HEADING_LIKE_END = re.compile(r"[.!?:;,\u2026]$")


def _card_heading(text: str) -> bool:
    return (
        0 < len(text) <= 80
        and not _HEADING_LIKE_END.search(text)
        and text[0] not in "\"'\u201c\u2018\u00ab-\u2013\u2014\u2022"
    )


def find_trailing_furniture(
    lines: Sequence[str], last_entry: int, starts_entry: Callable[[str], bool]
) -> int | None:
    """Find where the page furniture after the blog begins (0-based), if it does.

    It begins at the first line of furniture after the last entry's time stamp (a line of real
    text with furniture glued on does not count). When that line is a "Read more" that closes
    a card, the card's teaser and title above it, and any short section heading above those,
    are furniture too: such lists run [heading] title, teaser, "Read more", title, teaser, ...
    """
    for index in range(last_entry + 1, len(lines)):
        text = lines[index].strip()
        if not text:
            continue
        if starts_entry(text):
            return None
        segments = split_glued_furniture(text)
        if not segments[0].furniture or not (segments[-1].furniture or is_read_more(text)):
            continue  # real text with a banner glued on: the blog goes on
        if is_read_more(text) and not _read_more_card(text):
            continue  # "Read more: <article>", a link inside the last entry, not a card list
        start = index
        if is_read_more(text):
            previous = _previous_non_blank(lines, index, last_entry)
            if previous is not None:
                start = previous
                while True:
                    above = _previous_non_blank(lines, start, last_entry)
                    if above is None or not _card_heading(lines[above].strip()):
                        break
                    start = above
        return start
    return None


def _read_more_card(text: str) -> bool:
    """Say whether a line ends a card ("Read more" alone, or glued to the next card's title)."""
    if _READ_MORE_GLUED.match(plain(text[:16])):
        return True
    return text.lower().rstrip(" .:>\u00bb\u203a\u2026") == "read more"


def _previous_non_blank(lines: Sequence[str], index: int, floor: int) -> int | None:
    index -= 1
    while index > floor:
        if lines[index].strip():
            return index
        index -= 1
    return None


_TITLE_LINE = re.compile(r"^live\s*(?:updates?|blog|coverage)\s*[|:\-\u2013\u2014]\s*\S", re.I)


def is_title_line(text: str) -> bool:
    """Say whether a line is the blog's own title ("Live updates | ...")."""
    return bool(_TITLE_LINE.match(text))


# --- bodies ---------------------------------------------------------------------------------

_BULLET = re.compile(
    r"^(?:[-*\u2013]\s+|[\u2022\u00b7\u25aa\u25cf\u25e6\u2023\u2043\u2219]\s*)(?P<item>\S.*)$"
)
_NUMBERED = re.compile(r"^\d{1,3}[.)]\s+\S")
_INLINE_NOTE = re.compile(
    r"(?<=[.!?\"\u201d\u2019\])])\s*(?=\[?(?:Editor(?:'|\u2019)?s(?:'|\u2019)?\s+note\b"
    r"|Update(?:d)?\s*(?::|\d)|UPDATE\b))"
)


def split_inline_notes(text: str) -> list[str]:
    """Give an editor's note or "Updated:" addition glued onto a paragraph its own paragraph."""
    if "pdate" not in text and "ditor" not in text and "PDATE" not in text:
        return [text]
    parts: list[str] = []
    start = 0
    for match in _INLINE_NOTE.finditer(text):
        if match.start() <= start:
            continue
        parts.append(text[start : match.start()].strip())
        start = match.end()
    parts.append(text[start:].strip())
    return [part for part in parts if part]


def as_paragraph(text: str) -> tuple[str, bool]:
    """Return a line as Markdown, and whether it is a list item (bullets become '- item')."""
    bullet = _BULLET.match(text)
    if bullet:
        return "- " + bullet.group("item"), True
    return text, bool(_NUMBERED.match(text))


def markdown_body(paragraphs: Sequence[str]) -> str:
    """Join paragraphs with a blank line, keeping consecutive list items in one list."""
    parts: list[str] = []
    previous_item = False
    for paragraph in paragraphs:
        text, item = as_paragraph(paragraph)
        if parts:
            parts.append("\n" if item and previous_item else "\n\n")
        parts.append(text)
        previous_item = item
    return "".join(parts)


def normalised_text(text: str) -> str:
    """Collapse whitespace, case and look-alike letters so two copies of a text compare equal."""
    return " ".join(plain(text).split()).casefold()


# --- chronology -----------------------------------------------------------------------------

FAR_OUTSIDE = timedelta(days=2)


@dataclasses.dataclass(slots=True)
class Stamped:
    """An entry's time as read from the page, before the parser settles the order."""

    line: int
    when: datetime | None  # None while a.m./p.m. is undecided
    options: tuple[datetime, datetime] | None = None  # (a.m. reading, p.m. reading)
    raw: str = ""


def newest_first(whens: Sequence[datetime | None]) -> bool:
    """Say whether the page lists entries newest first (the live-blog habit; ties say yes)."""
    down = up = 0
    previous: datetime | None = None
    for when in whens:
        if when is None:
            continue
        if previous is not None:
            if when < previous:
                down += 1
            elif when > previous:
                up += 1
        previous = when
    return down >= up


def _outside(candidate: datetime, newer: datetime | None, older: datetime | None) -> float:
    """Seconds by which a time falls outside the bracket of its page neighbours."""
    if newer is not None and candidate > newer:
        return (candidate - newer).total_seconds()
    if older is not None and candidate < older:
        return (older - candidate).total_seconds()
    return 0.0


def resolve_meridiem(stamps: list[Stamped], *, source: str, newest: bool) -> list[ImportNotice]:
    """Decide a.m. or p.m. for times that lack it, from the entries either side on the page."""
    notices: list[ImportNotice] = []
    count = len(stamps)
    above: list[datetime | None] = [None] * count
    below: list[datetime | None] = [None] * count
    last: datetime | None = None
    for index in range(count):
        above[index] = last
        last = stamps[index].when or last
    last = None
    for index in range(count - 1, -1, -1):
        below[index] = last
        last = stamps[index].when or last
    for index, stamp in enumerate(stamps):
        if stamp.when is not None or stamp.options is None:
            continue
        newer, older = (above[index], below[index]) if newest else (below[index], above[index])
        am, pm = stamp.options
        gaps = (_outside(am, newer, older), _outside(pm, newer, older))
        if gaps[0] == gaps[1]:
            # Both fit (or neither, equally): prefer the reading nearer its neighbours.
            anchor = newer or older
            if anchor is not None:
                gaps = (abs((am - anchor).total_seconds()), abs((pm - anchor).total_seconds()))
        chosen = pm if gaps[1] < gaps[0] else am
        stamp.when = chosen
        between = " and ".join(
            describe_time(n.hour, n.minute) for n in (newer, older) if n is not None
        )
        why = f"it sits between {between}" if between else "no neighbouring entry to go by"
        notices.append(
            ImportNotice(
                source,
                stamp.line,
                f"time {stamp.raw!r} has no a.m./p.m.; read as "
                f"{describe_time(chosen.hour, chosen.minute)} because {why}",
            )
        )
    return notices


def settle_order(
    stamps: list[Stamped], *, source: str, newest: bool
) -> tuple[list[int], list[ImportNotice]]:
    """Return the entries' indexes in chronological order, moving only CMS artefacts.

    The entries that keep the page's order are the longest run already in order (found in
    O(n log n)). Any other entry within two days of its neighbours keeps the page's stated
    time, with a warning. One further off (a stamp like "23 Apr 2024" inside a September 2023
    blog, left by a CMS edit) takes the time of the entry just older than it on the page, so it
    stays where the page put it. Equal times keep the page's order (reversed when newest-first).
    Every stamp must have its time decided (see ``resolve_meridiem``) before this runs.
    """
    count = len(stamps)
    # Position of each entry in "oldest first" page order.
    order = list(range(count - 1, -1, -1)) if newest else list(range(count))
    whens: list[datetime] = []
    for index in order:
        when = stamps[index].when
        if when is None:
            raise ValueError(f"line {stamps[index].line}: time not decided before ordering")
        whens.append(when)
    keep = _longest_non_decreasing(whens)
    older_kept: list[datetime | None] = [None] * count
    newer_kept: list[datetime | None] = [None] * count
    last: datetime | None = None
    for position in range(count):
        older_kept[position] = last
        if keep[position]:
            last = whens[position]
    last = None
    for position in range(count - 1, -1, -1):
        newer_kept[position] = last
        if keep[position]:
            last = whens[position]
    notices: list[ImportNotice] = []
    for position in range(count):
        if keep[position]:
            continue
        stamp = stamps[order[position]]
        when = whens[position]
        older, newer = older_kept[position], newer_kept[position]
        gap = timedelta(seconds=_outside(when, newer, older))
        moved = older or newer
        if gap > FAR_OUTSIDE and moved is not None:
            stamp.when = whens[position] = moved
            notices.append(
                ImportNotice(
                    source,
                    stamp.line,
                    f"time stamp {stamp.raw!r} is {gap.days} days away from the entries around "
                    "it (a CMS edit date?); kept the entry where the page puts it, at "
                    f"{moved:%d %b %Y %H:%M}, the time of the entry {_word(newest, older)} it",
                )
            )
            continue
        hint = ""
        if stamp.options is None:
            flipped = when + timedelta(hours=12 if when.hour < 12 else -12)
            if _outside(flipped, newer, older) == 0:
                hint = f" (did the page mean {describe_time(flipped.hour, flipped.minute)}?)"
        notices.append(
            ImportNotice(
                source,
                stamp.line,
                f"entry at {when:%d %b %Y %H:%M} breaks the page's "
                f"{'newest' if newest else 'oldest'}-first order; kept the page's stated "
                f"time{hint}",
            )
        )
    chronological = sorted(range(count), key=whens.__getitem__)  # stable: ties keep page order
    return [order[position] for position in chronological], notices


def _word(newest: bool, older: datetime | None) -> str:
    """Say where the entry whose time was borrowed sits on the page ("below" or "above")."""
    borrowed_from_older = older is not None
    return "below" if newest == borrowed_from_older else "above"


def _longest_non_decreasing(values: Sequence[datetime]) -> list[bool]:
    """Mark one longest non-decreasing subsequence (patience sorting, O(n log n))."""
    tails: list[datetime] = []
    tail_index: list[int] = []
    parent = [-1] * len(values)
    for index, value in enumerate(values):
        slot = bisect.bisect_right(tails, value)
        if slot == len(tails):
            tails.append(value)
            tail_index.append(index)
        else:
            tails[slot] = value
            tail_index[slot] = index
        parent[index] = tail_index[slot - 1] if slot else -1
    keep = [False] * len(values)
    index = tail_index[-1] if tail_index else -1
    while index != -1:
        keep[index] = True
        index = parent[index]
    return keep


def furniture_notices(set_aside: Sequence[SetAsideText], *, source: str) -> list[ImportNotice]:
    """Summarise runs of set-aside furniture as one warning each, so they stay readable."""
    notices: list[ImportNotice] = []
    run: list[SetAsideText] = []

    def flush() -> None:
        if not run:
            return
        first, last = run[0].line, run[-1].line
        where = f"line {first}" if first == last else f"lines {first}-{last}"
        sample = run[0].text if len(run[0].text) <= 50 else run[0].text[:47] + "..."
        more = f" and {len(run) - 1} more" if len(run) > 1 else ""
        notices.append(
            ImportNotice(source, first, f"page furniture on {where} set aside: {sample!r}{more}")
        )

    for item in set_aside:
        if item.why != "furniture":
            continue
        if run and item.line - run[-1].line > 2:
            flush()
            run = []
        run.append(item)
    flush()
    return notices
