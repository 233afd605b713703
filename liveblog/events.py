"""The events of a live blog: frozen dataclasses, one per thing that can happen.

Each event validates its payload when built, serialises to a JSON-native payload and is
registered by its type name. The stored shape of an event never changes: when a payload
shape has to evolve, bump ``VERSION`` and register an upcaster from the old version; the
log is read through ``decode`` which upcasts, and is never rewritten.

The rules an event checks may tighten over time (which characters a text may hold, what a
slug may be). They apply to new events and to files being imported; an event read back from
the log was checked when it was appended, under the rules of its day, and is taken as it is
(``decode(..., check=False)``), so an old log stays readable and rebuildable.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, ClassVar, Self

from liveblog import slugs, zones
from liveblog.errors import InvalidEventError, UnknownEventTypeError

MAX_TITLE_LENGTH = 200
MAX_HEADLINE_LENGTH = 300
MAX_BODY_LENGTH = 50_000
MAX_REASON_LENGTH = 500
MAX_AUTHOR_LENGTH = 200
MAX_ALT_LENGTH = 1_000
MAX_CAPTION_LENGTH = 2_000
MAX_CREDIT_LENGTH = 300
MAX_EMBED_TEXT_LENGTH = 1_000
MAX_EMBED_HTML_LENGTH = 20_000
MAX_URL_LENGTH = 2_000
MAX_FILES = 8
MAX_ITEMS = 50
MAX_LABEL_LENGTH = 40
MAX_LABELS = 20
MAX_NOTE_LENGTH = 2_000
#: The labels a new blog offers its editors until they choose their own.
DEFAULT_LABELS = ("Breaking", "Analysis", "Fact check", "Official")
#: A media file's storage name: its SHA-256 and type, never anything a user typed.
MEDIA_NAME = re.compile(r"[0-9a-f]{2}/[0-9a-f]{64}\.(?:jpg|png|webp|gif)")
MEDIA_CONTENT_TYPES = ("image/jpeg", "image/png", "image/webp", "image/gif")


@dataclasses.dataclass(frozen=True, kw_only=True)
class DomainEvent:
    """Base for all events. ``TYPE`` is the stable name stored in the log."""

    TYPE: ClassVar[str]
    VERSION: ClassVar[int] = 1
    #: Whether the event concerns one entry (its row then carries ``entry_id``).
    CONCERNS_ENTRY: ClassVar[bool] = False
    #: Whether only the blog's members may see it (the desk's drafts, schedules and
    #: submissions). It keeps its seq in the blog's log; everyone else is shown a placeholder
    #: without its words (``liveblog.api.serializers.EventSerializer``).
    PRIVATE: ClassVar[bool] = False

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Raise InvalidEventError when the payload breaks a rule."""

    def to_payload(self) -> dict[str, Any]:
        # Shallow on purpose: payload fields are plain JSON values (asdict deep-copies).
        return {name: getattr(self, name) for name in self._field_names()}

    @classmethod
    def _field_names(cls) -> tuple[str, ...]:
        names = cls.__dict__.get("_FIELD_NAMES")
        if names is None:
            names = tuple(field.name for field in dataclasses.fields(cls))
            # Cached on each event class; not a dataclass field, so not declared.
            cls._FIELD_NAMES = names  # type: ignore[attr-defined]
        return names

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any], *, check: bool = True) -> Self:
        """Build the event from its payload; ``check=False`` skips ``validate`` (see above)."""
        unknown = set(payload).difference(cls._field_names())
        if unknown:
            raise InvalidEventError(f"{cls.TYPE}: unknown fields {sorted(unknown)}")
        if check:
            try:
                return cls(**payload)
            except TypeError as exc:
                raise InvalidEventError(f"{cls.TYPE}: {exc}") from None
        event = object.__new__(cls)
        for field in _fields_of(cls):
            value = payload.get(field.name, field.default)
            factory = field.default_factory  # MISSING (not callable) when there is none
            if value is dataclasses.MISSING and callable(factory):
                value = factory()  # a list field (media, embeds) left out
            if value is dataclasses.MISSING:
                raise InvalidEventError(f"{cls.TYPE}: the field {field.name!r} is missing")
            # How a frozen dataclass's own __init__ sets its fields.
            object.__setattr__(event, field.name, value)
        return event


_FIELDS: dict[type[DomainEvent], tuple[dataclasses.Field[Any], ...]] = {}


def _fields_of(cls: type[DomainEvent]) -> tuple[dataclasses.Field[Any], ...]:
    """An event type's fields, built once (a replay decodes every event of a log)."""
    fields = _FIELDS.get(cls)
    if fields is None:
        fields = _FIELDS[cls] = dataclasses.fields(cls)
    return fields


#: The C0 controls but tab, newline and carriage return, and DEL: invisible, refused in text.
INVISIBLE_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: The bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069). They
#: reorder the text that follows them, beyond the field itself wherever it is shown inline:
#: a title in a list, a headline in a feed reader or a notification, a reason next to a link.
#: Refused in every text, the body included: an entry without a headline is titled by its
#: body (feed, JSON-LD, permalink). Browsers show mixed-direction text correctly without them.
_DIRECTION_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def _require_text(value: object, field: str, *, max_length: int, allow_blank: bool) -> None:
    if not isinstance(value, str):
        raise InvalidEventError(f"{field} must be text.", field=field)
    control = INVISIBLE_CONTROLS.search(value)
    if control:
        raise InvalidEventError(
            f"{field.capitalize()} contains an invisible control character "
            f"(U+{ord(control.group()):04X}) at position {control.start() + 1}; remove it.",
            field=field,
        )
    direction = _DIRECTION_CONTROLS.search(value)
    if direction:
        raise InvalidEventError(
            f"{field.capitalize()} contains an invisible text-direction control "
            f"(U+{ord(direction.group()):04X}) at position {direction.start() + 1}, which can "
            "make text read in a different order than it was written; remove it.",
            field=field,
        )
    if not allow_blank and not value.strip():
        raise InvalidEventError(f"{field.capitalize()} cannot be empty.", field=field)
    if len(value) > max_length:
        advice = " Split it into several updates." if field == "body" else ""
        raise InvalidEventError(
            f"{field.capitalize()} is {len(value):,} characters long; the limit is "
            f"{max_length:,}.{advice}",
            field=field,
        )


def _require_bool(value: object, field: str) -> None:
    if not isinstance(value, bool):
        raise InvalidEventError(f"{field} must be true or false.", field=field)


def _require_time_zone(value: object) -> None:
    if not zones.is_time_zone(value):
        raise InvalidEventError(
            f"{value!r} is not a known time zone; use an IANA name such as {zones.EXAMPLE!r}.",
            field="time_zone",
        )


def _require_optional_datetime(value: object, field: str) -> None:
    if value is None:
        return
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        raise InvalidEventError(f"{field} is not an ISO 8601 time.", field=field) from None
    if parsed.tzinfo is None:
        raise InvalidEventError(f"{field} must include a UTC offset.", field=field)


def _require_int(value: object, field: str, *, minimum: int = 0) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise InvalidEventError(f"{field} must be a whole number >= {minimum}.", field=field)


def _require_url(value: object, field: str, *, allow_blank: bool = False) -> None:
    if allow_blank and value == "":
        return
    _require_text(value, field, max_length=MAX_URL_LENGTH, allow_blank=False)
    assert isinstance(value, str)
    if not value.startswith(("https://", "http://")) or any(c.isspace() for c in value):
        raise InvalidEventError(f"{field} must be an http(s) URL.", field=field)


def _require_object(value: object, field: str, keys: set[str]) -> dict[str, Any]:
    if not isinstance(value, dict) or set(value) != keys:
        raise InvalidEventError(f"{field} must be an object with {sorted(keys)}.", field=field)
    return value


def _require_labels(value: object, field: str = "labels") -> None:
    """A list of distinct label names, as a blog offers them and an entry carries them."""
    if not isinstance(value, list) or len(value) > MAX_LABELS:
        raise InvalidEventError(f"{field} must be a list of at most {MAX_LABELS}.", field=field)
    for label in value:
        _require_text(label, field, max_length=MAX_LABEL_LENGTH, allow_blank=False)
        if label != label.strip():
            raise InvalidEventError(
                f"The label {label!r} starts or ends with a space; remove it.", field=field
            )
    if len({label.casefold() for label in value}) != len(value):
        raise InvalidEventError(f"{field.capitalize()} names a label twice.", field=field)


def _require_byline(author: str, role: str, location: str) -> None:
    # Most entries name nobody yet (imports build 100,000s of these): check only what is set.
    for value, field in ((author, "author"), (role, "author_role"), (location, "author_location")):
        if value != "":
            _require_text(value, field, max_length=MAX_AUTHOR_LENGTH, allow_blank=True)


_FILE_KEYS = {"name", "width", "height", "size"}


def _require_files(value: object, field: str, *, minimum: int = 1) -> None:
    """Renditions: storage names made by liveblog.images, with their pixel and byte sizes."""
    if not isinstance(value, list) or not minimum <= len(value) <= MAX_FILES:
        raise InvalidEventError(f"{field} must list {minimum} to {MAX_FILES} files.", field=field)
    for index, item in enumerate(value):
        where = f"{field}.{index}"
        data = _require_object(item, where, _FILE_KEYS)
        if not isinstance(data["name"], str) or not MEDIA_NAME.fullmatch(data["name"]):
            raise InvalidEventError(f"{where}.name is not a media file name.", field=field)
        for key in ("width", "height", "size"):
            _require_int(data[key], f"{where}.{key}", minimum=1)


def _require_media_details(data: Mapping[str, Any], field: str) -> None:
    _require_text(data["alt"], f"{field}alt", max_length=MAX_ALT_LENGTH, allow_blank=False)
    _require_text(
        data["caption"], f"{field}caption", max_length=MAX_CAPTION_LENGTH, allow_blank=True
    )
    _require_text(data["credit"], f"{field}credit", max_length=MAX_CREDIT_LENGTH, allow_blank=True)
    if data["content_type"] not in MEDIA_CONTENT_TYPES:
        raise InvalidEventError(f"{field}content_type is not an accepted image type.")
    _require_files(data["files"], f"{field}files")


#: An image an entry shows: a copy of its media.uploaded details, so the entry's event alone
#: renders it (a rebuild reads nothing else).
MEDIA_REF_KEYS = {"id", "alt", "caption", "credit", "content_type", "files"}
#: An embedded post as captured when the entry was published: what the card shows, and the
#: provider's player (``html``) that readers load only when they ask.
EMBED_KEYS = {
    "url",
    "provider",
    "provider_url",
    "kind",
    "title",
    "author",
    "author_url",
    "thumbnail",
    "html",
}
EMBED_KINDS = ("video", "rich", "photo", "link")


def _require_media_refs(value: object) -> None:
    if not isinstance(value, list) or len(value) > MAX_ITEMS:
        raise InvalidEventError(f"media must be a list of at most {MAX_ITEMS}.", field="media")
    for index, item in enumerate(value):
        data = _require_object(item, f"media.{index}", MEDIA_REF_KEYS)
        _require_text(data["id"], "media.id", max_length=36, allow_blank=False)
        _require_media_details(data, f"media.{index}.")


def _require_embeds(value: object) -> None:
    if not isinstance(value, list) or len(value) > MAX_ITEMS:
        raise InvalidEventError(f"embeds must be a list of at most {MAX_ITEMS}.", field="embeds")
    for index, item in enumerate(value):
        data = _require_object(item, f"embeds.{index}", EMBED_KEYS)
        _require_url(data["url"], "embeds.url")
        _require_url(data["provider_url"], "embeds.provider_url", allow_blank=True)
        _require_url(data["author_url"], "embeds.author_url", allow_blank=True)
        for key in ("provider", "title", "author"):
            _require_text(
                data[key], f"embeds.{key}", max_length=MAX_EMBED_TEXT_LENGTH, allow_blank=True
            )
        _require_text(
            data["html"], "embeds.html", max_length=MAX_EMBED_HTML_LENGTH, allow_blank=True
        )
        if data["kind"] not in EMBED_KINDS:
            raise InvalidEventError(f"embeds.kind must be one of {EMBED_KINDS}.", field="embeds")
        if data["thumbnail"] is not None:
            _require_files([data["thumbnail"]], "embeds.thumbnail")


def _add_media_and_embeds(payload: dict[str, Any]) -> dict[str, Any]:
    """entry.published 2 to 3, entry.corrected 1 to 2: entries gained images and embeds."""
    return {**payload, "media": [], "embeds": []}


# --- Blog -----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, kw_only=True)
class BlogCreated(DomainEvent):
    """A new blog. Version 2 added ``labels``: the labels its editors may give updates."""

    TYPE = "blog.created"
    VERSION = 2

    slug: str
    title: str
    description: str = ""
    time_zone: str = "UTC"
    labels: list[str] = dataclasses.field(default_factory=list)

    def validate(self) -> None:
        slugs.check(self.slug)
        _require_text(self.title, "title", max_length=MAX_TITLE_LENGTH, allow_blank=False)
        _require_text(self.description, "description", max_length=5_000, allow_blank=True)
        _require_time_zone(self.time_zone)
        _require_labels(self.labels)


@dataclasses.dataclass(frozen=True, kw_only=True)
class BlogDetailsChanged(DomainEvent):
    """The blog's presentation changed; the payload is the complete new state."""

    TYPE = "blog.details_changed"

    title: str
    description: str
    time_zone: str
    coverage_start: str | None = None
    coverage_end: str | None = None

    def validate(self) -> None:
        _require_text(self.title, "title", max_length=MAX_TITLE_LENGTH, allow_blank=False)
        _require_text(self.description, "description", max_length=5_000, allow_blank=True)
        _require_time_zone(self.time_zone)
        _require_optional_datetime(self.coverage_start, "coverage_start")
        _require_optional_datetime(self.coverage_end, "coverage_end")
        if (
            self.coverage_start
            and self.coverage_end
            and datetime.fromisoformat(self.coverage_end)
            < datetime.fromisoformat(self.coverage_start)
        ):
            raise InvalidEventError("Coverage cannot end before it starts.", field="coverage_end")


@dataclasses.dataclass(frozen=True, kw_only=True)
class BlogRenamed(DomainEvent):
    """The blog's slug changed: a draft's, or one no URL could hold (see ``blog_rename``)."""

    TYPE = "blog.renamed"

    slug: str

    def validate(self) -> None:
        slugs.check(self.slug)


@dataclasses.dataclass(frozen=True, kw_only=True)
class BlogLabelsChanged(DomainEvent):
    """The labels the blog's editors may give updates; the payload is the complete new set.

    Updates keep the labels they were given when one leaves the set.
    """

    TYPE = "blog.labels_changed"

    labels: list[str]

    def validate(self) -> None:
        _require_labels(self.labels)


@dataclasses.dataclass(frozen=True, kw_only=True)
class BlogOpened(DomainEvent):
    """The blog went live; readers can see it from now on."""

    TYPE = "blog.opened"


@dataclasses.dataclass(frozen=True, kw_only=True)
class BlogClosed(DomainEvent):
    """Coverage ended; the blog stays readable as an archive."""

    TYPE = "blog.closed"


# --- Entries --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, kw_only=True)
class EntryPublished(DomainEvent):
    """A new update. Version 2 added ``author``: the byline's display name, "" for none.
    Version 3 added the ``media`` and ``embeds`` the text shows. Version 4 added the rest of
    the byline (``author_role``, ``author_location``) and the update's ``labels``.

    The byline is the one readers see, as it was when the update was written (a profile
    changed later does not rewrite it): the writer's, or the desk's override ("Reuters"), or
    the one an import read from its source. Never a login name.
    """

    TYPE = "entry.published"
    VERSION = 4
    CONCERNS_ENTRY = True

    body: str
    headline: str = ""
    key_event: bool = False
    pinned: bool = False
    author: str = ""
    author_role: str = ""
    author_location: str = ""
    labels: list[str] = dataclasses.field(default_factory=list)
    media: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    embeds: list[dict[str, Any]] = dataclasses.field(default_factory=list)

    def validate(self) -> None:
        _require_text(self.body, "body", max_length=MAX_BODY_LENGTH, allow_blank=False)
        _require_text(self.headline, "headline", max_length=MAX_HEADLINE_LENGTH, allow_blank=True)
        _require_byline(self.author, self.author_role, self.author_location)
        if self.labels:
            _require_labels(self.labels)
        _require_bool(self.key_event, "key_event")
        _require_bool(self.pinned, "pinned")
        _require_media_refs(self.media)
        _require_embeds(self.embeds)


@dataclasses.dataclass(frozen=True, kw_only=True)
class EntryCorrected(DomainEvent):
    """New text for an entry, with the reason readers will see next to it."""

    TYPE = "entry.corrected"
    VERSION = 2
    CONCERNS_ENTRY = True

    body: str
    headline: str
    reason: str
    media: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    embeds: list[dict[str, Any]] = dataclasses.field(default_factory=list)

    def validate(self) -> None:
        _require_text(self.body, "body", max_length=MAX_BODY_LENGTH, allow_blank=False)
        _require_text(self.headline, "headline", max_length=MAX_HEADLINE_LENGTH, allow_blank=True)
        _require_text(self.reason, "reason", max_length=MAX_REASON_LENGTH, allow_blank=False)
        _require_media_refs(self.media)
        _require_embeds(self.embeds)


@dataclasses.dataclass(frozen=True, kw_only=True)
class EntryLabelsChanged(DomainEvent):
    """The update's labels; the payload is the complete new set (empty: none)."""

    TYPE = "entry.labels_changed"
    CONCERNS_ENTRY = True

    labels: list[str]

    def validate(self) -> None:
        _require_labels(self.labels)


@dataclasses.dataclass(frozen=True, kw_only=True)
class EntryRetracted(DomainEvent):
    """The entry is withdrawn; readers see a notice with the reason instead of its text."""

    TYPE = "entry.retracted"
    CONCERNS_ENTRY = True

    reason: str

    def validate(self) -> None:
        _require_text(self.reason, "reason", max_length=MAX_REASON_LENGTH, allow_blank=False)


@dataclasses.dataclass(frozen=True, kw_only=True)
class EntryPinned(DomainEvent):
    TYPE = "entry.pinned"
    CONCERNS_ENTRY = True


@dataclasses.dataclass(frozen=True, kw_only=True)
class EntryUnpinned(DomainEvent):
    TYPE = "entry.unpinned"
    CONCERNS_ENTRY = True


@dataclasses.dataclass(frozen=True, kw_only=True)
class EntryMarkedKeyEvent(DomainEvent):
    TYPE = "entry.marked_key_event"
    CONCERNS_ENTRY = True


@dataclasses.dataclass(frozen=True, kw_only=True)
class EntryUnmarkedKeyEvent(DomainEvent):
    TYPE = "entry.unmarked_key_event"
    CONCERNS_ENTRY = True


# --- Media ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, kw_only=True)
class MediaUploaded(DomainEvent):
    """An image was uploaded to the blog: its renditions are stored under ``files``.

    In the blog's stream so that an export carries it and a rebuild restores the blog's
    media list; entries that show it copy these details into their own events.
    """

    TYPE = "media.uploaded"

    media_id: str
    alt: str
    caption: str = ""
    credit: str = ""
    content_type: str
    files: list[dict[str, Any]]

    def validate(self) -> None:
        _require_text(self.media_id, "media_id", max_length=36, allow_blank=False)
        _require_media_details(dataclasses.asdict(self), "")


# --- The desk: updates not yet published (private) -------------------------------------
# Drafts, scheduled updates and contributors' submissions are events of the blog's log like
# any other, so the log shows who wrote, changed, scheduled, returned and approved what; but
# they are PRIVATE: only the blog's members see them (see ``DomainEvent.PRIVATE``). The
# update reaches readers as an ordinary entry.published, with the same entry id, appended
# together with the desk.published that records who let it out.


def _require_time(value: object, field: str) -> None:
    if value is None or not isinstance(value, str):
        raise InvalidEventError(f"{field} must be an ISO 8601 time.", field=field)
    _require_optional_datetime(value, field)


@dataclasses.dataclass(frozen=True, kw_only=True)
class _DeskText(DomainEvent):
    """An unpublished update's complete text, byline and flags, as entry.published will carry
    them; ``occurred_at`` is the newsroom time it will show (None: when it is published)."""

    CONCERNS_ENTRY = True
    PRIVATE = True

    body: str
    headline: str = ""
    key_event: bool = False
    pinned: bool = False
    author: str = ""
    author_role: str = ""
    author_location: str = ""
    labels: list[str] = dataclasses.field(default_factory=list)
    occurred_at: str | None = None
    media: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    embeds: list[dict[str, Any]] = dataclasses.field(default_factory=list)

    def validate(self) -> None:
        _require_text(self.body, "body", max_length=MAX_BODY_LENGTH, allow_blank=False)
        _require_text(self.headline, "headline", max_length=MAX_HEADLINE_LENGTH, allow_blank=True)
        _require_byline(self.author, self.author_role, self.author_location)
        _require_labels(self.labels)
        _require_bool(self.key_event, "key_event")
        _require_bool(self.pinned, "pinned")
        _require_optional_datetime(self.occurred_at, "occurred_at")
        _require_media_refs(self.media)
        _require_embeds(self.embeds)


@dataclasses.dataclass(frozen=True, kw_only=True)
class DeskDrafted(_DeskText):
    """An editor saved a new update as a draft."""

    TYPE = "desk.drafted"


@dataclasses.dataclass(frozen=True, kw_only=True)
class DeskSubmitted(_DeskText):
    """A contributor submitted an update for approval (or a returned one again)."""

    TYPE = "desk.submitted"


@dataclasses.dataclass(frozen=True, kw_only=True)
class DeskScheduled(_DeskText):
    """A new update to be published at ``publish_at``."""

    TYPE = "desk.scheduled"

    publish_at: str

    def validate(self) -> None:
        super().validate()
        _require_time(self.publish_at, "publish_at")


@dataclasses.dataclass(frozen=True, kw_only=True)
class DeskRevised(_DeskText):
    """New text for an unpublished update; it stays a draft, scheduled or submitted."""

    TYPE = "desk.revised"


@dataclasses.dataclass(frozen=True, kw_only=True)
class DeskScheduleChanged(DomainEvent):
    """A draft or scheduled update (re)scheduled for ``publish_at``; None makes it a draft."""

    TYPE = "desk.schedule_changed"
    CONCERNS_ENTRY = True
    PRIVATE = True

    publish_at: str | None

    def validate(self) -> None:
        if self.publish_at is not None:
            _require_time(self.publish_at, "publish_at")


@dataclasses.dataclass(frozen=True, kw_only=True)
class DeskReturned(DomainEvent):
    """An editor sent a submission back to its contributor, with a note saying why."""

    TYPE = "desk.returned"
    CONCERNS_ENTRY = True
    PRIVATE = True

    note: str

    def validate(self) -> None:
        _require_text(self.note, "note", max_length=MAX_NOTE_LENGTH, allow_blank=False)


@dataclasses.dataclass(frozen=True, kw_only=True)
class DeskCancelled(DomainEvent):
    """An unpublished update was dropped: it will never be published."""

    TYPE = "desk.cancelled"
    CONCERNS_ENTRY = True
    PRIVATE = True


@dataclasses.dataclass(frozen=True, kw_only=True)
class DeskPublished(DomainEvent):
    """An unpublished update was let out (published, approved, or its time came).

    Always appended together with the entry.published that carries it to readers; the
    actor is who published or approved it (``schedule:<login>`` for a scheduled one).
    """

    TYPE = "desk.published"
    CONCERNS_ENTRY = True
    PRIVATE = True


#: The desk's events that carry an update's whole text.
DESK_TEXT_EVENTS: tuple[type[_DeskText], ...] = (
    DeskDrafted,
    DeskSubmitted,
    DeskScheduled,
    DeskRevised,
)


EVENT_TYPES: dict[str, type[DomainEvent]] = {
    cls.TYPE: cls
    for cls in (
        BlogCreated,
        BlogDetailsChanged,
        BlogRenamed,
        BlogLabelsChanged,
        BlogOpened,
        BlogClosed,
        EntryPublished,
        EntryCorrected,
        EntryLabelsChanged,
        EntryRetracted,
        EntryPinned,
        EntryUnpinned,
        EntryMarkedKeyEvent,
        EntryUnmarkedKeyEvent,
        MediaUploaded,
        DeskDrafted,
        DeskSubmitted,
        DeskScheduled,
        DeskRevised,
        DeskScheduleChanged,
        DeskReturned,
        DeskCancelled,
        DeskPublished,
    )
}

#: The types readers, partners and the public API see with their contents.
PUBLIC_TYPES = frozenset(name for name, cls in EVENT_TYPES.items() if not cls.PRIVATE)

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


def _entry_published_v1_to_v2(payload: dict[str, Any]) -> dict[str, Any]:
    """Version 1 had no author: an entry published then names none."""
    return {**payload, "author": ""}


def _entry_published_v3_to_v4(payload: dict[str, Any]) -> dict[str, Any]:
    """Version 3's ``author`` was a whole byline's name: no role, no place, no labels."""
    return {**payload, "author_role": "", "author_location": "", "labels": []}


def _blog_created_v1_to_v2(payload: dict[str, Any]) -> dict[str, Any]:
    """A blog created before labels offered none (its editors may choose some since)."""
    return {**payload, "labels": []}


#: (type name, stored version) -> function turning that payload into the next version's.
#: Add one per shape change.
UPCASTERS: dict[tuple[str, int], Upcaster] = {
    ("entry.published", 1): _entry_published_v1_to_v2,
    ("entry.published", 2): _add_media_and_embeds,
    ("entry.published", 3): _entry_published_v3_to_v4,
    ("entry.corrected", 1): _add_media_and_embeds,
    ("blog.created", 1): _blog_created_v1_to_v2,
}


def decode(
    type_name: str, version: int, payload: Mapping[str, Any], *, check: bool = True
) -> DomainEvent:
    """Build the current-shape event from a stored row, upcasting old versions.

    Rows read back from the log pass ``check=False``: they were checked when appended.
    """
    try:
        cls = EVENT_TYPES[type_name]
    except KeyError:
        raise UnknownEventTypeError(f"Unknown event type {type_name!r} in the log.") from None
    data = dict(payload)
    while version < cls.VERSION:
        try:
            upcaster = UPCASTERS[(type_name, version)]
        except KeyError:
            raise InvalidEventError(
                f"No upcaster for {type_name} from version {version} to {version + 1}."
            ) from None
        data = upcaster(data)
        version += 1
    if version > cls.VERSION:
        raise InvalidEventError(
            f"{type_name} version {version} is newer than this code understands ({cls.VERSION})."
        )
    return cls.from_payload(data, check=check)
