"""The event store (Blog streams and their append-only Event log) and the projection tables.

Only ``liveblog.commands`` appends events and only ``liveblog.projections`` writes the
projection tables; everything else reads.
"""

from __future__ import annotations

import uuid
import zoneinfo
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from liveblog import events, slugs, zones
from liveblog.errors import EventLogImmutableError


def validate_time_zone(value: str) -> None:
    if not zones.is_time_zone(value):
        raise ValidationError(
            "%(value)s is not a known time zone; use an IANA name such as %(example)s.",
            params={"value": value, "example": zones.EXAMPLE},
        )


class Blog(models.Model):
    """One live blog and its event stream. Its fields are projected from blog.* events."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        LIVE = "live", "Live"
        CLOSED = "closed", "Closed"

    slug = models.SlugField(max_length=slugs.MAX_LENGTH, unique=True)
    title = models.CharField(max_length=events.MAX_TITLE_LENGTH)
    description = models.TextField(blank=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    coverage_start = models.DateTimeField(null=True, blank=True)
    coverage_end = models.DateTimeField(null=True, blank=True)
    # The stream's version: seq of its newest event. Appends lock this row and bump it.
    last_seq = models.PositiveBigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(null=True, editable=False)
    updated_at = models.DateTimeField(null=True, editable=False)
    #: The labels its editors may give updates (blog.created, blog.labels_changed).
    labels = models.JSONField(default=list, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Membership",
        blank=True,
        related_name="liveblogs",
        help_text="Editors and contributors of this blog (see Membership).",
    )

    class Meta:
        ordering = ["-updated_at", "slug"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("liveblog:blog", kwargs={"slug": self.slug})

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zones.zone_named(self.time_zone)

    @property
    def is_public(self) -> bool:
        return self.status != self.Status.DRAFT

    @property
    def has_address(self) -> bool:
        """Whether a URL can be built for the blog (a slug from before ``liveblog.slugs``)."""
        return slugs.is_valid(self.slug)

    @property
    def slug_can_change(self) -> bool:
        """Whether the blog may be renamed: nobody outside the newsroom holds its links yet.

        That is while it is a draft, or when its slug never made a working address. Once
        readers, feeds and search engines have its links (and the push channel's processes
        know it by its slug), the address stays.
        """
        return self.status == self.Status.DRAFT or not self.has_address


class Membership(models.Model):
    """A user's role in one blog: editors publish, contributors submit for approval.

    Access control (``liveblog.access``), not part of the log: saved directly by the admin and
    the members API.
    """

    class Role(models.TextChoices):
        EDITOR = "editor", "Editor"
        CONTRIBUTOR = "contributor", "Contributor"

    blog = models.ForeignKey(Blog, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(
        max_length=20,
        choices=Role.choices,
        default=Role.EDITOR,
        help_text="Editors publish and approve; contributors' updates wait for an editor.",
    )

    class Meta:
        ordering = ["blog", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["blog", "user"], name="liveblog_membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display().lower()})"


class Profile(models.Model):
    """How a user is named to readers in bylines: "Ana Petrosyan, Correspondent, in Yerevan".

    Each user edits their own. Without one, the byline is the user's full name; the login
    name is never shown to readers (``liveblog.bylines``).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="byline_profile"
    )
    display_name = models.CharField(
        max_length=events.MAX_AUTHOR_LENGTH,
        blank=True,
        help_text="As readers see it, e.g. Ana Petrosyan. Empty: your first and last name.",
    )
    role = models.CharField(
        max_length=events.MAX_AUTHOR_LENGTH, blank=True, help_text="Optional, e.g. Correspondent."
    )
    location = models.CharField(
        max_length=events.MAX_AUTHOR_LENGTH,
        blank=True,
        help_text="Optional: where you report from, e.g. Yerevan (shown as “in Yerevan”).",
    )

    class Meta:
        verbose_name = "byline"

    def __str__(self) -> str:
        return self.display_name or str(self.user)


#: The size of every ``actor`` column: who wrote an event (and the rows it projects into).
MAX_ACTOR_LENGTH = 150


class EventQuerySet(models.QuerySet):
    """Refuses bulk changes: the log is append-only."""

    def update(self, **kwargs: Any) -> int:
        raise EventLogImmutableError("Events cannot be changed; append a new event instead.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise EventLogImmutableError("Events cannot be deleted; the log is append-only.")

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        raise EventLogImmutableError("Events cannot be changed; append a new event instead.")


class Event(models.Model):
    """One thing that happened in a blog's stream. Never updated, never deleted.

    Database triggers (migration 0002) enforce this below the ORM as well.
    """

    blog = models.ForeignKey(Blog, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveBigIntegerField()
    type = models.CharField(max_length=64)
    entry_id = models.UUIDField(null=True, blank=True)
    payload = models.JSONField()
    schema_version = models.PositiveSmallIntegerField(default=1)
    occurred_at = models.DateTimeField(help_text="Newsroom time: when it happened.")
    recorded_at = models.DateTimeField(help_text="When it entered the log.")
    actor = models.CharField(max_length=MAX_ACTOR_LENGTH)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["blog", "seq"]
        constraints = [
            # The optimistic-concurrency guard: two writers can never both take a seq.
            models.UniqueConstraint(fields=["blog", "seq"], name="liveblog_event_unique_seq"),
            models.CheckConstraint(condition=models.Q(seq__gte=1), name="liveblog_event_seq_gte_1"),
        ]
        indexes = [models.Index(fields=["blog", "entry_id"], name="liveblog_event_entry")]

    def __str__(self) -> str:
        return f"{self.blog_id}#{self.seq} {self.type}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise EventLogImmutableError("Events cannot be changed; append a new event instead.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise EventLogImmutableError("Events cannot be deleted; the log is append-only.")

    @property
    def domain_event(self) -> events.DomainEvent:
        return events.decode(self.type, self.schema_version, self.payload, check=False)


class Entry(models.Model):
    """Projection: an entry as readers see it now."""

    class Status(models.TextChoices):
        PUBLISHED = "published", "Published"
        RETRACTED = "retracted", "Retracted"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # No index of its own: the feed index below starts with the blog, and one fewer index
    # to maintain is felt by every publish, import and rebuild.
    blog = models.ForeignKey(Blog, on_delete=models.CASCADE, related_name="entries", db_index=False)
    headline = models.CharField(max_length=events.MAX_HEADLINE_LENGTH, blank=True)
    body = models.TextField()
    body_html = models.TextField()
    occurred_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    pinned = models.BooleanField(default=False)
    key_event = models.BooleanField(default=False)
    revision = models.PositiveIntegerField(default=1)
    #: Who published it: a login name, for the desk and the log; never shown to readers.
    author = models.CharField(max_length=150)
    #: The byline readers see (``liveblog.bylines``); "" where the update names nobody.
    author_name = models.CharField(max_length=events.MAX_AUTHOR_LENGTH, blank=True, default="")
    author_role = models.CharField(max_length=events.MAX_AUTHOR_LENGTH, blank=True, default="")
    author_location = models.CharField(max_length=events.MAX_AUTHOR_LENGTH, blank=True, default="")
    labels = models.JSONField(default=list, blank=True)
    published_seq = models.PositiveBigIntegerField()
    published_at = models.DateTimeField()
    last_seq = models.PositiveBigIntegerField()
    updated_at = models.DateTimeField()
    last_corrected_at = models.DateTimeField(null=True, blank=True)
    correction_reason = models.TextField(blank=True)
    retracted_at = models.DateTimeField(null=True, blank=True)
    retraction_reason = models.TextField(blank=True)
    #: The images and embeds the current text shows, as its event carries them.
    media = models.JSONField(default=list, blank=True)
    embeds = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-published_seq"]
        verbose_name_plural = "entries"
        indexes = [
            models.Index(
                fields=["blog", "-occurred_at", "-published_seq"], name="liveblog_entry_feed"
            ),
        ]

    def __str__(self) -> str:
        return self.headline or self.body[:60]

    def get_absolute_url(self) -> str:
        return reverse("liveblog:entry", kwargs={"slug": self.blog.slug, "entry_id": self.id})

    @property
    def is_retracted(self) -> bool:
        return self.status == self.Status.RETRACTED


class EntryLabel(models.Model):
    """Projection: one label of one entry, so that readers and the API filter by label."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="label_rows")
    blog = models.ForeignKey(Blog, on_delete=models.CASCADE, related_name="+", db_index=False)
    name = models.CharField(max_length=events.MAX_LABEL_LENGTH)

    class Meta:
        indexes = [models.Index(fields=["blog", "name"], name="liveblog_entrylabel_name")]

    def __str__(self) -> str:
        return self.name


class DeskEntry(models.Model):
    """Projection of the desk: an update not published yet, and what became of it.

    Only the blog's members ever see these rows. Its id is the id the entry will have once
    published; a published or cancelled one stays, so that the desk shows outcomes.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        SUBMITTED = "submitted", "Submitted"
        RETURNED = "returned", "Returned"
        PUBLISHED = "published", "Published"
        CANCELLED = "cancelled", "Cancelled"

    #: The states in which it can still be changed, published or cancelled.
    OPEN = (Status.DRAFT, Status.SCHEDULED, Status.SUBMITTED, Status.RETURNED)

    id = models.UUIDField(primary_key=True, editable=False)
    blog = models.ForeignKey(Blog, on_delete=models.CASCADE, related_name="desk_entries")
    status = models.CharField(max_length=10, choices=Status.choices)
    headline = models.CharField(max_length=events.MAX_HEADLINE_LENGTH, blank=True)
    body = models.TextField()
    body_html = models.TextField()
    key_event = models.BooleanField(default=False)
    pinned = models.BooleanField(default=False)
    author_name = models.CharField(max_length=events.MAX_AUTHOR_LENGTH, blank=True)
    author_role = models.CharField(max_length=events.MAX_AUTHOR_LENGTH, blank=True)
    author_location = models.CharField(max_length=events.MAX_AUTHOR_LENGTH, blank=True)
    labels = models.JSONField(default=list, blank=True)
    media = models.JSONField(default=list, blank=True)
    embeds = models.JSONField(default=list, blank=True)
    #: The newsroom time the entry will show; None: the moment it is published.
    occurred_at = models.DateTimeField(null=True, blank=True)
    publish_at = models.DateTimeField(null=True, blank=True)
    #: Why an editor sent it back (the latest return).
    note = models.TextField(blank=True)
    #: Login names, for the desk: who wrote it first, and who scheduled it last.
    written_by = models.CharField(max_length=150)
    scheduled_by = models.CharField(max_length=150, blank=True)
    #: Who published, returned or cancelled it last.
    decided_by = models.CharField(max_length=150, blank=True)
    #: Bumped by every change of its text: send it back as ``based_on_revision``.
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    last_seq = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["-updated_at"]
        verbose_name_plural = "desk entries"
        indexes = [
            models.Index(fields=["blog", "status"], name="liveblog_deskentry_status"),
            # What the schedule looks for every second, in every server process.
            models.Index(fields=["status", "publish_at"], name="liveblog_deskentry_due"),
        ]

    def __str__(self) -> str:
        return self.headline or self.body[:60]

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class EntryRevision(models.Model):
    """Projection: what an entry said at each revision, so no correction hides the past."""

    # Indexed by the unique (entry, number) constraint, which starts with the entry.
    entry = models.ForeignKey(
        Entry, on_delete=models.CASCADE, related_name="revisions", db_index=False
    )
    number = models.PositiveIntegerField()
    headline = models.CharField(max_length=events.MAX_HEADLINE_LENGTH, blank=True)
    body = models.TextField()
    body_html = models.TextField()
    reason = models.TextField(blank=True)
    seq = models.PositiveBigIntegerField()
    recorded_at = models.DateTimeField()
    actor = models.CharField(max_length=MAX_ACTOR_LENGTH)
    media = models.JSONField(default=list, blank=True)
    embeds = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["entry", "number"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "number"], name="liveblog_revision_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} r{self.number}"


class Media(models.Model):
    """Projection: an image uploaded to a blog (media.uploaded), with its renditions.

    ``files`` lists the stored renditions, narrowest first; ``name`` is the widest one's
    storage name, the file an entry body refers to.
    """

    id = models.UUIDField(primary_key=True, editable=False)
    blog = models.ForeignKey(Blog, on_delete=models.CASCADE, related_name="media", db_index=False)
    name = models.CharField(max_length=80)
    alt = models.TextField()
    caption = models.TextField(blank=True)
    credit = models.CharField(max_length=events.MAX_CREDIT_LENGTH, blank=True)
    content_type = models.CharField(max_length=20)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    files = models.JSONField()
    seq = models.PositiveBigIntegerField()
    uploaded_at = models.DateTimeField()
    actor = models.CharField(max_length=MAX_ACTOR_LENGTH)

    class Meta:
        ordering = ["-seq"]
        verbose_name_plural = "media"
        indexes = [models.Index(fields=["blog", "name"], name="liveblog_media_name")]

    def __str__(self) -> str:
        return self.alt[:60]


class MediaUse(models.Model):
    """Projection: a stored file that an entry shows or showed, in any of its revisions.

    One row per entry and file (an upload's renditions, an embed's thumbnail). Readers may
    load a file unless every entry that ever showed it is retracted (``liveblog.media``).
    """

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="+", db_index=False)
    blog = models.ForeignKey(Blog, on_delete=models.CASCADE, related_name="+", db_index=False)
    name = models.CharField(max_length=80)

    class Meta:
        indexes = [
            models.Index(fields=["name"], name="liveblog_mediause_name"),
            models.Index(fields=["blog"], name="liveblog_mediause_blog"),
        ]

    def __str__(self) -> str:
        return self.name


class ApiToken(models.Model):
    """A key an editor gives to a newsroom tool to act as them over the API.

    Only a SHA-256 digest of the key is stored: the key itself is shown once, when the token is
    created, and cannot be recovered. Revoked tokens are kept (``revoked_at``) so the admin
    still shows who had which tool connected and until when.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What uses it, e.g. “agency alerts bot”.")
    key_digest = models.CharField(max_length=64, unique=True, editable=False)
    # The key's first characters, so an editor can tell which key a tool was given.
    prefix = models.CharField(max_length=12, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


# Webhook subscribers live in their own package; imported here so Django registers them.
from liveblog.webhooks.models import Webhook, WebhookDelivery  # noqa: E402, F401
