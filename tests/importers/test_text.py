"""Shared importer helpers: decoding uploads, reading hand-typed times, spotting furniture."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from liveblog.importers import registry
from liveblog.importers.base import ImportParseError
from liveblog.importers.bodies import markdown_body, split_inline_notes
from liveblog.importers.chronology import Stamped, resolve_meridiem, settle_order
from liveblog.importers.decoding import decode_source
from liveblog.importers.furniture import (
    find_trailing_furniture,
    is_furniture,
    split_glued_furniture,
)
from liveblog.importers.options import ParseOptions
from liveblog.importers.stamps import infer_year, read_leading_time

YEREVAN = ZoneInfo("Asia/Yerevan")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2023, 9, day, hour, minute, tzinfo=YEREVAN)


# --- decode_source --------------------------------------------------------------------------


ARTSAKH = "10:41 p.m.: \u201cArtsakh\u201d\r\n"


@pytest.mark.parametrize(
    ("data", "text", "encoding"),
    [
        pytest.param(
            "Caf\u00e9\r\nline two\rline three\n".encode(),
            "Caf\u00e9\nline two\nline three\n",
            "utf-8",
            id="utf-8, line endings normalised",
        ),
        pytest.param(
            b"\xef\xbb\xbfSeptember 30\n", "September 30\n", "utf-8-sig", id="utf-8 BOM stripped"
        ),
        pytest.param(
            b"\xff\xfe" + ARTSAKH.encode("utf-16-le"),
            "10:41 p.m.: \u201cArtsakh\u201d\n",
            "utf-16",
            id="utf-16-le with BOM",
        ),
        pytest.param(
            b"\xfe\xff" + ARTSAKH.encode("utf-16-be"),
            "10:41 p.m.: \u201cArtsakh\u201d\n",
            "utf-16",
            id="utf-16-be with BOM",
        ),
        # Curly quotes and an e-acute as an old Windows editor saves them: not valid UTF-8;
        # the fallback is named, so the import can say so.
        pytest.param(
            b"Caf\xe9 \x93quoted\x94\r\n",
            "Caf\u00e9 \u201cquoted\u201d\n",
            "cp1252",
            id="cp1252 fallback",
        ),
    ],
)
def test_decode_reads_the_encoding_and_normalises_line_endings(
    data: bytes, text: str, encoding: str
) -> None:
    decoded = decode_source(data, source="a.txt")
    assert decoded.text == text
    assert decoded.encoding == encoding


@pytest.mark.parametrize(
    "data",
    [
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xb3\xc4",  # a .docx (zip) header
        b"%PDF-1.7\n\x00\x00\x00\xe2\xe3\xcf\xd3",
        bytes(range(256)),
        b"plain text\x00with a NUL",
        b"valid utf-8 \x01\x02\x03\x04\x05\x06\x07" * 3,
    ],
)
def test_decode_rejects_binary_garbage(data: bytes) -> None:
    with pytest.raises(ImportParseError) as error:
        decode_source(data, source="upload.bin")
    assert "binary" in error.value.reason or "not text" in error.value.reason
    assert error.value.source == "upload.bin"


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n ", b"\xef\xbb\xbf", b"\xff\xfe"])
def test_decode_rejects_empty_files(data: bytes) -> None:
    with pytest.raises(ImportParseError, match="empty"):
        decode_source(data, source="empty.txt")


def test_decode_detects_other_code_pages_and_says_it_guessed() -> None:
    russian = "Новости дня: обстрел Харькова, заявление мэра.".encode("cp1251")
    decoded = decode_source(russian, source="odd.txt")
    assert decoded.text.startswith("Новости дня")
    assert (decoded.encoding, decoded.guessed) == ("cp1251", True)


def test_decode_reads_a_declared_charset() -> None:
    page = '<html><head><meta charset="windows-1251"></head><body>Киев</body></html>'
    decoded = decode_source(page.encode("cp1251"), source="page.html")
    assert "Киев" in decoded.text
    assert (decoded.encoding, decoded.guessed) == ("cp1251", False)


# --- clock times ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "hour", "minute", "rest"),
    [
        ("10:41 p.m.: Cindy McCain tweets", 22, 41, "Cindy McCain tweets"),
        ("10 p.m.: Belgium tweets", 22, 0, "Belgium tweets"),  # no minutes
        ("1030 a.m.: no colon", 10, 30, "no colon"),
        ("930 pm: no colon", 21, 30, "no colon"),
        ("9:15p.m. glued", 21, 15, "glued"),
        ("9:43 p.m.:The PACE", 21, 43, "The PACE"),
        ("11:57 a.m: one dot", 11, 57, "one dot"),
        ("7:57 am: am", 7, 57, "am"),
        ("1:16 am The minister", 1, 16, "The minister"),  # no colon after the time
        ("3:20 p.m. A meeting", 15, 20, "A meeting"),
        ("12 a.m.: midnight", 0, 0, "midnight"),
        ("12 p.m.: noon", 12, 0, "noon"),
        ("12:30 PM - caps", 12, 30, "caps"),
        ("8.10 a.m.: dot for colon", 8, 10, "dot for colon"),
        ("12;08 p.m.: semicolon", 12, 8, "semicolon"),
        ("12\u058908 p.m: Armenian full stop", 12, 8, "Armenian full stop"),
        ("11:47 \u0430.m: Cyrillic a", 11, 47, "Cyrillic a"),
        ("7 \u0440.\u043c.: Cyrillic p and m", 19, 0, "Cyrillic p and m"),
        ("9\uff1a05 p.m.: full-width colon", 21, 5, "full-width colon"),
        ("13:05 p.m.: 24-hour with p.m.", 13, 5, "24-hour with p.m."),
        ("22:58", 22, 58, ""),
        ("22:58: bare 24-hour", 22, 58, "bare 24-hour"),
    ],
)
def test_reads_time_spellings(line: str, hour: int, minute: int, rest: str) -> None:
    stamp = read_leading_time(line)
    assert stamp is not None and stamp.valid
    assert (stamp.hour, stamp.minute) == (hour, minute)
    assert line[stamp.rest :].strip() == rest


def test_odd_spellings_are_noted_for_a_warning() -> None:
    cyrillic = read_leading_time("11:47 \u0430.m: text")
    assert cyrillic is not None and "CYRILLIC SMALL LETTER A" in cyrillic.notes[0]
    dotted = read_leading_time("8.10 a.m.: text")
    assert dotted is not None and dotted.notes == ("'.' instead of ':'",)
    squashed = read_leading_time("1030 a.m.: text")
    assert squashed is not None and squashed.notes == ("no colon between hours and minutes",)
    plain = read_leading_time("10:41 p.m.: text")
    assert plain is not None and plain.notes == ()


def test_time_without_meridiem_is_left_for_the_neighbours_to_decide() -> None:
    stamp = read_leading_time("3:27: According to Civilnet")
    assert stamp is not None
    assert stamp.hour is None and stamp.hour12 == 3 and stamp.minute == 27


def test_label_before_the_time_is_kept() -> None:
    stamp = read_leading_time("Breaking: 1:20 p.m.: Marut Vanyan reports")
    assert stamp is not None and stamp.hour == 13 and stamp.label == "Breaking:"


@pytest.mark.parametrize(
    "line",
    [
        "290 people were wounded, of whom 168 were transferred",
        "105 people remain missing.",
        "1. The armed forces agree to disband.",
        "10 amid the fighting",
        "2023 was a hard year",
        "September 30",
        "\u201cWe have already set up tents\u201d",
        "",
    ],
)
def test_prose_is_not_a_time(line: str) -> None:
    assert read_leading_time(line) is None


def test_impossible_time_is_flagged_invalid() -> None:
    stamp = read_leading_time("25:70 p.m.: nonsense")
    assert stamp is not None and not stamp.valid


@pytest.mark.parametrize(
    ("layout", "text", "line"),
    [
        ("dated_blocks", "20 Sep 2023, 22:58\n\nFine.\n\n20 Sep 2023, 25:61\n\nNot a time.\n", 5),
        ("day_headings", "September 2\n9 a.m.: A.\n25:61 p.m.: B.\n", 3),
        ("timeline", "March 23\n10:30 a.m. Aid arrives\nText.\n25:61 a.m. Not a time\n", 4),
    ],
)
def test_each_layout_refuses_an_impossible_time_in_the_same_words_at_its_line(
    layout: str, text: str, line: int
) -> None:
    with pytest.raises(ImportParseError) as refused:
        registry.parse(layout, text, ParseOptions(source="t.txt", time_zone="UTC", year=2023))
    assert refused.value.line == line
    assert refused.value.reason.startswith("line starts with an impossible time or date '2")


# --- furniture ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "Become an OC Media Member",
        "Become a member",
        "Support independent journalism in the Caucasus: Join today",
        "Read more",
        "The website is undergoing scheduled maintenance",
        "This is default text for notification bar",
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit.",
        "Subscribe to our newsletter",
        "Share this article",
    ],
)
def test_recognises_furniture(line: str) -> None:
    assert is_furniture(line)


@pytest.mark.parametrize(
    "line",
    [
        "Read more about the talks in our explainer.",
        "The US will support the mission, Miller said.",
        "Armenia has joined the talks.",
        "Become a member of the Council of Europe, Armenia did in 2001, he said at length.",
    ],
)
def test_real_text_is_not_furniture(line: str) -> None:
    assert not is_furniture(line)


def test_splits_read_more_glued_onto_an_entry() -> None:
    segments = split_glued_furniture(
        "Read more9:27 a.m.: Siranush Sargsyan tweets", starts_entry=lambda t: t[0].isdigit()
    )
    assert [(s.text, s.furniture) for s in segments] == [
        ("Read more", True),
        ("9:27 a.m.: Siranush Sargsyan tweets", False),
    ]


def test_read_more_glued_onto_a_card_title_is_all_furniture() -> None:
    segments = split_glued_furniture("Read moreEVN Security Report: July 2023")
    assert all(segment.furniture for segment in segments)


def test_splits_placeholder_text_glued_after_a_quote() -> None:
    segments = split_glued_furniture(
        "wants to integrate us.\u201dthis text. Lorem ipsum dolor sit amet, consectetur."
    )
    assert [(s.text, s.furniture) for s in segments] == [
        ("wants to integrate us.\u201d", False),
        ("this text. Lorem ipsum dolor sit amet, consectetur.", True),
    ]


def test_splits_a_banner_glued_onto_the_end_of_a_sentence() -> None:
    segments = split_glued_furniture("The talks ended without a deal.Become a member")
    assert [(s.text, s.furniture) for s in segments] == [
        ("The talks ended without a deal.", False),
        ("Become a member", True),
    ]


def test_trailing_read_more_list_takes_its_first_card_with_it() -> None:
    lines = [
        "10:24 a.m.: An entry.",
        "A paragraph of the entry that runs on and on for well over eighty characters, "
        "as real ones do.",
        "News Watch",
        "Ep. 252: The Week in Review",
        "A teaser for the episode.",
        "Read moreAnother card",
        "Its teaser.",
    ]
    start = find_trailing_furniture(lines, 0, lambda t: t[:1].isdigit())
    assert start == 2


# --- bodies ---------------------------------------------------------------------------------


def test_markdown_body_keeps_lists_together_and_paragraphs_apart() -> None:
    body = markdown_body(
        [
            "Key points:",
            "\u2022 Social programmes.",
            "  \u2022 Structures restored.".strip(),
            "\u2013 66 metric tons of wheat flour",
            "After the list.",
            "1. First.",
            "2. Second.",
        ]
    )
    assert body == (
        "Key points:\n\n- Social programmes.\n- Structures restored.\n"
        "- 66 metric tons of wheat flour\n\nAfter the list.\n\n1. First.\n2. Second."
    )


def test_a_tweet_attribution_dash_is_not_a_bullet() -> None:
    assert markdown_body(["\u2014 Marut Vanyan (@marutvanian) September 21, 2023"]).startswith(
        "\u2014"
    )


def test_editors_note_run_into_a_paragraph_becomes_its_own() -> None:
    assert split_inline_notes(
        "Talks were held. [Editor\u2019s note: No comment has been made.]"
    ) == ["Talks were held.", "[Editor\u2019s note: No comment has been made.]"]
    assert split_inline_notes("Aid arrived. Updated: 70 tons in all.") == [
        "Aid arrived.",
        "Updated: 70 tons in all.",
    ]
    assert split_inline_notes("No notes here.") == ["No notes here."]


# --- chronology -----------------------------------------------------------------------------


def test_infer_year_counts_dates_written_with_the_blogs_months() -> None:
    lines = ["On September 2, 1991, ...", "(@x) September 25, 2023", "19 September 2023", "2020"]
    assert infer_year(lines, {9}) == (2023, 2, 2)
    assert infer_year(["nothing dated"], {9}) is None


def test_missing_meridiem_is_decided_by_the_neighbours() -> None:
    stamps = [
        Stamped(line=1, when=at(19, 15, 30)),
        Stamped(line=2, when=None, options=(at(19, 3, 27), at(19, 15, 27)), raw="3:27:"),
        Stamped(line=3, when=at(19, 15, 22)),
    ]
    notices = resolve_meridiem(stamps, source="s", newest=True)
    assert stamps[1].when == at(19, 15, 27)
    assert "read as 3:27 p.m." in notices[0].message and notices[0].line == 2


def test_out_of_order_entry_keeps_its_time_and_is_reported() -> None:
    # Newest first: 12:20, 12:08, then 12:05 a.m. (typed for p.m.?), then 11:57, 11:24.
    stamps = [
        Stamped(line=1, when=at(26, 12, 20)),
        Stamped(line=2, when=at(26, 12, 8)),
        Stamped(line=3, when=at(26, 0, 5), raw="12:05 a.m"),
        Stamped(line=4, when=at(26, 11, 57)),
        Stamped(line=5, when=at(26, 11, 24)),
    ]
    order, notices = settle_order(stamps, source="s", newest=True)
    assert stamps[2].when == at(26, 0, 5)
    assert order == [2, 4, 3, 1, 0]
    assert len(notices) == 1 and notices[0].line == 3
    assert "kept the page's stated time" in notices[0].message
    assert "did the page mean 12:05 p.m.?" in notices[0].message


def test_stamp_far_outside_the_blog_stays_where_the_page_put_it() -> None:
    stamps = [
        Stamped(line=1, when=at(20, 18, 1)),
        Stamped(line=2, when=datetime(2024, 4, 23, 13, 0, tzinfo=YEREVAN), raw="23 Apr 2024"),
        Stamped(line=3, when=at(20, 15, 59)),
    ]
    order, notices = settle_order(stamps, source="s", newest=True)
    assert stamps[1].when == at(20, 15, 59)
    assert order == [2, 1, 0]
    assert "CMS" in notices[0].message and notices[0].line == 2


def test_equal_times_keep_the_page_order_reversed_for_newest_first() -> None:
    stamps = [Stamped(line=1, when=at(29, 16, 53)), Stamped(line=2, when=at(29, 16, 53))]
    order, notices = settle_order(stamps, source="s", newest=True)
    assert order == [1, 0] and notices == []
    order, _ = settle_order(stamps, source="s", newest=False)
    assert order == [0, 1]
