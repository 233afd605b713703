from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options

from liveblog import markup
from liveblog.markup import render_markdown


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD4=)",
        '<iframe src="https://evil.example"></iframe>',
        '<a href="#" onclick="steal()">x</a>',
        "<div><p>broken <b>markup",
        "<svg onload=alert(1)>",
        "<style>body{display:none}</style>",
    ],
)
def test_executable_content_never_survives_rendering(hostile: str) -> None:
    html = render_markdown(f"Before {hostile} after").lower()
    for forbidden in (
        "<script",
        "onerror",
        "onclick",
        "onload",
        "javascript:",
        "data:",
        "<iframe",
        "<svg",
        "<style",
    ):
        assert forbidden not in html


def test_markdown_renders_the_formatting_editors_use() -> None:
    html = render_markdown(
        "**Breaking**: see [report](https://example.org)\n\n- one\n- two\n\n> quote"
    )
    assert "<strong>Breaking</strong>" in html
    assert 'href="https://example.org"' in html
    assert "<li>one</li>" in html and "<blockquote>" in html


_GITHUB_FLAVORED = [
    '**bold** _em_ `code` ~~gone~~ "quotes" -- dashes... www.example.com',
    "| a | b |\n|---|:-:|\n| 1 | 2 |",
    "- [ ] open\n- [x] done\n\n3. three\n4. four",
    "See [the report][r].\n\n[r]: https://example.org/r 'Report'",
    "See [the report][r] again: no definition here, so no link.",
    "```js\nalert(1)\n```\n\n<div>*raw* html</div>\n\n<!-- comment -->",
    "<title>filtered</title> <textarea>by</textarea> <xmp>tagfilter</xmp>",
    "",
]


def test_each_text_renders_as_cmark_gfms_own_entry_point_renders_it() -> None:
    # One parser is reused per thread: nothing (such as a link definition) may carry over.
    options = Options.CMARK_OPT_SMART | Options.CMARK_OPT_NORMALIZE
    for text in _GITHUB_FLAVORED * 2:
        expected = cmarkgfm.github_flavored_markdown_to_html(text, options=options)
        assert render_markdown(text) == markup._CLEANER.clean(expected).strip()


def test_a_text_that_cannot_be_rendered_leaves_the_next_one_alone() -> None:
    with pytest.raises(UnicodeEncodeError):
        render_markdown("half \ud800 a surrogate pair")
    assert render_markdown("whole") == "<p>whole</p>"


def test_threads_rendering_at_once_keep_every_extension() -> None:
    # cmark-gfm switches the extensions' characters on and off in one process-wide table
    # around each parse: unserialised, about one text in twenty lost its ~~ or autolink.
    texts = _GITHUB_FLAVORED * 50
    expected = [render_markdown(text) for text in texts]
    with ThreadPoolExecutor(max_workers=4) as pool:
        for _ in range(5):
            assert list(pool.map(render_markdown, texts)) == expected


def test_rendering_does_not_keep_memory_per_text() -> None:
    # cmarkgfm leaves the tree and the HTML to the caller; kept, they were ~42 KB per text
    # like this one, so a server grew with every publish and preview.
    text = "An *update* with a [link](https://example.org) and ~~a strike~~. " * 20

    def resident_kib() -> int:
        return int(Path("/proc/self/statm").read_text().split()[1]) * 4

    for _ in range(200):
        render_markdown(text)
    before = resident_kib()
    for _ in range(3_000):
        render_markdown(text)
    assert resident_kib() - before < 20_000  # leaking, this grew by about 125,000 KiB
