"""The seed pages in fixtures/, as the importer tests read them."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from liveblog.importers.base import ParsedBlog
from liveblog.importers.options import ParseOptions

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def parse_seed(
    parse: Callable[[str, ParseOptions], ParsedBlog], name: str, time_zone: str
) -> ParsedBlog:
    """Parse the seed page ``name`` as an editor would import it, named after its file."""
    text = (FIXTURES / name).read_text(encoding="utf-8")
    return parse(text, ParseOptions(source=name, time_zone=time_zone))


def lines_matching(name: str, pattern: str) -> int:
    """How many lines of the seed page ``name`` match ``pattern``: a count made without the
    parser, to check the parser's against."""
    stamp = re.compile(pattern)
    lines = (FIXTURES / name).read_text(encoding="utf-8").split("\n")
    return sum(1 for line in lines if stamp.match(line))
