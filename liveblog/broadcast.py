"""Push committed events to readers through the channel layer.

Called only from ``liveblog.commands``, after the transaction commits. Each group message
carries the event's seq and its JSON text, serialised once; ``liveblog.fanout`` hands it to
the readers of each process. The channel layer is at-most-once, so a message is a hint, not
the truth: readers track the last seq they got and re-read the log whenever they see a gap.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from liveblog.models import Event
from liveblog.selectors import events_as_dicts

logger = logging.getLogger(__name__)

#: Above this many events in one commit (an import), readers get one "read the log" nudge
#: instead of one message per event.
MAX_EVENTS_PER_BROADCAST = 50

MESSAGE_TYPE = "blog.event"


def to_json(data: dict[str, Any]) -> str:
    """The exact text readers receive for one event."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def group_name(blog_id: int) -> str:
    return f"liveblog.blog.{blog_id}"


def send_events(events: Sequence[Event]) -> None:
    """Send committed events to the blog's readers; failures are logged, never raised."""
    if not events:
        return
    blog_id = events[-1].blog_id
    try:
        layer = get_channel_layer()
        if layer is None:
            return
        if len(events) > MAX_EVENTS_PER_BROADCAST:
            messages = [{"type": MESSAGE_TYPE, "seq": events[-1].seq, "text": None}]
        else:
            # Serialised once here, not once per reader.
            messages = [
                {"type": MESSAGE_TYPE, "seq": data["seq"], "text": to_json(data)}
                for data in events_as_dicts(events)
            ]
        for message in messages:
            async_to_sync(layer.group_send)(group_name(blog_id), message)
    except Exception:
        # The events are committed; readers will find them in the log on their next gap
        # check or reconnect. An unreachable layer must not turn a publish into an error.
        logger.exception("Broadcast of blog %s up to seq %s failed", blog_id, events[-1].seq)
