from __future__ import annotations

import pytest

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
