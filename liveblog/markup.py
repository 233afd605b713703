"""Entry text is Markdown; readers get sanitized HTML.

cmark-gfm (GitHub's C implementation) renders, and nh3 (the Ammonia sanitizer) removes
anything executable: script and style elements, event-handler attributes, iframes, and
links whose scheme is not http, https or mailto.
"""

from __future__ import annotations

import cmarkgfm
import nh3
from cmarkgfm.cmark import Options

_ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "strong",
    "em",
    "del",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
_URL_SCHEMES = {"http", "https", "mailto"}
_OPTIONS = Options.CMARK_OPT_SMART | Options.CMARK_OPT_NORMALIZE


# Built once: passing the allow-lists on every call costs more than the sanitising itself.
_CLEANER = nh3.Cleaner(
    tags=_ALLOWED_TAGS,
    attributes=_ALLOWED_ATTRIBUTES,
    url_schemes=_URL_SCHEMES,
    link_rel="noopener noreferrer nofollow",
    strip_comments=True,
)


def render_markdown(text: str) -> str:
    """Return safe HTML for Markdown written by an editor (or imported from a page)."""
    html = cmarkgfm.github_flavored_markdown_to_html(text, options=_OPTIONS)
    return _CLEANER.clean(html).strip()
