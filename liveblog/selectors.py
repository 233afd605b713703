"""Reads: blogs, entries, the desk and the log (their JSON shape: ``liveblog.api.serializers``)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.db.models import Count, QuerySet

from liveblog import access
from liveblog.bylines import Byline
from liveblog.errors import BlogNotFoundError, EntryNotFoundError
from liveblog.models import Blog, DeskEntry, Entry, EntryLabel, Event, MediaUse, Membership

if TYPE_CHECKING:
    # Read through their entry (``entry_revisions``), never on their own.
    from liveblog.models import EntryRevision

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


def with_label(entries: QuerySet[Entry], blog: Blog, label: str) -> QuerySet[Entry]:
    """Only the entries carrying ``label`` (as the blog spells it, any case)."""
    wanted = next((name for name in blog.labels if name.casefold() == label.casefold()), label)
    tagged = EntryLabel.objects.filter(blog=blog, name=wanted).values("entry_id")
    return entries.filter(pk__in=tagged)


def blog_contributors(blog: Blog) -> list[Byline]:
    """The bylines of the blog's updates (retracted ones aside), the most frequent first."""
    rows = (
        Entry.objects.filter(blog=blog, status=Entry.Status.PUBLISHED)
        .exclude(author_name="")
        .values("author_name", "author_role", "author_location")
        .annotate(updates=Count("pk"))
        .order_by("-updates", "author_name")
    )
    return [Byline(row["author_name"], row["author_role"], row["author_location"]) for row in rows]


def entries_pinned(blog: Blog) -> QuerySet[Entry]:
    return entries_for_blog(blog).filter(pinned=True)


def entries_key_events(blog: Blog) -> QuerySet[Entry]:
    return entries_for_blog(blog).filter(key_event=True)


def entry_get(*, blog: Blog, entry_id: Any) -> Entry:
    try:
        return Entry.objects.select_related("blog").get(blog=blog, pk=entry_id)
    except (Entry.DoesNotExist, ValueError):
        raise EntryNotFoundError(f"There is no entry {entry_id} in {blog.slug!r}.") from None


def desk_entries(
    blog: Blog, user: access.User, *, status: str | None = None
) -> QuerySet[DeskEntry]:
    """The desk's unpublished updates a member sees, newest change first.

    Editors see every one; a contributor their own. Non-members see none.
    """
    role = access.role_of(user, blog)
    if role is None:
        return DeskEntry.objects.none()
    entries = DeskEntry.objects.filter(blog=blog)
    if status is not None:
        entries = entries.filter(status=status)
    if role is Membership.Role.CONTRIBUTOR:
        assert user is not None
        entries = entries.filter(written_by=user.get_username())
    return entries.order_by("-updated_at", "-last_seq")


def desk_entry_get(*, blog: Blog, entry_id: Any, user: access.User) -> DeskEntry:
    """One unpublished update the user may see (``desk_entries``), or EntryNotFoundError."""
    try:
        return desk_entries(blog, user).get(pk=entry_id)
    except (DeskEntry.DoesNotExist, ValueError):
        raise EntryNotFoundError(f"There is no entry {entry_id} in {blog.slug!r}.") from None


def scheduled_updates(blog: Blog) -> QuerySet[DeskEntry]:
    """What the schedule will publish, soonest first (the desk's queue)."""
    return DeskEntry.objects.filter(blog=blog, status=DeskEntry.Status.SCHEDULED).order_by(
        "publish_at"
    )


def members(blog: Blog) -> QuerySet[Membership]:
    return Membership.objects.filter(blog=blog).select_related("user").order_by("user__username")


def entry_revisions(entry: Entry) -> QuerySet[EntryRevision]:
    return entry.revisions.order_by("number")


def events_after(blog: Blog | int, after: int = 0, *, limit: int | None = None) -> QuerySet[Event]:
    """The blog's log after ``after``, in seq order: the source of truth for catch-up."""
    blog_id = blog if isinstance(blog, int) else blog.pk
    log = Event.objects.filter(blog_id=blog_id, seq__gt=after).order_by("seq")
    return log[:limit] if limit is not None else log


# --- Reader pages ------------------------------------------------------------------------

#: Entries per page on the reader page, its "older updates" fragments and the Atom feed.
READER_PAGE_SIZE = 50


def reader_page(
    blog: Blog,
    *,
    key_events_only: bool = False,
    before: int | None = None,
    size: int = READER_PAGE_SIZE,
    label: str | None = None,
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
    if label:
        entries = with_label(entries, blog, label)
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


def media_withdrawn_from(name: str) -> set[int]:
    """The blogs a stored file was withdrawn from: all if every entry that showed it is retracted.

    Empty (not withdrawn) for an upload no entry shows yet, and for a file that a live entry
    shows, in any of its revisions, in any blog.
    """
    uses = list(MediaUse.objects.filter(name=name).values_list("blog_id", "entry__status"))
    if any(status != Entry.Status.RETRACTED for _, status in uses):
        return set()
    return {blog_id for blog_id, _ in uses}
