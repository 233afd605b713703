"""What a correction changed, word by word: for the desk's preview and the corrections page."""

from __future__ import annotations

import difflib
import re

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

_TOKENS = re.compile(r"(\s+)")


def word_diff(old: str, new: str) -> SafeString:
    """Mark removed words with <del> and added ones with <ins>; the text itself is escaped.

    Entries are mostly one paragraph, so a line diff would flag the whole entry for a
    one-word fix; words show the editor exactly what readers will see change.
    """
    before, after = _TOKENS.split(old), _TOKENS.split(new)
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    parts: list[str] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        removed, added = "".join(before[i1:i2]), "".join(after[j1:j2])
        if tag == "equal":
            parts.append(conditional_escape(removed))
            continue
        if removed:
            parts.append(f"<del>{conditional_escape(removed)}</del>")
        if added:
            parts.append(f"<ins>{conditional_escape(added)}</ins>")
    # Safe: every piece above was escaped.
    return mark_safe("".join(parts))
