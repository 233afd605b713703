"""Whole numbers that clients write in URLs (``?before=``, ``?after=``), read one way everywhere.

``str.isdigit()`` is no test for what ``int()`` reads: it accepts superscripts and other
digits ("²", "①") that ``int()`` refuses with a ValueError, while ``int()`` accepts spellings
a URL should not carry (" 7", "+7", "1_000", the Arabic-Indic "٣"). Here only ASCII digits
make a number, and only one the database can store.
"""

from __future__ import annotations

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
