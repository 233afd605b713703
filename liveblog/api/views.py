"""API views: thin. Serializers check the request's shape, commands do the work, selectors read.

Domain errors (``liveblog.errors``) are not caught here: ``liveblog.api.exceptions`` turns
them into responses, so a view reads as the happy path.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, NoReturn

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import patch_vary_headers
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotAuthenticated, NotFound, PermissionDenied
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import SAFE_METHODS, AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.serializers import Serializer
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from liveblog import access, bylines, commands, images, selectors
from liveblog.api import serializers as s
from liveblog.api.conditional import Validators
from liveblog.api.pagination import BlogPagination, DeskEntryPagination, EntryPagination, LogPage
from liveblog.api.permissions import IsBlogMember
from liveblog.api.schema import (
    CONDITIONAL_REQUEST_HEADERS,
    NOT_MODIFIED,
    error_responses,
    location_header,
    validator_headers,
)
from liveblog.api.throttling import AnonThrottle, MediaThrottle, WriteThrottle
from liveblog.errors import EntryNotFoundError, InvalidTransitionError
from liveblog.models import Blog, DeskEntry, Entry, Membership

READ_ERRORS = (400, 401, 404, 429, 503)
WRITE_ERRORS = (400, 401, 403, 404, 409, 413, 429, 503)


class ApiView(APIView):
    """Anyone may read what they can see; writes need a member of the blog."""

    def get_permissions(self) -> list[BasePermission]:
        if self.request.method in SAFE_METHODS:
            return [AllowAny()]
        return [IsBlogMember()]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = super().dispatch(request, *args, **kwargs)
        # Members see drafts others do not, so the answer depends on who asks.
        patch_vary_headers(response, ("Authorization", "Cookie"))
        return response

    def get_blog(self, slug: str) -> Blog:
        """The blog if the user may see it (404 otherwise); for writes, only to its members."""
        blog = selectors.blog_get(slug=slug, user=self.request.user)
        if self.request.method not in SAFE_METHODS:
            self.check_object_permissions(self.request, blog)
        return blog

    def get_entry(self, slug: str, entry_id: uuid.UUID) -> Entry:
        return selectors.entry_get(blog=self.get_blog(slug), entry_id=entry_id)

    def get_desk_entry(self, blog: Blog, entry_id: uuid.UUID) -> DeskEntry:
        """An unpublished update the user may see: a member's (404 for anyone else)."""
        return selectors.desk_entry_get(blog=blog, entry_id=entry_id, user=self.request.user)

    def require(self, blog: Blog, action: access.Action, item: DeskEntry | None = None) -> None:
        """Refuse (401 or 403) unless the user may take ``action``, as ``access`` decides."""
        user = self.request.user
        if not user.is_authenticated:
            raise NotAuthenticated()
        if not access.may(user, blog, action, item=item):
            raise PermissionDenied(_REFUSALS.get(action, IsBlogMember.message))

    def desk_response(
        self, entry: DeskEntry, code: int = status.HTTP_200_OK, *, written: bool = False
    ) -> Response:
        shape = s.DeskEntryWrittenSerializer if written else s.DeskEntrySerializer
        return Response(shape(entry).data, status=code)

    def located(self, response: Response, view_name: str, **kwargs: Any) -> Response:
        """``response`` with a Location header: the URL of what it created."""
        response["Location"] = reverse(view_name, kwargs=kwargs, request=self.request)
        return response

    @property
    def actor(self) -> str:
        return self.request.user.get_username()

    def query(self, serializer_class: type[Serializer]) -> dict[str, Any]:
        serializer = serializer_class(data=self.request.query_params)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def body(self, serializer_class: type[Serializer]) -> dict[str, Any]:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def change_entry(
        self,
        slug: str,
        entry_id: uuid.UUID,
        command: Callable[..., Entry],
        *,
        body: type[Serializer] | None = None,
        serializer: type[Serializer] = s.EntryDetailSerializer,
    ) -> Response:
        """Run a command on a published entry, with the request's ``body`` if it takes one."""
        entry = self.get_entry(slug, entry_id)
        data = self.body(body) if body is not None else {}
        changed = command(entry=entry, actor=self.actor, **data)
        return self.entry_response(changed, serializer=serializer)

    def entry_response(
        self,
        entry: Entry,
        code: int = status.HTTP_200_OK,
        *,
        serializer: type[Serializer] = s.EntryDetailSerializer,
    ) -> Response:
        """The entry with its revisions, after a write, with the validators of that state."""
        response = Response(serializer(entry).data, status=code)
        return _entry_validators(entry).apply(response, self.request)


_REFUSALS = {
    access.Action.PUBLISH: "Only the blog's editors may publish, schedule or approve updates; "
    "as a contributor, send your update for approval (POST it to the blog's entries).",
    access.Action.REVISE: "Only the blog's editors, or the contributor who wrote it while it "
    "waits for approval, may change this update.",
    access.Action.MANAGE_MEMBERS: "Only the blog's editors may see and change its members.",
    access.Action.CHANGE_BLOG: "Only the blog's editors may change it.",
}


def _either(component_name: str, *shapes: type[Serializer]) -> PolymorphicProxySerializer:
    """A response in one of ``shapes`` (an entry, or an unpublished update), told apart by
    their fields: they share no type field."""
    return PolymorphicProxySerializer(
        component_name=component_name, serializers=list(shapes), resource_type_field_name=None
    )


def _created_or_found(created: bool) -> int:
    """201 for what this request created; 200 for what an identical one created before."""
    return status.HTTP_201_CREATED if created else status.HTTP_200_OK


def _entry_validators(entry: Entry) -> Validators:
    return Validators.of("entry", entry.pk, entry.last_seq, last_modified=entry.updated_at)


def _query_string(request: Request) -> str:
    return "&".join(sorted(f"{k}={v}" for k, values in request.GET.lists() for v in values))


# --- Blogs ----------------------------------------------------------------------------


class BlogListView(ApiView):
    @extend_schema(
        operation_id="blogs_list",
        summary="Blogs you can see, newest first",
        tags=["blogs"],
        parameters=[
            s.BlogsQuerySerializer,
            *CONDITIONAL_REQUEST_HEADERS,
            *validator_headers(200, 304, last_modified=False),
        ],
        responses={
            200: s.BlogPageSerializer,
            304: NOT_MODIFIED,
            **error_responses(400, 401, 429, 503),
        },
    )
    def get(self, request: Request) -> HttpResponseBase:
        """Live and closed blogs; signed-in members also see their drafts."""
        query = self.query(s.BlogsQuerySerializer)
        blogs = selectors.blogs_visible_to(request.user)
        if "status" in query:
            blogs = blogs.filter(status=query["status"])
        # Which blogs, each at which seq: every change to a blog is an event that moves its
        # last_seq, so the pairs name the list's state (a count and sums could collide). No
        # Last-Modified: being made a member shows a draft without changing any time.
        state = blogs.order_by("id").values_list("id", "last_seq")
        user = request.user.pk if request.user.is_authenticated else "-"
        validators = Validators.of("blogs", user, _query_string(request), *state)
        if not_modified := validators.not_modified(request):
            return not_modified
        paginator = BlogPagination()
        page = paginator.paginate_queryset(blogs, request, view=self)
        response = paginator.get_paginated_response(s.BlogSerializer(page, many=True).data)
        return validators.apply(response, request)


class BlogDetailView(ApiView):
    @extend_schema(
        operation_id="blog_retrieve",
        summary="One blog",
        tags=["blogs"],
        parameters=[*CONDITIONAL_REQUEST_HEADERS, *validator_headers(200, 304)],
        responses={200: s.BlogSerializer, 304: NOT_MODIFIED, **error_responses(401, 404, 429, 503)},
    )
    def get(self, request: Request, slug: str) -> HttpResponseBase:
        """The blog; `last_seq` is where to start reading its log or push channel.

        A query string is ignored: a client that finds a cache's copy older than an event it
        read asks again with one no cache has seen (the live client adds `?seq=<the event>`).
        """
        blog = self.get_blog(slug)
        validators = Validators.of("blog", blog.pk, blog.last_seq, last_modified=blog.updated_at)
        if not_modified := validators.not_modified(request):
            return not_modified
        return validators.apply(Response(s.BlogSerializer(blog).data), request)


# --- Entries --------------------------------------------------------------------------


class EntryListView(ApiView):
    #: A POST publishes, or, from a contributor, submits for approval.
    actions = {"POST": access.Action.SUBMIT}

    @extend_schema(
        operation_id="entries_list",
        summary="A blog's entries, newest first (or its unpublished ones, for members)",
        tags=["entries"],
        parameters=[
            s.EntriesQuerySerializer,
            *CONDITIONAL_REQUEST_HEADERS,
            *validator_headers(200, 304),
        ],
        responses={
            200: _either("EntryOrDeskEntryPage", s.EntryPageSerializer, s.DeskEntryPageSerializer),
            304: NOT_MODIFIED,
            **error_responses(*READ_ERRORS, 403),
        },
    )
    def get(self, request: Request, slug: str) -> HttpResponseBase:
        """Entries newest first by newsroom time, retracted ones included; `next` is older.

        `?label=` keeps the entries with that label. `?status=draft|scheduled|submitted|returned`
        lists the desk's unpublished updates in that state instead, newest change first, for
        the blog's members only (401 without a token, 403 for others; a contributor sees
        their own).
        """
        blog = self.get_blog(slug)
        query = self.query(s.EntriesQuerySerializer)
        if "status" in query:
            return self._desk_list(request, blog, query["status"])
        validators = Validators.of(
            "entries", blog.pk, blog.last_seq, _query_string(request), last_modified=blog.updated_at
        )
        if not_modified := validators.not_modified(request):
            return not_modified
        entries = selectors.entries_for_blog(blog)
        if query.get("label"):
            entries = selectors.with_label(entries, blog, query["label"])
        paginator = EntryPagination()
        page = paginator.paginate_queryset(entries, request, view=self)
        response = paginator.get_paginated_response(s.EntrySerializer(page, many=True).data)
        return validators.apply(response, request)

    def _desk_list(self, request: Request, blog: Blog, wanted: str) -> Response:
        self.require(blog, access.Action.SUBMIT)
        paginator = DeskEntryPagination()
        entries = selectors.desk_entries(blog, request.user, status=wanted)
        page = paginator.paginate_queryset(entries, request, view=self)
        return paginator.get_paginated_response(s.DeskEntrySerializer(page, many=True).data)

    @extend_schema(
        operation_id="entry_publish",
        summary="Publish an entry (or save a draft, schedule it, submit it for approval)",
        tags=["entries"],
        request=s.PublishSerializer,
        parameters=[
            location_header("The new entry."),
            *validator_headers(201),
        ],
        responses={
            201: _either(
                "EntryOrDeskEntryWritten", s.EntryWrittenSerializer, s.DeskEntryWrittenSerializer
            ),
            200: _either(
                "EntryOrDeskEntryWrittenAgain",
                s.EntryWrittenSerializer,
                s.DeskEntryWrittenSerializer,
            ),
            **error_responses(*WRITE_ERRORS),
        },
    )
    def post(self, request: Request, slug: str) -> Response:
        """Publish an update; readers get it pushed as soon as it is saved.

        Images uploaded to the blog (`POST .../media/`) are shown where the body names their
        `url` as `![alt text](url)`; a post's URL alone on a line becomes an embed card. What
        readers will not get as written (a remote image, HTML, a `javascript:` link, an embed
        whose provider did not answer) is listed in `warnings`: the entry is published as
        written, and a correction can fix it.

        An editor's `"draft": true` saves it unpublished (`"status": "draft"`, members only);
        `"publish_at"` schedules it (`"status": "scheduled"`): it is published at that time.
        A contributor's update waits for an editor's approval (`"status": "submitted"`),
        whatever it asks for. The byline is the writer's own (their profile) unless `author`
        gives another; `labels` must be among the blog's.
        """
        blog = self.get_blog(slug)
        data = self.body(s.PublishSerializer)
        byline = _byline(data.pop("author", None), request.user)
        draft, publish_at = data.pop("draft"), data.pop("publish_at", None)
        entry_id = data.pop("entry_id", None)
        writing = commands.Writing(**data, byline=byline)
        if access.may(request.user, blog, access.Action.PUBLISH) and not draft and not publish_at:
            published = commands.entry_publish_once(
                blog=blog, actor=self.actor, publication=writing.publication(entry_id=entry_id)
            )
            response = self.entry_response(
                published.entry,
                _created_or_found(published.created),
                serializer=s.EntryWrittenSerializer,
            )
            return self.located(
                response, "api:entry-detail", slug=blog.slug, entry_id=published.entry.pk
            )
        if not access.may(request.user, blog, access.Action.PUBLISH):
            state = DeskEntry.Status.SUBMITTED  # a contributor's: whatever it asked for
        else:
            state = DeskEntry.Status.SCHEDULED if publish_at else DeskEntry.Status.DRAFT
        written = commands.desk_write(
            blog=blog,
            actor=self.actor,
            writing=writing,
            status=state,
            publish_at=publish_at if state == DeskEntry.Status.SCHEDULED else None,
            entry_id=entry_id,
        )
        response = self.desk_response(
            written.entry,
            _created_or_found(written.created),
            written=True,
        )
        return self.located(response, "api:entry-detail", slug=blog.slug, entry_id=written.entry.pk)


def _byline(given: dict[str, str] | None, user: Any) -> bylines.Byline:
    """The byline given for one update, or the writer's own."""
    if given is None:
        return bylines.of_user(user)
    return bylines.Byline(given["name"].strip(), given["role"].strip(), given["location"].strip())


class EntryDetailView(ApiView):
    actions = {"PATCH": access.Action.SUBMIT, "DELETE": access.Action.SUBMIT}

    @extend_schema(
        operation_id="entry_retrieve",
        summary="One entry with all its revisions (or an unpublished one, for members)",
        tags=["entries"],
        parameters=[*CONDITIONAL_REQUEST_HEADERS, *validator_headers(200, 304)],
        responses={
            200: _either("EntryOrDeskEntry", s.EntryDetailSerializer, s.DeskEntrySerializer),
            304: NOT_MODIFIED,
            **error_responses(401, 404, 429, 503),
        },
    )
    def get(self, request: Request, slug: str, entry_id: uuid.UUID) -> HttpResponseBase:
        """The entry as it is now, and what it said at every revision, oldest first.

        An update not published yet (a draft, scheduled, submitted, returned or cancelled)
        is shown to the blog's members only, with its `status`; 404 for anyone else. A query
        string is ignored: a client that finds a cache's copy older than an event it read
        (`updated_at` before the event's `recorded_at`) asks again with one no cache has seen
        (the live client adds `?seq=<the event>`).
        """
        blog = self.get_blog(slug)
        try:
            entry = selectors.entry_get(blog=blog, entry_id=entry_id)
        except EntryNotFoundError:
            return self.desk_response(self.get_desk_entry(blog, entry_id))
        validators = _entry_validators(entry)
        if not_modified := validators.not_modified(request):
            return not_modified
        return validators.apply(Response(s.EntryDetailSerializer(entry).data), request)

    @extend_schema(
        operation_id="entry_change_unpublished",
        summary="Change an unpublished update: edit, reschedule",
        tags=["entries"],
        request=s.DeskChangeSerializer,
        responses={200: s.DeskEntryWrittenSerializer, **error_responses(*WRITE_ERRORS)},
    )
    def patch(self, request: Request, slug: str, entry_id: uuid.UUID) -> Response:
        """Change a draft, a scheduled update or a submission before it is published.

        Only the fields sent change. Editors change any (edit a submission, then approve it
        with `POST .../publish/`); `publish_at` schedules a draft or reschedules (null: back
        to a draft). A contributor changes their own while it waits; a returned one goes
        back to the editors. `based_on_revision` refuses the change (409, with `current`)
        when someone changed it since. A published entry is changed with `.../correct/`.
        """
        blog = self.get_blog(slug)
        item = self._unpublished(blog, entry_id)
        self.require(blog, access.Action.REVISE, item)
        data = self.body(s.DeskChangeSerializer)
        rescheduling = "publish_at" in data
        if rescheduling:
            self.require(blog, access.Action.PUBLISH)
        when = data.pop("publish_at", None)
        based_on_revision = data.pop("based_on_revision", None)
        with transaction.atomic():
            if data:
                item = commands.desk_revise(
                    entry=item,
                    actor=self.actor,
                    writing=_rewritten(item, data, request.user),
                    based_on_revision=based_on_revision,
                    resubmit=not access.may(request.user, blog, access.Action.PUBLISH),
                )
            if rescheduling:
                item = commands.desk_schedule(entry=item, actor=self.actor, publish_at=when)
        return self.desk_response(item, written=True)

    @extend_schema(
        operation_id="entry_cancel_unpublished",
        summary="Cancel an unpublished update",
        tags=["entries"],
        responses={200: s.DeskEntrySerializer, **error_responses(*WRITE_ERRORS)},
    )
    def delete(self, request: Request, slug: str, entry_id: uuid.UUID) -> Response:
        """Cancel a draft or a scheduled update (an editor), or withdraw one's own submission.

        It will not be published; the log keeps it (`desk.cancelled`). A published entry is
        retracted instead (`POST .../retract/`).
        """
        blog = self.get_blog(slug)
        item = self._unpublished(blog, entry_id)
        self.require(blog, access.Action.REVISE, item)
        return self.desk_response(commands.desk_cancel(entry=item, actor=self.actor))

    def _unpublished(self, blog: Blog, entry_id: uuid.UUID) -> DeskEntry:
        if Entry.objects.filter(blog=blog, pk=entry_id).exists():
            raise InvalidTransitionError(
                "This entry is published: correct it (POST .../correct/), retract it "
                "(POST .../retract/) or change its labels (PUT .../labels/)."
            )
        return self.get_desk_entry(blog, entry_id)


def _rewritten(item: DeskEntry, changes: dict[str, Any], user: Any) -> commands.Writing:
    """The update's writing with ``changes`` (a DeskChangeSerializer's fields) applied."""
    byline = bylines.of_entry(item)
    if "author" in changes:
        given = changes["author"]
        # null: the byline of whoever wrote it... as their profile says now.
        byline = _byline(given, user) if given is not None else bylines.of_user(user)
    return commands.Writing(
        body=changes.get("body", item.body),
        headline=changes.get("headline", item.headline),
        key_event=changes.get("key_event", item.key_event),
        pinned=changes.get("pinned", item.pinned),
        occurred_at=changes.get("occurred_at", item.occurred_at),
        byline=byline,
        labels=changes.get("labels", item.labels),
    )


class EntryPublishView(ApiView):
    actions = {"POST": access.Action.PUBLISH}

    @extend_schema(
        operation_id="entry_publish_unpublished",
        summary="Publish a draft or a submission now (approve it)",
        tags=["entries"],
        request=None,
        responses={
            201: s.EntryWrittenSerializer,
            200: s.EntryWrittenSerializer,
            **error_responses(*WRITE_ERRORS),
        },
    )
    def post(self, request: Request, slug: str, entry_id: uuid.UUID) -> Response:
        """Publish an unpublished update now: a draft, a submission (approving it), or a
        scheduled one ahead of its time. Editors only. 201 with the entry; 200 if it was
        published already (by a colleague, or the schedule); 409 if it was cancelled.
        """
        blog = self.get_blog(slug)
        item = self.get_desk_entry(blog, entry_id)
        published = commands.desk_publish(entry=item, actor=self.actor)
        return self.entry_response(
            published.entry,
            _created_or_found(published.created),
            serializer=s.EntryWrittenSerializer,
        )


class EntryReturnView(ApiView):
    actions = {"POST": access.Action.PUBLISH}

    @extend_schema(
        operation_id="entry_return",
        summary="Send a submission back to its contributor",
        tags=["entries"],
        request=s.ReturnSerializer,
        responses={200: s.DeskEntrySerializer, **error_responses(*WRITE_ERRORS)},
    )
    def post(self, request: Request, slug: str, entry_id: uuid.UUID) -> Response:
        """Return a submission with a `note` for its contributor (`"status": "returned"`).

        They may change it (`PATCH`), which submits it again. Editors only.
        """
        blog = self.get_blog(slug)
        item = self.get_desk_entry(blog, entry_id)
        data = self.body(s.ReturnSerializer)
        return self.desk_response(commands.desk_return(entry=item, actor=self.actor, **data))


class EntryLabelsView(ApiView):
    actions = {"PUT": access.Action.SUBMIT}

    @extend_schema(
        operation_id="entry_labels",
        summary="Set an entry's labels",
        tags=["entries"],
        request=s.LabelsSerializer,
        responses={
            200: _either(
                "EntryOrDeskEntryLabelled", s.EntryDetailSerializer, s.DeskEntrySerializer
            ),
            **error_responses(*WRITE_ERRORS),
        },
    )
    def put(self, request: Request, slug: str, entry_id: uuid.UUID) -> Response:
        """Replace the entry's labels (`[]` removes them); each must be one of the blog's.

        On a published entry, for editors; on an unpublished one, as for `PATCH`.
        """
        blog = self.get_blog(slug)
        labels = self.body(s.LabelsSerializer)["labels"]
        entry = Entry.objects.filter(blog=blog, pk=entry_id).first()
        if entry is not None:
            self.require(blog, access.Action.CHANGE_ENTRIES)
            changed = commands.entry_set_labels(entry=entry, labels=labels, actor=self.actor)
            return self.entry_response(changed)
        item = self.get_desk_entry(blog, entry_id)
        self.require(blog, access.Action.REVISE, item)
        writing = _rewritten(item, {"labels": labels}, request.user)
        resubmit = not access.may(request.user, blog, access.Action.PUBLISH)
        item = commands.desk_revise(
            entry=item, actor=self.actor, writing=writing, resubmit=resubmit
        )
        return self.desk_response(item)


def _write_schema(
    operation_id: str,
    summary: str,
    request: Any = None,
    response: type[Serializer] = s.EntryDetailSerializer,
) -> Any:
    return extend_schema(
        operation_id=operation_id,
        summary=summary,
        tags=["entries"],
        request=request,
        parameters=validator_headers(200),
        responses={200: response, **error_responses(*WRITE_ERRORS)},
    )


class EntryCorrectView(ApiView):
    @_write_schema(
        "entry_correct", "Correct an entry", s.CorrectSerializer, s.EntryWrittenSerializer
    )
    def post(self, request: Request, slug: str, entry_id: uuid.UUID) -> Response:
        """Replace the text, with a reason readers see; earlier revisions stay readable.

        Refused with 409 and the entry as it is now when it changed since
        `based_on_revision`: review the newer text, then correct that revision. A correction
        may swap an image: each revision keeps showing its own. `warnings` as for a publish.
        """
        return self.change_entry(
            slug,
            entry_id,
            commands.entry_correct,
            body=s.CorrectSerializer,
            serializer=s.EntryWrittenSerializer,
        )


class EntryRetractView(ApiView):
    @_write_schema("entry_retract", "Retract an entry", s.RetractSerializer)
    def post(self, request: Request, slug: str, entry_id: uuid.UUID) -> Response:
        """Withdraw the entry: readers see the reason instead of the text; history stays."""
        return self.change_entry(slug, entry_id, commands.entry_retract, body=s.RetractSerializer)


class EntryPinView(ApiView):
    @_write_schema("entry_pin", "Pin an entry to the top")
    def post(self, request: Request, slug: str, entry_id: uuid.UUID) -> Response:
        """Keep the entry at the top of the page; 409 if it is already pinned."""
        return self.change_entry(slug, entry_id, commands.entry_pin)

    @_write_schema("entry_unpin", "Unpin an entry")
    def delete(self, request: Request, slug: str, entry_id: uuid.UUID) -> Response:
        """Return the entry to its place in time; 409 if it is not pinned."""
        return self.change_entry(slug, entry_id, commands.entry_unpin)


class EntryKeyEventView(ApiView):
    @_write_schema("entry_mark_key_event", "Mark an entry as a key event")
    def post(self, request: Request, slug: str, entry_id: uuid.UUID) -> Response:
        """List the entry among the blog's key events; 409 if it is one already."""
        return self.change_entry(slug, entry_id, commands.entry_mark_key_event)

    @_write_schema("entry_unmark_key_event", "Unmark a key event")
    def delete(self, request: Request, slug: str, entry_id: uuid.UUID) -> Response:
        """Remove the entry from the key events; 409 if it is not one."""
        return self.change_entry(slug, entry_id, commands.entry_unmark_key_event)


# --- Media ----------------------------------------------------------------------------


class MediaListView(ApiView):
    #: Uploading is part of writing: contributors upload their updates' photos too.
    actions = {"POST": access.Action.SUBMIT}
    parser_classes = [MultiPartParser]
    throttle_classes = [AnonThrottle, WriteThrottle, MediaThrottle]

    @extend_schema(
        operation_id="media_upload",
        summary="Upload an image",
        tags=["media"],
        request={"multipart/form-data": s.MediaUploadSerializer},
        responses={
            201: s.MediaSerializer,
            **error_responses(400, 401, 403, 404, 413, 429, 503),
        },
    )
    def post(self, request: Request, slug: str) -> Response:
        """Upload a photo or graphic for the blog's entries (multipart form data).

        The image is checked (a real JPEG, PNG, WebP or GIF; refused with 400 and a `code`
        such as `svg`, `heic`, `not_an_image`, `truncated`, `polyglot`, `wrong_extension`
        or `too_many_pixels`, or 413 `too_large`), turned upright, stripped of all metadata
        (EXIF, GPS, XMP, ICC after conversion to sRGB) and stored in a few widths. Refused
        files store nothing. Use the answer's `url` in an entry's body: `![alt text](url)`.
        """
        blog = self.get_blog(slug)
        data = self.body(s.MediaUploadSerializer)
        upload = data["file"]
        # Refused before the file is read into memory.
        images.check_size(
            upload.size, filename=upload.name or "", max_bytes=settings.LIVEBLOG_MEDIA_MAX_BYTES
        )
        media = commands.media_upload(
            blog=blog,
            data=upload.read(),
            filename=upload.name or "",
            alt=data["alt"],
            caption=data["caption"],
            credit=data["credit"],
            actor=self.actor,
            max_bytes=settings.LIVEBLOG_MEDIA_MAX_BYTES,
            max_pixels=settings.LIVEBLOG_MEDIA_MAX_PIXELS,
        )
        return Response(s.MediaSerializer(media).data, status=status.HTTP_201_CREATED)


# --- Labels and members -----------------------------------------------------------------


class BlogLabelsView(ApiView):
    actions = {"PUT": access.Action.CHANGE_BLOG}

    @extend_schema(
        operation_id="blog_labels",
        summary="Choose the labels of a blog's updates",
        tags=["blogs"],
        request=s.LabelsSerializer,
        responses={200: s.BlogSerializer, **error_responses(*WRITE_ERRORS)},
    )
    def put(self, request: Request, slug: str) -> Response:
        """The complete new set of labels editors may give updates; editors only.

        Updates keep the labels they have; a label left out is no longer offered.
        """
        blog = self.get_blog(slug)
        labels = self.body(s.LabelsSerializer)["labels"]
        blog = commands.blog_set_labels(blog=blog, labels=labels, actor=self.actor)
        return Response(s.BlogSerializer(blog).data)


class MemberListView(ApiView):
    actions = {"POST": access.Action.MANAGE_MEMBERS}

    @extend_schema(
        operation_id="members_list",
        summary="A blog's members and their roles",
        tags=["members"],
        responses={200: s.MemberSerializer(many=True), **error_responses(401, 403, 404, 429, 503)},
    )
    def get(self, request: Request, slug: str) -> Response:
        """Editors publish and approve; contributors submit updates for approval.

        For the blog's editors (and superusers).
        """
        blog = self.get_blog(slug)
        self.require(blog, access.Action.MANAGE_MEMBERS)
        return Response(s.MemberSerializer(selectors.members(blog), many=True).data)

    @extend_schema(
        operation_id="member_set",
        summary="Add a member, or change a member's role",
        tags=["members"],
        request=s.MemberSerializer,
        responses={
            201: s.MemberSerializer,
            200: s.MemberSerializer,
            **error_responses(400, 401, 403, 404, 409, 429, 503),
        },
    )
    def post(self, request: Request, slug: str) -> Response:
        """`{"username": ..., "role": "editor" | "contributor"}`: 201 for a new member, 200
        for a new role. The user must be active staff (in the Editors group to write).
        409 if it would leave the blog without an editor.
        """
        blog = self.get_blog(slug)
        data = self.body(s.MemberSerializer)
        membership, created = access.member_set(
            blog=blog, username=data["username"], role=Membership.Role(data["role"])
        )
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(s.MemberSerializer(membership).data, status=code)


class MemberDetailView(ApiView):
    actions = {"DELETE": access.Action.MANAGE_MEMBERS}

    @extend_schema(
        operation_id="member_remove",
        summary="Remove a member",
        tags=["members"],
        responses={204: None, **error_responses(401, 403, 404, 409, 429, 503)},
    )
    def delete(self, request: Request, slug: str, username: str) -> Response:
        """They no longer see the blog's desk or write to it; their updates stay as they are.
        409 if they are its last editor.
        """
        blog = self.get_blog(slug)
        access.member_remove(blog=blog, username=username)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- The log --------------------------------------------------------------------------


class EventListView(ApiView):
    @extend_schema(
        operation_id="events_list",
        summary="The blog's event log after a seq, in pages every reader shares",
        tags=["events"],
        parameters=[
            s.EventsQuerySerializer,
            *CONDITIONAL_REQUEST_HEADERS,
            *validator_headers(200, 304),
            OpenApiParameter(
                "Link",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                response=[200],
                description='`<URL>; rel="next"`: the following page, as `next`, once this '
                "one is closed.",
            ),
            OpenApiParameter(
                "Cache-Control",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                response=[200, 304],
                description="A closed page: `public, max-age=31536000, immutable`; the open "
                "page: a second or two, with `stale-while-revalidate`; `private` for members.",
            ),
        ],
        responses={200: s.EventPageSerializer, 304: NOT_MODIFIED, **error_responses(*READ_ERRORS)},
    )
    def get(self, request: Request, slug: str) -> HttpResponseBase:
        """Events in seq order, in pages that end on multiples of `limit`.

        The same messages as the push channel: after a reconnect, read from
        `after=<last seq seen>` and follow `next` until it is null. A page ends at the next
        multiple of `limit` (`after=137` holds 138-200), so readers ask for the same pages
        and caches can share them. A *closed* page, one the log has filled (`next` is set),
        never changes and may be cached for a year; its events carry `entry_id` but not the
        entry or blog, whose text a later retraction withdraws: read those from the entry
        (`/api/blogs/<slug>/entries/<id>/`). The *open* page (`next` is null) holds each
        entry as it is now and is cached for a second or two: poll it.
        """
        blog = self.get_blog(slug)
        query = self.query(s.EventsQuerySerializer)
        page = LogPage(after=query["after"], limit=query["limit"], last_seq=blog.last_seq)
        next_url = None
        if page.next_after is not None:
            next_url = replace_query_param(request.build_absolute_uri(), "after", page.next_after)
        if page.closed:
            # The same bytes for ever (next_url too: it names this host and scheme).
            validators = Validators.of(
                "events", blog.pk, page.after, page.limit, next_url, immutable=True
            )
        else:
            # Events embed their entry as it is now: the page changes with blog.last_seq.
            validators = Validators.of(
                "events", blog.pk, blog.last_seq, page.after, page.limit,
                last_modified=blog.updated_at,
            )  # fmt: skip
        if not_modified := validators.not_modified(request):
            return not_modified
        rows = list(selectors.events_after(blog, page.after, limit=page.end - page.after))
        if page.closed:
            results = s.EventSerializer.represent_refs(rows)
        else:
            results = s.EventSerializer.represent_many(rows)
        response = Response({"next": next_url, "results": results})
        if next_url is not None:
            response["Link"] = f'<{next_url}>; rel="next"'
        return validators.apply(response, request)


# --- Anything else under /api/ ----------------------------------------------------------


class UnknownEndpointView(ApiView):
    """A JSON 404 for any other path under /api/, instead of the site's HTML page."""

    schema = None

    def get_permissions(self) -> list[BasePermission]:
        return [AllowAny()]

    def http_method_not_allowed(self, request: HttpRequest, *args: Any, **kwargs: Any) -> NoReturn:
        hint = "" if request.path.endswith("/") else " API paths end with a slash."
        raise NotFound(f"There is no API endpoint at {request.path}.{hint} See /api/docs/.")

    options = http_method_not_allowed
