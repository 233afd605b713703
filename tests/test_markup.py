from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options
from hypothesis import given, settings
from hypothesis import strategies as st

from liveblog import embeds, markup
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


def test_headings_sit_below_the_entry_headline() -> None:
    html = render_markdown("# Breaking\n\n## Later\n\n#### Deep")
    assert html == "<h4>Breaking</h4>\n<h5>Later</h5>\n<h6>Deep</h6>"


def test_task_lists_keep_their_check_marks() -> None:
    html = render_markdown("- [x] polls closed\n- [ ] count")
    assert '<input type="checkbox" checked="" disabled="">' in html
    assert '<input type="checkbox" disabled="">' in html


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ('<iframe src="https://evil.example"></iframe>', "iframe"),
        ("<script>alert(1)</script>", "script"),
        ('<img src="https://example.org/a.jpg">', "html_image"),
        ("<div>*raw* html</div>", "raw_html"),
        ("some <b>bold</b> text", "raw_html"),
        ("![Flooding](https://example.org/photo.jpg)", "remote_image"),
        ("[x](javascript:alert(1))", "link_scheme"),
        ("[x](data:text/html;base64,PHNjcmlwdD4=)", "link_scheme"),
        ("[x](http://[::1)", "bad_link"),
        ("![x](http://[oops)", "remote_image"),
    ],
)
def test_what_readers_will_not_get_is_named(text: str, code: str) -> None:
    warnings = markup.analyse(text).warnings
    assert [warning.code for warning in warnings] == [code]


def test_fine_markdown_gives_no_warning() -> None:
    text = (
        "**Bold**, [a link](https://example.org), `code`\n\n> quote\n>\n> — Someone\n\n"
        "| a |\n|---|\n| 1 |"
    )
    assert markup.analyse(text).warnings == ()


def test_a_remote_image_becomes_a_link_with_its_alt_text() -> None:
    html = render_markdown("![Flooding in Fowey](https://example.org/photo.jpg)")
    assert "Flooding in Fowey" in html and 'href="https://example.org/photo.jpg"' in html
    assert "<img" not in html


def test_a_url_alone_on_a_line_is_found_for_embedding_and_others_are_not() -> None:
    analysis = markup.analyse(
        "Watch:\nhttps://www.youtube.com/watch?v=a\n\nSee https://example.org/b in text"
    )
    assert analysis.embed_urls == ("https://www.youtube.com/watch?v=a",)


def test_text_shaped_like_a_placeholder_stays_text() -> None:
    assert render_markdown("lbxabcdefabcdefx0x") == "<p>lbxabcdefabcdefx0x</p>"


@pytest.mark.parametrize("text", ["[x](http://[::1)", "![x](http://[oops)", "<http://[x>"])
def test_addresses_that_are_not_urls_render_as_text_without_failing(text: str) -> None:
    # urlsplit raises on these; rendering (and so publishing and rebuilding) must not.
    assert "x" in render_markdown(text)


_MARKDOWNISH = st.lists(
    st.sampled_from([*"ab :/.[]()!<>#-=*`\n", "http://", "https://x.org/", "é", "[::1"]),
    max_size=40,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=_MARKDOWNISH)
def test_any_text_renders_and_reports_without_failing(text: str) -> None:
    analysis = markup.analyse(text)
    assert "lbx" not in analysis.html or "lbx" in text


def test_splitting_a_paragraph_around_an_embed_keeps_the_words_it_moves() -> None:
    # The moved words point into the old paragraph's text: freed too early, they were garbage.
    card = embeds.link_card("http://g.example", "X")
    for _ in range(50):
        html = markup.analyse(
            "*http://a.example\nhttp://g.example\nmore *text*", embeds=[card]
        ).html
        assert html.startswith('<p>*<a href="http://a.example"')
        assert html.endswith("<p>more <em>text</em></p>")
        assert render_markdown("*http://a.example\nhttp://g.example").count("<a href=") == 2
