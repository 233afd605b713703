"""Rendering gives cmark-gfm's memory back: many renders, and the process stays its size."""

from __future__ import annotations

from pathlib import Path

from liveblog import cmark_memory, embeds, markup

#: More than any text's tree and HTML: leaking, 20,000 renders keep tens of megabytes.
GROWTH_LIMIT_KIB = 8_000


def _resident_kib() -> int:
    return int(Path("/proc/self/statm").read_text().split()[1]) * 4


def _growth_kib(render: object, texts: list[str], times: int) -> int:
    assert callable(render)
    for text in texts * 20:  # the allocator's and Python's own pools, filled first
        render(text)
    before = _resident_kib()
    for _ in range(times):
        for text in texts:
            render(text)
    return _resident_kib() - before


def test_a_parser_frees_each_tree_and_its_html() -> None:
    parser = cmark_memory.Parser(markup._OPTIONS, markup._EXTENSIONS)
    texts = [
        "An *update* with a [link](https://example.org) and ~~a strike~~, 20,000 times. " * 20,
        "| Region | Turnout |\n|:--|--:|\n| North | 61% |\n\n- [x] polls closed",
    ]
    grown = _growth_kib(parser.to_html, texts, 10_000)
    assert grown < GROWTH_LIMIT_KIB, f"{grown:,} KiB kept by 20,000 renders"


def test_an_edited_tree_is_freed_too() -> None:
    # Headings are shifted, an uploaded image becomes a figure, a lone URL an embed card:
    # the tree rendered after those edits is given back as well.
    text = (
        "# Breaking\n\nThe *harbour* wall:\n\n![Harbour](/media/harbour.jpg)\n\n"
        "https://www.youtube.com/watch?v=hypo\n\n"
        + "More *news* [here](https://example.org). "
        * 20
    )
    image = {
        **{"name": "harbour.jpg", "alt": "Wall", "caption": "The wall", "credit": "Ana"},
        "files": [{"name": "harbour.jpg", "width": 640, "height": 480}],
    }
    card = embeds.link_card("https://www.youtube.com/watch?v=hypo", "YouTube")
    html = markup.analyse(text, media=[image], embeds=[card]).html
    assert "<h4>Breaking" in html and "entry-image" in html and 'class="embed"' in html

    def analyse(body: str) -> str:
        return markup.analyse(body, media=[image], embeds=[card]).html

    grown = _growth_kib(analyse, [text], 2_000)
    assert grown < GROWTH_LIMIT_KIB, f"{grown:,} KiB kept by 2,000 edited renders"
