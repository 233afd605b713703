"""Page furniture and page metadata: what a copied page holds besides its entries.

A copy of a live page drags in the site around the blog (membership banners, "read more"
card lists, share and newsletter prompts, skip links, icon-font glyphs, placeholder text) and
the page's own metadata (its title, its publication and "Updated" stamps, bylines). The
helpers here recognise those once, so each format module only has to know its own layout.
Furniture is never dropped silently: parsers set it aside and the import reports it.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Callable, Sequence

from liveblog.importers.base import ImportNotice, SetAsideText
from liveblog.importers.stamps import plain

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
# (Searched in lower-cased text, faster than a case-insensitive alternation: "Speed tricks".)
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


# --- prompts, skip links, icons and widget labels -------------------------------------------

_PROMPT_LINE = re.compile(
    r"""^(?:
        share(?:\s+(?:this|on\s+\w+|via\s+\w+|page|post|update|article|story))*
      | copy(?:\s+link)?(?:\s+to\s+(?:this\s+)?(?:post|update|clipboard))? | link\s+copied!?
      | facebook | twitter | x | whatsapp | linkedin | telegram | email | e-?mail\s+this | print
      | close(?:\s+panel)? | comments?(?:\s*\(\d+\))? | \d+\s+comments?
      | (?:sign\s+up|subscribe|register)(?:\s+(?:to|for))?\s.{0,80}
        (?:newsletter|briefing|alerts?|inbox|email).{0,60}
      | get\s+(?:our|the)\s.{0,60}newsletter.{0,60}
      | newsletter(?:\s+sign[-\s]?up)?
      | skip\s+to\s+(?:main\s+)?(?:content|navigation|key\s+events|footer|search|\w+)
      | jump\s+to(?:\s+\w+){0,3} | back\s+to\s+top | accessibility\s+help
      | go\s+to\s+(?:main\s+)?content
      | sort\s+by.{0,30} | dropdown\s+arrow | show\s+key\s+events\s+only | key\s+events
      | live | live\s+updates | live\s+reporting | breaking | pinned(?:\s+post)?
      | load\s+more(?:\s+(?:updates|posts))? | show\s+more | see\s+(?:all|more|latest)\s+updates?
      | show\s+(?:\d+\s+)?(?:new|latest)\s+updates? | \d+\s+new\s+updates? | refresh
      | latest | newest | oldest | newest\s+first | oldest\s+first
      | \d+\s+posts? | what\s+we\s+covered\s+here
      | image\s+source,?.{0,80} | media\s+caption,? | video\s+caption,? | play\s+video
      | advertisement | ad(?:vert)?\s+feature | skip\s+advertisement
    )[\s.:!]*$""",
    re.IGNORECASE | re.VERBOSE,
)


def is_prompt(text: str) -> bool:
    """Say whether a line is a share or newsletter prompt, a skip link or a widget's label."""
    return len(text) <= 160 and bool(_PROMPT_LINE.match(plain(text)))


def is_icon_glyphs(text: str) -> bool:
    """Say whether a line holds only icon-font glyphs, arrows or other symbols ("\ue80d", "▶")."""
    stripped = text.strip()
    return bool(stripped) and all(
        unicodedata.category(ch) in ("Co", "So", "Sm", "Sk", "Zs", "Cf") for ch in stripped
    )


def strip_icon_glyphs(text: str) -> tuple[str, bool]:
    """Remove private-use icon-font glyphs from a line; say whether there were any."""
    if text.isascii():
        return text, False
    kept = "".join(ch for ch in text if unicodedata.category(ch) != "Co")
    return (kept.strip(), True) if len(kept) != len(text) else (text, False)


# --- metadata: bylines, zones the page states, titles ---------------------------------------

_BYLINE = re.compile(
    r"^(?:(?i:by|reporting\s+by|written\s+by|posted\s+by)\s+(?P<by>\S.*)"
    r"|(?i:from)\s+(?P<org>[A-Z][\w&.\- ]{0,30}?)(?:'s|\u2019s|(?<=s)'|(?<=s)\u2019)"
    r"\s+(?P<from>\S.*)"
    r"|(?i:from)\s+(?P<staff>(?:[A-Z][\w&.\-]*\s+){0,3}staff(?:\s+and\s+agencies)?))$"
)
_BYLINE_WORD = re.compile(
    r"^(?:[A-Z\u00c0-\u024f][\w.'\u2019\-]*|and|&|in|de|van|von|al|el|staff)$"
)


def read_byline(text: str) -> str | None:
    """Return the author a byline names ("By Ana Petrosyan", "From CNN's Jo Lee in Kyiv")."""
    if len(text) > 160 or text[:1] not in "BbFfRrWwPp" or text.rstrip()[-1:] in ".!?:;":
        return None
    match = _BYLINE.match(text.strip())
    if match is None:
        return None
    if match.group("staff"):
        return match.group("staff")
    names = match.group("by") or match.group("from")
    words = [word for word in re.split(r"[\s,]+", names) if word]
    if not words or len(words) > 16 or not words[0][:1].isupper():
        return None
    if not all(_BYLINE_WORD.match(word) for word in words):
        return None
    author = " ".join(names.split()).rstrip(",")
    if match.group("org"):
        person, _, place = author.partition(" in ")
        author = f"{person} ({match.group('org').strip()})" + (f", in {place}" if place else "")
    return author


_ZONE_STATEMENT = re.compile(
    r"^(?:all\s+)?times?\s+(?:(?:stated|shown|given)\s+)?(?:are|in)\s+(?P<zone>[\w+:\-() ]{2,20}?)"
    r"(?:\s+time)?\.?$",
    re.IGNORECASE,
)


def read_zone_statement(text: str) -> str | None:
    """Return the zone a page says its times are in ("All times stated are UK": "UK")."""
    if len(text) > 60:
        return None
    match = _ZONE_STATEMENT.match(text.strip())
    return match.group("zone").strip() if match else None


_TITLE_LIKE_END = re.compile(r"[.!?,;\u2026]$")


def is_title_like(text: str) -> bool:
    """Say whether a line could be a page's title: short, no sentence punctuation at its end."""
    return 8 <= len(text) <= 200 and not _TITLE_LIKE_END.search(text) and text[:1].isupper()
