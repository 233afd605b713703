"""The API's JSON parser: DRF's, with a limit on how deeply a request may nest.

Python's ``json`` parses nested arrays and objects recursively, so a body of about a thousand
``[`` raises a RecursionError, which DRF does not turn into a 400 (it became an HTML 500).
No request of this API nests deeper than its one object of fields, so anything deeper than
``MAX_DEPTH`` is refused as a parse error, whether the parser got that far or not: the same
400, in the API's error shape, at any depth.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError

#: Levels of arrays and objects a request body may have; a request needs one.
MAX_DEPTH = 20
TOO_DEEP = (
    f"The JSON is nested more than {MAX_DEPTH} levels deep; a request to this API is one "
    "object of fields."
)


class JSONParser(parsers.JSONParser):
    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(TOO_DEEP) from None
        if _deeper_than(data, MAX_DEPTH):
            raise ParseError(TOO_DEEP)
        return data


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether ``value`` has more than ``limit`` levels of lists and dicts (no recursion)."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        children: Iterable[Any]
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children)
    return False
