"""Push committed events to readers through the channel layer.

Called only from ``liveblog.commands``, after the transaction commits. Each group message
carries the event's seq and its JSON text, serialised once; ``liveblog.fanout`` hands it to
the readers of each process. The channel layer is at-most-once, so a message is a hint, not
the truth: readers track the last seq they got and re-read the log whenever they see a gap.

A text shows the event's entry as it was when the text was made. Processes keep texts (to
serve readers catching up), so each text travels as a ``Push`` that also names its entry and
says whether it shows that entry retracted: once a process sees a retraction, it withholds
every older text of that entry (``liveblog.fanout``).

The blog's members also get every event, the desk's private ones included, on the desk's own
group (``desk_group_name``; ``liveblog.desk_consumer``): a short notice of what happened to
which entry, by whom, after which the desk reads what it shows from the database. Readers'
hubs never join that group, so nothing private reaches them by this path.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from liveblog.api.serializers import EventSerializer
from liveblog.models import Entry, Event
from liveblog.selectors import events_after

logger = logging.getLogger(__name__)

#: Above this many events in one commit (an import), readers get one "read the log" nudge
#: instead of one message per event.
MAX_EVENTS_PER_BROADCAST = 50

MESSAGE_TYPE = "blog.event"
#: The type of the push channel's heartbeat (``heartbeat_of``), the one message not an event.
HEARTBEAT_TYPE = "heartbeat"
#: The desk's notice of committed events (``liveblog.desk_consumer.DeskConsumer.desk_event``).
DESK_MESSAGE_TYPE = "desk.event"
SEND_TIMEOUT_SECONDS = 2.0


class Push(NamedTuple):
    """One event as readers receive it, with what a process needs to know to withhold it."""

    seq: int
    text: str
    #: The entry the event concerns (its id), or None for an event of the blog.
    entry_id: str | None = None
    #: Whether ``text`` shows its entry retracted (its words already withheld).
    retracted: bool = False


def to_json(data: dict[str, Any]) -> str:
    """The exact text readers receive for one event."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _push(data: dict[str, Any]) -> Push:
    entry = data.get("entry")
    if entry is None:
        return Push(data["seq"], to_json(data))
    return Push(data["seq"], to_json(data), entry["id"], entry["status"] == Entry.Status.RETRACTED)


def message_of(push: Push) -> dict[str, Any]:
    """The group message that carries ``push`` to every process's hub."""
    return {"type": MESSAGE_TYPE, **push._asdict()}


def push_of(message: dict[str, Any]) -> Push | None:
    """The Push a group message carries, or None for a nudge (read the log up to its seq)."""
    if message.get("text") is None:
        return None
    return Push(
        message["seq"], message["text"], message.get("entry_id"), bool(message.get("retracted"))
    )


def heartbeat_of(last_seq: int, interval: float) -> Push:
    """The heartbeat a hub sends its readers: the blog has reached ``last_seq``.

    Named ``last_seq``, not ``seq``: a client that takes any message with a seq for an event
    (an older page, a script written against the README's events) must not skip one.
    """
    text = to_json({"type": HEARTBEAT_TYPE, "last_seq": last_seq, "interval": interval})
    return Push(last_seq, text)


def group_name(blog_id: int) -> str:
    return f"liveblog.blog.{blog_id}"


def desk_group_name(blog_id: int) -> str:
    """The group of the blog's open desks (members only): events and presence."""
    return f"liveblog.desk.{blog_id}"


def desk_message_of(events: Sequence[Event]) -> dict[str, Any]:
    """One notice for the desks of what a commit appended: types, entries and actors only.

    No text travels here: a desk re-reads what it shows, as the signed-in member it is.
    """
    if len(events) > MAX_EVENTS_PER_BROADCAST:
        # An import: the desk reloads its lists once.
        notices: list[dict[str, Any]] = [
            {"seq": events[-1].seq, "type": None, "entry_id": None, "actor": events[-1].actor}
        ]
    else:
        notices = [
            {
                "seq": event.seq,
                "type": event.type,
                "entry_id": None if event.entry_id is None else str(event.entry_id),
                "actor": event.actor,
            }
            for event in events
        ]
    return {"type": DESK_MESSAGE_TYPE, "events": notices}


async def _send_all(layer: Any, group: str, messages: list[dict[str, Any]]) -> None:
    for message in messages:
        # A layer that stops answering (Redis hung, not down) must not hang the editor's
        # request: readers find the events in the log on the hubs' next check.
        await asyncio.wait_for(layer.group_send(group, message), timeout=SEND_TIMEOUT_SECONDS)


def send_events(events: Sequence[Event]) -> None:
    """Send committed events to the blog's readers; failures are logged, never raised.

    The events are committed: readers whose message is lost find them in the log on their
    next gap check or reconnect, so an unreachable layer must not turn a publish into an error.
    """
    if not events:
        return

    def messages() -> list[dict[str, Any]]:
        if len(events) > MAX_EVENTS_PER_BROADCAST:
            return [{"type": MESSAGE_TYPE, "seq": events[-1].seq, "text": None}]
        # Serialised once here, not once per reader.
        return [message_of(_push(data)) for data in EventSerializer.represent_many(events)]

    _send_logged(events, group_name, messages, "Broadcast")
    send_desk_notice(events)


def send_desk_notice(events: Sequence[Event]) -> None:
    """Tell the blog's open desks what was committed; failures are logged, never raised.

    The desk re-reads its lists on reconnect; a publish must not fail for a notice.
    """
    if events:
        _send_logged(events, desk_group_name, lambda: [desk_message_of(events)], "Desk notice")


def _send_logged(
    events: Sequence[Event],
    group: Callable[[int], str],
    messages: Callable[[], list[dict[str, Any]]],
    what: str,
) -> None:
    """Send ``messages()`` to the blog's ``group``, if there is a layer; log a failure."""
    blog_id = events[-1].blog_id
    try:
        layer = get_channel_layer()
        if layer is None:
            return
        async_to_sync(_send_all)(layer, group(blog_id), messages())
    except Exception:
        logger.exception("%s of blog %s up to seq %s failed", what, blog_id, events[-1].seq)


def log_page(blog_id: int, after: int, limit: int) -> list[Push]:
    """Up to ``limit`` events after ``after`` from the log, as readers receive them."""
    events = list(events_after(blog_id, after, limit=limit))
    return [_push(data) for data in EventSerializer.represent_many(events)]
