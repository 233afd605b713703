"""Domain errors: what an editor or a client did that the live blog refuses, and why.

Each carries a message written for the person who will read it. Views and the admin turn
them into form errors or HTTP responses; they never leak as tracebacks.
"""

from __future__ import annotations

from typing import Any


class LiveblogError(Exception):
    """Base for every refusal the domain makes."""

    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidEventError(LiveblogError):
    """An event's payload breaks a rule (empty body, missing reason, unknown field...)."""


class UnknownEventTypeError(LiveblogError):
    """The log holds a type name this code does not know; upgrade the code, not the log."""

    code = "unknown_event_type"


class EventLogImmutableError(LiveblogError):
    """Someone tried to change or delete a recorded event; the log is append-only."""

    code = "immutable"


class NotFoundError(LiveblogError):
    """Base for what is not there (or not to be seen by this user): a 404 for the API."""

    code = "not_found"


class BlogNotFoundError(NotFoundError):
    """No blog with that slug or id."""


class EntryNotFoundError(NotFoundError):
    """No entry with that id in that blog."""


class MemberNotFoundError(NotFoundError):
    """That user is not a member of that blog."""


class InvalidTransitionError(LiveblogError):
    """The command does not fit the current state (correcting a retracted entry, ...)."""

    code = "invalid_state"


class StaleRevisionError(LiveblogError):
    """The entry changed since the revision the editor based the change on."""

    code = "stale_revision"

    def __init__(self, message: str, *, current: Any) -> None:
        super().__init__(message)
        self.current = current


class ConcurrentAppendError(LiveblogError):
    """Appending kept colliding with other writers; nothing was written, try again."""

    code = "conflict"


class MediaRefusedError(LiveblogError):
    """An uploaded file is not an image we accept; ``code`` names the reason for programs."""

    code = "invalid_image"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message, field="file")
        if code:
            self.code = code


class MediaTooLargeError(MediaRefusedError):
    """An uploaded file is larger than LIVEBLOG_MEDIA_MAX_BYTES."""

    code = "too_large"
