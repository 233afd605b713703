"""Reads: blogs, entries and the log, and the one JSON shape clients see for them."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet

from liveblog import access
from liveblog.errors import BlogNotFoundError, EntryNotFoundError
from liveblog.media import file_url
from liveblog.models import Blog, Entry, EntryRevision, Event, Media

logger = logging.getLogger(__name__)


def blogs_visible_to(user: access.User) -> QuerySet[Blog]:
    """Readers see live and closed blogs; members (``liveblog.access``) also see their drafts."""
    public = Blog.objects.exclude(status=Blog.Status.DRAFT)
    if not access.is_editor(user):
        return public
    return (public | access.member_blogs(user)).distinct()


def blogs_for_readers() -> list[Blog]:
    """Public blogs, live ones first, then the most recently updated.

    A blog named before slugs were checked (``liveblog.slugs``) has no address to link to:
    it is left out, with a warning in the log, rather than failing the list for everybody.
    ``manage.py check --database default`` names such blogs and how to rename them.
    """
    from django.db.models import Case, IntegerField, Value, When

    blogs = (
        Blog.objects.exclude(status=Blog.Status.DRAFT)
        .annotate(
            live_first=Case(
                When(status=Blog.Status.LIVE, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("live_first", "-updated_at", "slug")
    )
    listed: list[Blog] = []
    for blog in blogs:
        if blog.has_address:
            listed.append(blog)
        else:
            logger.warning(
                "Blog %s has the slug %r, which no URL can hold; left out of the list of "
                "blogs. Rename it in the admin.",
                blog.pk,
                blog.slug,
            )
    return listed


def blog_get(*, slug: str, user: access.User = None) -> Blog:
    try:
        return blogs_visible_to(user).get(slug=slug)
    except Blog.DoesNotExist:
        raise BlogNotFoundError(f"There is no blog called {slug!r}.") from None


def entries_for_blog(blog: Blog) -> QuerySet[Entry]:
    """Entries newest first (by newsroom time), as readers see them."""
    return Entry.objects.filter(blog=blog).order_by("-occurred_at", "-published_seq")


def entries_pinned(blog: Blog) -> QuerySet[Entry]:
    return entries_for_blog(blog).filter(pinned=True)


def entries_key_events(blog: Blog) -> QuerySet[Entry]:
    return entries_for_blog(blog).filter(key_event=True)


def entry_get(*, blog: Blog, entry_id: Any) -> Entry:
    try:
        return Entry.objects.select_related("blog").get(blog=blog, pk=entry_id)
    except (Entry.DoesNotExist, ValueError):
        raise EntryNotFoundError(f"There is no entry {entry_id} in {blog.slug!r}.") from None


def entry_revisions(entry: Entry) -> QuerySet[EntryRevision]:
    return entry.revisions.order_by("number")


def events_after(blog: Blog | int, after: int = 0, *, limit: int | None = None) -> QuerySet[Event]:
    """The blog's log after ``after``, in seq order: the source of truth for catch-up."""
    blog_id = blog if isinstance(blog, int) else blog.pk
    log = Event.objects.filter(blog_id=blog_id, seq__gt=after).order_by("seq")
    return log[:limit] if limit is not None else log


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _file_as_dict(file: dict[str, Any]) -> dict[str, Any]:
    return {"url": file_url(file["name"]), "width": file["width"], "height": file["height"]}


def media_as_dict(media: Media | dict[str, Any]) -> dict[str, Any]:
    """An image: its details and renditions (narrowest first; ``url`` is the widest)."""
    data = media if isinstance(media, dict) else _media_ref(media)
    files = data["files"]
    return {
        "id": str(data["id"]),
        "url": file_url(files[-1]["name"]),
        "width": files[-1]["width"],
        "height": files[-1]["height"],
        "content_type": data["content_type"],
        "alt": data["alt"],
        "caption": data["caption"],
        "credit": data["credit"],
        "renditions": [_file_as_dict(file) for file in files],
    }


def _media_ref(media: Media) -> dict[str, Any]:
    from liveblog.content import media_ref

    return media_ref(media)


def embed_as_dict(embed: dict[str, Any]) -> dict[str, Any]:
    """An embedded post as captured at publishing; ``html`` is the provider's player."""
    thumbnail = embed["thumbnail"]
    return {
        "url": embed["url"],
        "provider": embed["provider"],
        "kind": embed["kind"],
        "title": embed["title"],
        "author": embed["author"],
        "author_url": embed["author_url"],
        "thumbnail": _file_as_dict(thumbnail) if thumbnail else None,
        "html": embed["html"],
    }


def entry_as_dict(entry: Entry) -> dict[str, Any]:
    """The entry as the API and the push channel show it, to anyone.

    A retracted entry's text is withheld: readers get the notice, not what was withdrawn
    (editors still read it in the admin). So are its correction reasons, which describe
    the withdrawn text and often quote it. Editors' login names are never shown.
    """
    retracted = entry.is_retracted
    return {
        "id": str(entry.id),
        "headline": "" if retracted else entry.headline,
        "body": "" if retracted else entry.body,
        "body_html": "" if retracted else entry.body_html,
        "occurred_at": _iso(entry.occurred_at),
        "status": entry.status,
        "pinned": entry.pinned,
        "key_event": entry.key_event,
        "revision": entry.revision,
        "published_at": _iso(entry.published_at),
        "updated_at": _iso(entry.updated_at),
        "last_corrected_at": _iso(entry.last_corrected_at),
        "correction_reason": "" if retracted else entry.correction_reason,
        "retracted_at": _iso(entry.retracted_at),
        "retraction_reason": entry.retraction_reason,
        "media": [] if retracted else [media_as_dict(item) for item in entry.media],
        "embeds": [] if retracted else [embed_as_dict(item) for item in entry.embeds],
    }


def revision_as_dict(revision: EntryRevision, *, retracted: bool) -> dict[str, Any]:
    """One revision of an entry; a retracted entry's revisions keep only their times."""
    return {
        "number": revision.number,
        "headline": "" if retracted else revision.headline,
        "body": "" if retracted else revision.body,
        "body_html": "" if retracted else revision.body_html,
        "reason": "" if retracted else revision.reason,
        "seq": revision.seq,
        "recorded_at": _iso(revision.recorded_at),
        "media": [] if retracted else [media_as_dict(item) for item in revision.media],
        "embeds": [] if retracted else [embed_as_dict(item) for item in revision.embeds],
    }


def blog_as_dict(blog: Blog) -> dict[str, Any]:
    return {
        "slug": blog.slug,
        "title": blog.title,
        "description": blog.description,
        "time_zone": blog.time_zone,
        "status": blog.status,
        "coverage_start": _iso(blog.coverage_start),
        "coverage_end": _iso(blog.coverage_end),
        "last_seq": blog.last_seq,
        "updated_at": _iso(blog.updated_at),
    }


MEDIA_UPLOADED = "media.uploaded"


def events_as_dicts(events: Sequence[Event]) -> list[dict[str, Any]]:
    """Log events as push messages: seq, type and the entry (or blog) as it is now.

    Entries and blogs are fetched in one query each, so a catch-up of many events stays cheap.
    """
    entry_ids = {event.entry_id for event in events if event.entry_id is not None}
    blog_ids = {
        event.blog_id for event in events if event.entry_id is None and event.type != MEDIA_UPLOADED
    }
    entries = {entry.id: entry for entry in Entry.objects.filter(pk__in=entry_ids)}
    blogs = {blog.pk: blog for blog in Blog.objects.filter(pk__in=blog_ids)}
    messages = []
    for event in events:
        message: dict[str, Any] = {
            "seq": event.seq,
            "type": event.type,
            "occurred_at": _iso(event.occurred_at),
            "recorded_at": _iso(event.recorded_at),
        }
        if event.entry_id is not None:
            entry = entries.get(event.entry_id)
            message["entry"] = entry_as_dict(entry) if entry else None
        elif event.type == MEDIA_UPLOADED:
            # Withheld: an upload may be embargoed, or its entry retracted. Readers see an
            # image only through the entries that show it.
            message["media"] = None
        else:
            message["blog"] = blog_as_dict(blogs[event.blog_id])
        messages.append(message)
    return messages


# --- Reader pages ------------------------------------------------------------------------

#: Entries per page on the reader page, its "older updates" fragments and the Atom feed.
READER_PAGE_SIZE = 50


def reader_page(
    blog: Blog,
    *,
    key_events_only: bool = False,
    before: int | None = None,
    size: int = READER_PAGE_SIZE,
) -> tuple[list[Entry], int | None]:
    """A page of entries newest first, and the cursor of the next page (None on the last).

    The cursor is the ``published_seq`` of the page's last entry rather than an offset, so
    entries published while a reader pages back do not shift the pages under them. Pinned
    entries are shown apart, above the timeline, so they are left out of it; the key events
    view keeps them. Raises EntryNotFoundError for a cursor that names no entry of the blog.
    """
    from django.db.models import Q

    entries = entries_for_blog(blog)
    entries = entries.filter(key_event=True) if key_events_only else entries.filter(pinned=False)
    if before is not None:
        cursor = Entry.objects.filter(blog=blog, published_seq=before).values("occurred_at")
        found = cursor.first()
        if found is None:
            raise EntryNotFoundError(
                f"There is no entry published at seq {before} in {blog.slug!r}."
            )
        at = found["occurred_at"]
        older = Q(occurred_at__lt=at) | Q(occurred_at=at, published_seq__lt=before)
        entries = entries.filter(older)
    rows = list(entries[: size + 1])
    next_before = rows[size - 1].published_seq if len(rows) > size else None
    return rows[:size], next_before
