"""API views: thin. Serializers check the request's shape, commands do the work, selectors read.

Domain errors (``liveblog.errors``) are not caught here: ``liveblog.api.exceptions`` turns
them into responses, so a view reads as the happy path.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.http import HttpResponseBase
from django.utils.cache import patch_vary_headers
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import SAFE_METHODS, AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.serializers import Serializer
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from liveblog import commands, images, selectors
from liveblog.api import serializers as s
from liveblog.api.conditional import Validators
from liveblog.api.pagination import BlogPagination, EntryPagination, LogPage
from liveblog.api.permissions import IsBlogMember
from liveblog.api.schema import (
    CONDITIONAL_REQUEST_HEADERS,
    NOT_MODIFIED,
    error_responses,
    validator_headers,
)
from liveblog.api.throttling import AnonThrottle, MediaThrottle, WriteThrottle
from liveblog.models import Blog, Entry

READ_ERRORS = (400, 401, 404, 429, 503)
WRITE_ERRORS = (400, 401, 403, 404, 409, 413, 429, 503)


class ApiView(APIView):
    """Anyone may read what they can see; writes need a member of the blog."""

    def get_permissions(self) -> list[BasePermission]:
        if self.request.method in SAFE_METHODS:
            return [AllowAny()]
        return [IsBlogMember()]

    def finalize_response(
        self, request: Request, response: HttpResponseBase, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        response = super().finalize_response(request, response, *args, **kwargs)
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
        """The blog; `last_seq` is where to start reading its log or push channel."""
        blog = self.get_blog(slug)
        validators = Validators.of("blog", blog.pk, blog.last_seq, last_modified=blog.updated_at)
        if not_modified := validators.not_modified(request):
            return not_modified
        return validators.apply(Response(s.BlogSerializer(blog).data), request)


# --- Entries --------------------------------------------------------------------------


class EntryListView(ApiView):
    #: A POST here publishes (needs liveblog.add_entry); other writes change entries.
    publishes = True

    @extend_schema(
        operation_id="entries_list",
        summary="A blog's entries, newest first",
        tags=["entries"],
        parameters=[
            s.EntriesQuerySerializer,
            *CONDITIONAL_REQUEST_HEADERS,
            *validator_headers(200, 304),
        ],
        responses={200: s.EntryPageSerializer, 304: NOT_MODIFIED, **error_responses(*READ_ERRORS)},
    )
    def get(self, request: Request, slug: str) -> HttpResponseBase:
        """Entries newest first by newsroom time, retracted ones included; `next` is older."""
        blog = self.get_blog(slug)
        self.query(s.EntriesQuerySerializer)
        validators = Validators.of(
            "entries", blog.pk, blog.last_seq, _query_string(request), last_modified=blog.updated_at
        )
        if not_modified := validators.not_modified(request):
            return not_modified
        paginator = EntryPagination()
        page = paginator.paginate_queryset(selectors.entries_for_blog(blog), request, view=self)
        response = paginator.get_paginated_response(s.EntrySerializer(page, many=True).data)
        return validators.apply(response, request)

    @extend_schema(
        operation_id="entry_publish",
        summary="Publish an entry",
        tags=["entries"],
        request=s.PublishSerializer,
        parameters=[
            OpenApiParameter(
                "Location",
                OpenApiTypes.URI,
                OpenApiParameter.HEADER,
                response=[201],
                description="The new entry.",
            ),
            *validator_headers(201),
        ],
        responses={
            201: s.EntryWrittenSerializer,
            200: s.EntryWrittenSerializer,
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
        """
        blog = self.get_blog(slug)
        data = self.body(s.PublishSerializer)
        published = commands.entry_publish_once(
            blog=blog, actor=self.actor, publication=commands.Publication(**data)
        )
        response = self.entry_response(
            published.entry,
            status.HTTP_201_CREATED if published.created else status.HTTP_200_OK,
            serializer=s.EntryWrittenSerializer,
        )
        response["Location"] = reverse(
            "api:entry-detail",
            kwargs={"slug": blog.slug, "entry_id": published.entry.pk},
            request=request,
        )
        return response


class EntryDetailView(ApiView):
    @extend_schema(
        operation_id="entry_retrieve",
        summary="One entry with all its revisions",
        tags=["entries"],
        parameters=[*CONDITIONAL_REQUEST_HEADERS, *validator_headers(200, 304)],
        responses={
            200: s.EntryDetailSerializer,
            304: NOT_MODIFIED,
            **error_responses(401, 404, 429, 503),
        },
    )
    def get(self, request: Request, slug: str, entry_id: uuid.UUID) -> HttpResponseBase:
        """The entry as it is now, and what it said at every revision, oldest first."""
        entry = self.get_entry(slug, entry_id)
        validators = _entry_validators(entry)
        if not_modified := validators.not_modified(request):
            return not_modified
        return validators.apply(Response(s.EntryDetailSerializer(entry).data), request)


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
        entry = self.get_entry(slug, entry_id)
        data = self.body(s.CorrectSerializer)
        corrected = commands.entry_correct(entry=entry, actor=self.actor, **data)
        return self.entry_response(corrected, serializer=s.EntryWrittenSerializer)


class EntryRetractView(ApiView):
    @_write_schema("entry_retract", "Retract an entry", s.RetractSerializer)
    def post(self, request: Request, slug: str, entry_id: uuid.UUID) -> Response:
        """Withdraw the entry: readers see the reason instead of the text; history stays."""
        entry = self.get_entry(slug, entry_id)
        data = self.body(s.RetractSerializer)
        return self.entry_response(commands.entry_retract(entry=entry, actor=self.actor, **data))


class EntryPinView(ApiView):
    @_write_schema("entry_pin", "Pin an entry to the top")
    def post(self, request: Request, slug: str, entry_id: uuid.UUID) -> Response:
        """Keep the entry at the top of the page; 409 if it is already pinned."""
        entry = self.get_entry(slug, entry_id)
        return self.entry_response(commands.entry_pin(entry=entry, actor=self.actor))

    @_write_schema("entry_unpin", "Unpin an entry")
    def delete(self, request: Request, slug: str, entry_id: uuid.UUID) -> Response:
        """Return the entry to its place in time; 409 if it is not pinned."""
        entry = self.get_entry(slug, entry_id)
        return self.entry_response(commands.entry_unpin(entry=entry, actor=self.actor))


class EntryKeyEventView(ApiView):
    @_write_schema("entry_mark_key_event", "Mark an entry as a key event")
    def post(self, request: Request, slug: str, entry_id: uuid.UUID) -> Response:
        """List the entry among the blog's key events; 409 if it is one already."""
        entry = self.get_entry(slug, entry_id)
        return self.entry_response(commands.entry_mark_key_event(entry=entry, actor=self.actor))

    @_write_schema("entry_unmark_key_event", "Unmark a key event")
    def delete(self, request: Request, slug: str, entry_id: uuid.UUID) -> Response:
        """Remove the entry from the key events; 409 if it is not one."""
        entry = self.get_entry(slug, entry_id)
        return self.entry_response(commands.entry_unmark_key_event(entry=entry, actor=self.actor))


# --- Media ----------------------------------------------------------------------------


class MediaListView(ApiView):
    #: Uploading is part of publishing: it needs liveblog.add_entry, as a publish does.
    publishes = True
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

    def http_method_not_allowed(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        hint = "" if request.path.endswith("/") else " API paths end with a slash."
        raise NotFound(f"There is no API endpoint at {request.path}.{hint} See /api/docs/.")

    options = http_method_not_allowed
