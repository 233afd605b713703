"""Lines of a JSON Lines export (``export_liveblog``), for the tests that import them."""

from __future__ import annotations

import json
from typing import Any

WHEN = "2023-09-20T10:00:00+00:00"


def export_line(
    blog: str,
    seq: int,
    type_: str,
    payload: dict[str, Any],
    entry_id: Any = None,
    /,
    *,
    actor: str,
    **fields: Any,
) -> str:
    """One event of ``blog`` as an export writes it; ``fields`` replace any of its keys."""
    record = {
        "blog": blog,
        "seq": seq,
        "type": type_,
        "entry_id": str(entry_id) if entry_id else None,
        "payload": payload,
        "schema_version": 1,
        "occurred_at": WHEN,
        "recorded_at": WHEN,
        "actor": actor,
    }
    return json.dumps({**record, **fields})
