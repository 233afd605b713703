"""Serializers: the shape of what clients send, and of what they get.

The output serializers own the JSON shape of a blog, an entry, a revision and an event: the
API answers with them, the OpenAPI schema describes their declared fields, and the push
channel (``liveblog.broadcast``) sends what they represent. They are ``Shape``s, represented
through ``liveblog.api.representation.plain``: the declared fields, read without DRF's
per-call work, since the push channel renders every event of a blog.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from django.db.models import Manager
from django.utils import timezone
from rest_framework import serializers

from liveblog import events, selectors
from liveblog.api.representation import IsoDateTimeField, Shape, plain
from liveblog.content import media_ref, warnings_for
from liveblog.media import file_url
from liveblog.models import Blog, DeskEntry, Entry, EntryRevision, Event, Media, Membership
from liveblog.params import MAX_NUMBER, whole_number

#: What the public sees of a private event (the desk's): its seq and times, nothing else.
PRIVATE_TYPE = "private"
#: Named in SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] as EventTypeEnum.
EVENT_TYPE_CHOICES = [(name, name) for name in sorted({*events.PUBLIC_TYPES, PRIVATE_TYPE})]


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 time that must carry its UTC offset: newsroom time is never guessed."""

    default_error_messages = {
        "naive": "Give the time with its UTC offset, e.g. 2024-05-01T21:30:00+01:00.",
    }

    def enforce_timezone(self, value: datetime) -> datetime:
        if timezone.is_naive(value):
            self.fail("naive")
        try:
            value.astimezone(UTC)
        except OverflowError:
            self.fail("overflow")
        return super().enforce_timezone(value)


# --- What clients get -----------------------------------------------------------------


def _time(**kwargs: Any) -> IsoDateTimeField:
    return IsoDateTimeField(read_only=True, **kwargs)


class BlogSerializer(Shape):
    """A blog, to anyone who can see it."""

    slug = serializers.SlugField(read_only=True)
    title = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    time_zone = serializers.CharField(read_only=True, help_text="IANA name, e.g. Europe/London.")
    status = serializers.ChoiceField(choices=Blog.Status.choices, read_only=True)
    coverage_start = _time(allow_null=True)
    coverage_end = _time(allow_null=True)
    last_seq = serializers.IntegerField(
        read_only=True, help_text="Seq of the blog's newest event: read the log after it."
    )
    updated_at = _time(allow_null=True)
    labels = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="The labels its updates may carry (filter entries with ?label=).",
    )


class StoredFileUrlField(serializers.CharField):
    """The public URL of a stored file, from its name (``liveblog.media``).

    A path on this site with the default storage (``/media/...``), absolute with object
    storage: not declared as a URI, which a path is not.
    """

    def to_representation(self, value: str) -> str:
        return file_url(value)


class RenditionSerializer(Shape):
    url = StoredFileUrlField(source="name", read_only=True)
    width = serializers.IntegerField(read_only=True)
    height = serializers.IntegerField(read_only=True)


class MediaSerializer(Shape):
    """An uploaded image: its details and renditions (narrowest first)."""

    id = serializers.UUIDField(read_only=True)
    url = StoredFileUrlField(
        source="name",
        read_only=True,
        help_text="The widest rendition. Put it in an entry's body as ![alt text](url).",
    )
    width = serializers.IntegerField(read_only=True)
    height = serializers.IntegerField(read_only=True)
    content_type = serializers.CharField(read_only=True, help_text="image/jpeg, png, webp or gif.")
    alt = serializers.CharField(read_only=True, help_text="Shown when a body gives no alt text.")
    caption = serializers.CharField(read_only=True)
    credit = serializers.CharField(read_only=True)
    renditions = RenditionSerializer(
        source="files",
        many=True,
        read_only=True,
        help_text="Every stored width, narrowest first (srcset).",
    )

    @classmethod
    def represent(cls, instance: Media | dict[str, Any]) -> dict[str, Any]:
        """An upload, or the copy of it an entry's event carries (``content.media_ref``)."""
        data = instance if isinstance(instance, dict) else media_ref(instance)
        widest = data["files"][-1]  # its file, and so its size, are the image's own
        return plain(cls)({**data, **widest})


class EmbedSerializer(Shape):
    """A post from another site, as captured when the entry was published."""

    url = serializers.URLField(read_only=True)
    provider = serializers.CharField(read_only=True, help_text="e.g. YouTube, X, Bluesky.")
    kind = serializers.ChoiceField(choices=list(events.EMBED_KINDS), read_only=True)
    title = serializers.CharField(read_only=True, help_text="Its title, or a post's text.")
    author = serializers.CharField(read_only=True)
    author_url = serializers.CharField(read_only=True)
    thumbnail = RenditionSerializer(
        read_only=True, allow_null=True, help_text="A copy stored here: no third-party request."
    )
    html = serializers.CharField(
        read_only=True,
        help_text="The provider's player. It loads the provider's scripts: show it only when "
        "a reader asks, in a sandboxed frame. Empty when the provider did not answer (a link "
        "card).",
    )


class AuthorSerializer(Shape):
    """An update's byline, as readers see it; "" where there is none. Never a login name."""

    name = serializers.CharField(
        source="author_name", read_only=True, help_text="e.g. Ana Petrosyan, or Reuters."
    )
    role = serializers.CharField(
        source="author_role", read_only=True, help_text="Optional, e.g. Correspondent."
    )
    location = serializers.CharField(
        source="author_location", read_only=True, help_text="Optional, e.g. Yerevan."
    )


_LABELS_HELP = "Labels among the blog's (e.g. Breaking, Analysis)."


#: A retracted entry's words: readers get its notice instead, on every path.
_WORDS = ("headline", "body", "body_html", "media", "embeds")


def _withhold(data: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    for name in names:
        data[name] = [] if isinstance(data[name], list) else ""
    return data


class EntrySerializer(Shape):
    """An entry as the API and the push channel show it, to anyone.

    A retracted entry's words are withheld: readers get the notice, not what was withdrawn
    (editors still read it in the admin). So are its correction reasons, which describe the
    withdrawn text and often quote it, and its images and embeds. Editors' login names are
    never shown.
    """

    id = serializers.UUIDField(read_only=True)
    headline = serializers.CharField(read_only=True)
    body = serializers.CharField(read_only=True, help_text="Markdown, as the editor wrote it.")
    body_html = serializers.CharField(read_only=True, help_text="The body as sanitized HTML.")
    occurred_at = _time(help_text="Newsroom time.")
    status = serializers.ChoiceField(choices=Entry.Status.choices, read_only=True)
    pinned = serializers.BooleanField(read_only=True)
    key_event = serializers.BooleanField(read_only=True)
    revision = serializers.IntegerField(
        read_only=True, help_text="Send it as based_on_revision when correcting the entry."
    )
    published_at = _time()
    updated_at = _time()
    last_corrected_at = _time(allow_null=True)
    correction_reason = serializers.CharField(read_only=True)
    retracted_at = _time(allow_null=True)
    retraction_reason = serializers.CharField(read_only=True)
    author = AuthorSerializer(source="*", read_only=True)
    labels = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text=_LABELS_HELP
    )
    media = MediaSerializer(many=True, read_only=True, help_text="The images the text shows.")
    embeds = EmbedSerializer(many=True, read_only=True, help_text="The posts the text embeds.")

    #: What a retracted entry shows empty.
    WITHHELD = (*_WORDS, "correction_reason")

    @classmethod
    def represent(cls, instance: Entry) -> dict[str, Any]:
        data = plain(cls)(instance)
        return _withhold(data, cls.WITHHELD) if instance.is_retracted else data


class RevisionSerializer(Shape):
    """What an entry said at one revision, and why it was changed (text withheld once retracted)."""

    number = serializers.IntegerField(read_only=True)
    headline = serializers.CharField(read_only=True)
    body = serializers.CharField(read_only=True)
    body_html = serializers.CharField(read_only=True)
    reason = serializers.CharField(read_only=True, help_text="Empty for the first revision.")
    seq = serializers.IntegerField(read_only=True)
    recorded_at = _time()
    media = MediaSerializer(many=True, read_only=True)
    embeds = EmbedSerializer(many=True, read_only=True)

    #: What a revision of a retracted entry shows empty: all but its number and times.
    WITHHELD = (*_WORDS, "reason")

    @classmethod
    def represent(cls, instance: EntryRevision) -> dict[str, Any]:
        data = plain(cls)(instance)
        return _withhold(data, cls.WITHHELD) if instance.entry.is_retracted else data


class EntryDetailSerializer(EntrySerializer):
    """An entry with every revision, oldest first: corrections never hide the past."""

    revisions = RevisionSerializer(many=True, read_only=True)

    @classmethod
    def represent(cls, instance: Entry) -> dict[str, Any]:
        revisions = selectors.entry_revisions(instance)
        return {
            **EntrySerializer.represent(instance),
            "revisions": [RevisionSerializer.represent(revision) for revision in revisions],
        }


class WarningSerializer(Shape):
    """Something in the body readers will not get as written (``markup.analyse``)."""

    code = serializers.ChoiceField(
        choices=[
            "remote_image",
            "html_image",
            "iframe",
            "script",
            "raw_html",
            "link_scheme",
            "bad_link",
            "embed_unavailable",
        ],
        help_text="remote_image: only images uploaded to the blog are shown (readers get a "
        "link); html_image, iframe, script, raw_html: HTML is not shown; link_scheme: only "
        "http, https and mailto links work; bad_link: not a valid address; "
        "embed_unavailable: the provider did not answer in time, readers get a link card.",
    )
    message = serializers.CharField(help_text="For the editor: what and what to do.")


class EntryWrittenSerializer(EntryDetailSerializer):
    """The entry after a publish or correction, with what its text will not show readers.

    The entry is saved as written either way: warnings tell the editor (or tool) to upload
    an image, drop the HTML or fix a link, then correct the entry.
    """

    warnings = WarningSerializer(many=True, read_only=True)

    @classmethod
    def represent(cls, instance: Entry) -> dict[str, Any]:
        return _with_warnings(EntryDetailSerializer.represent(instance), instance)


def _with_warnings(shown: dict[str, Any], instance: Entry | DeskEntry) -> dict[str, Any]:
    """What a written entry or update shows, and what its text will not show readers."""
    warnings = warnings_for(instance.body, media=instance.media, embeds=instance.embeds)
    return {**shown, "warnings": [WarningSerializer.represent(warning) for warning in warnings]}


class DeskEntrySerializer(Shape):
    """An update not published (yet), for the blog's members only: a draft, a scheduled
    update, a submission waiting for approval (or returned), or one cancelled or published.
    """

    id = serializers.UUIDField(read_only=True, help_text="The entry's id once published.")
    status = serializers.ChoiceField(choices=DeskEntry.Status.choices, read_only=True)
    headline = serializers.CharField(read_only=True)
    body = serializers.CharField(read_only=True, help_text="Markdown.")
    body_html = serializers.CharField(read_only=True, help_text="As readers will see it.")
    occurred_at = _time(
        allow_null=True, help_text="The newsroom time it will show; null: when published."
    )
    publish_at = _time(allow_null=True, help_text="When a scheduled update goes out.")
    pinned = serializers.BooleanField(read_only=True)
    key_event = serializers.BooleanField(read_only=True)
    author = AuthorSerializer(source="*", read_only=True)
    labels = serializers.ListField(child=serializers.CharField(), read_only=True)
    revision = serializers.IntegerField(
        read_only=True, help_text="Send it as based_on_revision when changing the update."
    )
    note = serializers.CharField(read_only=True, help_text="Why an editor returned it.")
    written_by = serializers.CharField(read_only=True, help_text="The writer's user name.")
    decided_by = serializers.CharField(
        read_only=True, help_text="Who published, returned or cancelled it last."
    )
    created_at = _time()
    updated_at = _time()
    media = MediaSerializer(many=True, read_only=True)
    embeds = EmbedSerializer(many=True, read_only=True)


class DeskEntryWrittenSerializer(DeskEntrySerializer):
    """An unpublished update after it was saved, with what its text will not show readers."""

    warnings = WarningSerializer(many=True, read_only=True)

    @classmethod
    def represent(cls, instance: DeskEntry) -> dict[str, Any]:
        return _with_warnings(DeskEntrySerializer.represent(instance), instance)


class DeskEntryPageSerializer(serializers.Serializer):
    next = serializers.URLField(read_only=True, allow_null=True)
    previous = serializers.URLField(read_only=True, allow_null=True)
    results = DeskEntrySerializer(many=True, read_only=True)


class MemberSerializer(serializers.Serializer):
    """A member of a blog and their role there."""

    username = serializers.CharField(max_length=150, help_text="Their user name (login).")
    role = serializers.ChoiceField(
        choices=Membership.Role.choices,
        help_text="editor: publishes and approves; contributor: submits updates for approval.",
    )

    def to_representation(self, instance: Membership) -> dict[str, Any]:
        return {"username": instance.user.get_username(), "role": instance.role}


class _EventListSerializer(serializers.ListSerializer):
    def to_representation(self, data: Manager[Any] | Iterable[Any]) -> list[dict[str, Any]]:
        # One query per kind of object for the whole page, as the push channel does.
        events = list(data.all() if isinstance(data, Manager) else data)
        return EventSerializer.represent_many(events)


class EventSerializer(Shape):
    """A log event as the push channel sends it, with the entry (or blog) as it is now.

    In a closed page of the log, which caches keep for a year, events carry only what they
    are (``represent_refs``): no ``entry``, ``blog`` or ``media``.
    """

    seq = serializers.IntegerField(read_only=True)
    type = serializers.ChoiceField(choices=EVENT_TYPE_CHOICES, read_only=True)
    occurred_at = _time()
    recorded_at = _time()
    entry_id = serializers.UUIDField(
        read_only=True,
        allow_null=True,
        help_text="The entry an entry.* event concerns (null on other events): read it at "
        "/api/blogs/<slug>/entries/<entry_id>/ when the event carries no `entry`.",
    )
    # Not read_only: the schema would then list them as always present. Never used for input.
    entry = EntrySerializer(
        allow_null=True,
        required=False,
        help_text="On entry.* events, the entry as it is now; not in closed pages.",
    )
    blog = BlogSerializer(
        required=False, help_text="On blog.* events, the blog as it is now; not in closed pages."
    )
    media = serializers.DictField(
        allow_null=True,
        required=False,
        help_text="On media.uploaded: always null. An upload is shown only through the "
        "entries that show it (it may be embargoed, or its entry retracted).",
    )

    class Meta:
        list_serializer_class = _EventListSerializer

    @classmethod
    def represent(cls, instance: Event) -> dict[str, Any]:
        return cls.represent_many([instance])[0]

    @classmethod
    def represent_refs(cls, log: Sequence[Event]) -> list[dict[str, Any]]:
        """What each event is, without what it concerns: facts no later event can change.

        A closed page of the log (``liveblog.api.pagination.LogPage``) holds only these, so
        it can be cached for ever: no text an editor could retract, no state that moves on.
        A private event is its placeholder here too.
        """
        head = plain(cls, leaving_out=("entry", "blog", "media"))
        return [
            head(event) if event.type in events.PUBLIC_TYPES else _placeholder(event)
            for event in log
        ]

    @classmethod
    def represent_many(cls, log: Sequence[Event]) -> list[dict[str, Any]]:
        """The events as push messages; their entries and blogs are read in one query each.

        A private event (the desk's: drafts, schedules, submissions) keeps its place in the
        sequence, so readers see no gap, but shows only ``seq``, ``type`` "private" and the
        time it was logged (``entry_id`` null): no entry, no words, not even which update.
        """
        public = [event for event in log if event.type in events.PUBLIC_TYPES]
        entry_ids = {event.entry_id for event in public if event.entry_id is not None}
        blog_ids = {event.blog_id for event in public if _shows_blog(event)}
        entries = {entry.id: entry for entry in Entry.objects.filter(pk__in=entry_ids)}
        blogs = {blog.pk: blog for blog in Blog.objects.filter(pk__in=blog_ids)}
        head = plain(cls, leaving_out=("entry", "blog", "media"))
        messages = []
        for event in log:
            if event.type not in events.PUBLIC_TYPES:
                messages.append(_placeholder(event))
                continue
            message = head(event)
            if event.entry_id is not None:
                entry = entries.get(event.entry_id)
                message["entry"] = EntrySerializer.represent(entry) if entry else None
            elif event.type == events.MediaUploaded.TYPE:
                # Withheld: an upload may be embargoed, or its entry retracted. Readers see
                # an image only through the entries that show it.
                message["media"] = None
            else:
                message["blog"] = BlogSerializer.represent(blogs[event.blog_id])
            messages.append(message)
        return messages


def _placeholder(event: Event) -> dict[str, Any]:
    logged = event.recorded_at.isoformat()
    return {
        "seq": event.seq,
        "type": PRIVATE_TYPE,
        "occurred_at": logged,
        "recorded_at": logged,
        "entry_id": None,  # not even which update it concerns
    }


def _shows_blog(event: Event) -> bool:
    return event.entry_id is None and event.type != events.MediaUploaded.TYPE


class _PageSerializer(serializers.Serializer):
    next = serializers.URLField(read_only=True, allow_null=True)


class BlogPageSerializer(_PageSerializer):
    previous = serializers.URLField(read_only=True, allow_null=True)
    results = BlogSerializer(many=True, read_only=True)


class EntryPageSerializer(_PageSerializer):
    previous = serializers.URLField(read_only=True, allow_null=True)
    results = EntrySerializer(many=True, read_only=True)


class EventPageSerializer(_PageSerializer):
    next = serializers.URLField(
        read_only=True,
        allow_null=True,
        help_text="The following page, once this one is closed (the log has reached its last "
        "seq); null on the open page, where the next events will appear: poll it.",
    )
    results = EventSerializer(many=True, read_only=True)


class ErrorSerializer(serializers.Serializer):
    """Every error response."""

    message = serializers.CharField(help_text="What went wrong and what to do, for people.")
    code = serializers.CharField(help_text="A stable code for programs, e.g. stale_revision.")
    # The metaclass moves declared fields off the class, so this does not hide
    # ``Serializer.errors`` at run time; the stubs cannot see that.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per request field; empty when no field is to blame.",
    )


class ConflictSerializer(ErrorSerializer):
    """409: the entry changed (``current`` is it now) or does not allow the change."""

    current = EntryDetailSerializer(
        required=False, help_text="The entry as it is now (stale_revision only)."
    )


# --- What clients send ----------------------------------------------------------------


def _text(max_length: int, **kwargs: Any) -> serializers.CharField:
    return serializers.CharField(max_length=max_length, **kwargs)


class AuthorInputSerializer(serializers.Serializer):
    """A byline given for one update, overriding the writer's own (agency copy: "Reuters")."""

    name = _text(events.MAX_AUTHOR_LENGTH)
    role = _text(events.MAX_AUTHOR_LENGTH, required=False, allow_blank=True, default="")
    location = _text(events.MAX_AUTHOR_LENGTH, required=False, allow_blank=True, default="")


def _revision_field(help_text: str, **kwargs: Any) -> serializers.IntegerField:
    """The revision a change was written against (``based_on_revision``)."""
    return serializers.IntegerField(
        min_value=1, max_value=MAX_NUMBER, help_text=help_text, **kwargs
    )


def _labels_field(**kwargs: Any) -> serializers.ListField:
    kwargs.setdefault("help_text", _LABELS_HELP)
    return serializers.ListField(
        child=_text(events.MAX_LABEL_LENGTH), max_length=events.MAX_LABELS, **kwargs
    )


class PublishSerializer(serializers.Serializer):
    entry_id = serializers.UUIDField(
        required=False,
        help_text="An id the client chooses, so that resending the same publish (after a "
        "timeout, say) returns the entry (200) instead of publishing it twice.",
    )
    body = _text(events.MAX_BODY_LENGTH, help_text="Markdown.")
    headline = _text(events.MAX_HEADLINE_LENGTH, required=False, allow_blank=True, default="")
    occurred_at = AwareDateTimeField(
        required=False, help_text="Newsroom time, with UTC offset; defaults to now."
    )
    key_event = serializers.BooleanField(default=False)
    pinned = serializers.BooleanField(default=False)
    draft = serializers.BooleanField(
        default=False, help_text="Save it as a draft (status draft) instead of publishing."
    )
    publish_at = AwareDateTimeField(
        required=False,
        help_text="Publish it at this time, with UTC offset (status scheduled).",
    )
    author = AuthorInputSerializer(
        required=False, help_text="Leave out for your own byline (your profile)."
    )
    labels = _labels_field(required=False, default=list)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("draft") and attrs.get("publish_at") is not None:
            raise serializers.ValidationError(
                {"publish_at": ["A draft has no publication time: send draft or publish_at."]}
            )
        return attrs


class DeskChangeSerializer(serializers.Serializer):
    """A change to an unpublished update: only the fields sent change."""

    body = _text(events.MAX_BODY_LENGTH, required=False, help_text="Markdown.")
    headline = _text(events.MAX_HEADLINE_LENGTH, required=False, allow_blank=True)
    occurred_at = AwareDateTimeField(
        required=False, allow_null=True, help_text="The newsroom time it will show; null: now."
    )
    key_event = serializers.BooleanField(required=False)
    pinned = serializers.BooleanField(required=False)
    author = AuthorInputSerializer(
        required=False, allow_null=True, help_text="null: the writer's own byline again."
    )
    labels = _labels_field(required=False)
    publish_at = AwareDateTimeField(
        required=False,
        allow_null=True,
        help_text="Schedule a draft, or reschedule; null makes a scheduled update a draft.",
    )
    based_on_revision = _revision_field(
        "The revision the change was written against; 409 if it moved on.", required=False
    )


class ReturnSerializer(serializers.Serializer):
    note = _text(
        events.MAX_NOTE_LENGTH, help_text="For the contributor: what to change, or why not."
    )


class LabelsSerializer(serializers.Serializer):
    labels = _labels_field(help_text="The complete new set; [] for none.")


class CorrectSerializer(serializers.Serializer):
    body = _text(events.MAX_BODY_LENGTH, help_text="The new text, Markdown.")
    headline = _text(
        events.MAX_HEADLINE_LENGTH,
        required=False,
        allow_blank=True,
        help_text="Leave out to keep the current headline.",
    )
    reason = _text(events.MAX_REASON_LENGTH, help_text="Shown to readers next to the entry.")
    based_on_revision = _revision_field(
        "The revision the correction was written against; 409 if it moved on."
    )


class RetractSerializer(serializers.Serializer):
    reason = _text(events.MAX_REASON_LENGTH, help_text="Shown to readers instead of the text.")
    based_on_revision = _revision_field(
        "If given, the retraction is refused (409) when the entry has moved on.", required=False
    )


class MediaUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        allow_empty_file=True,
        help_text="A JPEG, PNG, WebP or GIF image (not SVG, HEIC or AVIF), up to the server's "
        "LIVEBLOG_MEDIA_MAX_BYTES (20 MB unless configured). Metadata (EXIF, GPS) is removed.",
    )
    alt = _text(
        events.MAX_ALT_LENGTH,
        help_text="What the image shows, for readers who cannot see it. Required.",
    )
    caption = _text(events.MAX_CAPTION_LENGTH, required=False, allow_blank=True, default="")
    credit = _text(
        events.MAX_CREDIT_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text="Photographer or agency, shown under the image.",
    )


class BlogsQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Blog.Status.choices, required=False)
    cursor = serializers.CharField(required=False, help_text="From a page's next/previous link.")
    limit = serializers.IntegerField(min_value=1, max_value=100, default=20)


#: The desk's lists of unpublished updates (``?status=``).
DESK_QUEUES = [
    DeskEntry.Status.DRAFT,
    DeskEntry.Status.SCHEDULED,
    DeskEntry.Status.SUBMITTED,
    DeskEntry.Status.RETURNED,
]


class EntriesQuerySerializer(serializers.Serializer):
    cursor = serializers.CharField(required=False, help_text="From a page's next/previous link.")
    limit = serializers.IntegerField(min_value=1, max_value=100, default=20)
    # The query parameter's name; DRF's metaclass takes it off the class (Field.label).
    label = _text(  # type: ignore[assignment]
        events.MAX_LABEL_LENGTH, required=False, help_text="Only entries with this label."
    )
    status = serializers.ChoiceField(
        choices=DESK_QUEUES,
        required=False,
        help_text="Members only: the desk's unpublished updates in this state, newest first "
        "(a contributor sees their own).",
    )


class SeqField(serializers.IntegerField):
    """A seq in the query string, read as the pages and the push channel read one.

    ASCII digits only (``liveblog.params``); DRF's IntegerField would also take " 7", "7.0"
    and Arabic-Indic digits.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=0, max_value=MAX_NUMBER, **kwargs)

    def to_internal_value(self, data: Any) -> int:
        number = whole_number(data) if isinstance(data, str) else None
        if number is None:
            self.fail("invalid")
        return number


class EventsQuerySerializer(serializers.Serializer):
    after = SeqField(
        default=0,
        help_text="Events with a seq above this, up to the next multiple of `limit`: pages are "
        "aligned so that every reader asks for the same ones.",
    )
    limit = serializers.IntegerField(
        min_value=1,
        max_value=500,
        default=100,
        help_text="The page size; pages end on its multiples. Keep the default to share caches.",
    )
