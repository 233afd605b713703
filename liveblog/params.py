"""Numbers and times that clients write in URLs (``?before=``, ``?after=``, ``?at=``), read
one way everywhere.

``str.isdigit()`` is no test for what ``int()`` reads: it accepts superscripts and other
digits ("²", "①") that ``int()`` refuses with a ValueError, while ``int()`` accepts spellings
a URL should not carry (" 7", "+7", "1_000", the Arabic-Indic "٣"). Here only ASCII digits
make a number, and only one the database can store. ``RefuseNulInQuery`` keeps the one
character no database query may hold out of every view.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, tzinfo
from urllib.parse import unquote

from django.http import HttpRequest, HttpResponseBadRequest, JsonResponse
from django.http.response import HttpResponseBase

#: The largest seq or revision number a client may send; larger would overflow the database.
MAX_NUMBER = 2**63 - 1
#: Digits in MAX_NUMBER: a longer text is refused before int() reads it (Python refuses to
#: convert more than 4,300 digits, with a ValueError, to bound the time it takes).
_MAX_DIGITS = len(str(MAX_NUMBER))


def whole_number(text: str | None, *, maximum: int = MAX_NUMBER) -> int | None:
    """``text`` as a number from 0 to ``maximum`` written in ASCII digits, else None."""
    if not text or len(text) > _MAX_DIGITS or not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if value <= maximum else None


class RefuseNulInQuery:
    """Answer 400 to a query string holding a NUL character, before any view reads it.

    PostgreSQL cannot store or compare text with NUL in it and raises instead, so a NUL in
    any parameter that reaches a query (the admin's filters and search, say) would be a 500.
    No URL of this site carries one on purpose.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if "\x00" in unquote(request.META.get("QUERY_STRING", "")):
            message = "The address holds a NUL character (%00); remove it."
            if request.path.startswith("/api/"):
                from liveblog.api.exceptions import error_body

                return JsonResponse(error_body(message, "invalid"), status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


#: What a moment in a URL may be written with: ISO 8601 in ASCII ("2023-09-19T14:05",
#: "2023-09-19T14:05:00+04:00", "...Z"); fromisoformat alone accepts other digits too. An
#: offset's "+" left unescaped in a query string arrives as a space, and is read as "+".
_MOMENT = re.compile(
    r"(?P<local>\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)"
    r"(?P<offset>Z|[+ -]\d{2}:\d{2})?",
    re.ASCII,
)


def moment(text: str | None, *, zone: tzinfo) -> datetime | None:
    """``?at=``'s time, aware; a time without offset is in ``zone`` (the blog's). Else None."""
    found = _MOMENT.fullmatch(text) if text and len(text) <= 40 else None
    if found is None:
        return None
    offset = (found["offset"] or "").replace(" ", "+")
    try:
        value = datetime.fromisoformat(found["local"] + offset)
    except ValueError:  # 2023-02-30, 25:00
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=zone)
