"""The OpenAPI schema is valid, and real responses of every endpoint conform to it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http.request import RawPostDataException
from openapi_core import OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse
from rest_framework.test import APIClient

from liveblog import commands, embeds, selectors
from liveblog.api.serializers import (
    BlogSerializer,
    EmbedSerializer,
    EntrySerializer,
    EventSerializer,
    MediaSerializer,
)
from liveblog.models import Blog, Entry
from tests import samples
from tests.stories import uploaded_photo

if TYPE_CHECKING:
    # What APIClient answers (the stubs' name for it): a response with its request.
    from rest_framework.response import _MonkeyPatchedResponse as ClientResponse

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(anon: APIClient) -> dict[str, Any]:
    response = anon.get("/api/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


@pytest.fixture
def openapi(schema: dict[str, Any]) -> OpenAPI:
    return OpenAPI.from_dict(schema)  # also validates the document itself


class _Request(DjangoOpenAPIRequest):
    """Path parameters as the client sent them (Django's converters made a UUID)."""

    def __init__(self, request: Any) -> None:
        super().__init__(request)
        self.parameters.path = {name: str(value) for name, value in self.parameters.path.items()}

    @property
    def body(self) -> bytes:
        try:
            return bytes(super().body or b"")
        except RawPostDataException:  # an upload: the view streamed it; only responses count
            return b""


def _exchanges(
    anon: APIClient, member: APIClient, outsider: APIClient, blog: Blog, entry: Entry
) -> Iterator[ClientResponse]:
    """One request per endpoint and per documented status we can provoke."""
    slug = blog.slug
    entry_url = f"/api/blogs/{slug}/entries/{entry.pk}/"
    commands.entry_correct(entry=entry, body="Polls close at 9pm.", reason="Time", actor="x")
    yield anon.get("/api/blogs/")
    yield APIClient(HTTP_AUTHORIZATION="Bearer revoked-or-unknown").get("/api/blogs/")
    yield anon.get("/api/blogs/?status=nope")
    yield anon.get(f"/api/blogs/{slug}/")
    yield anon.get("/api/blogs/no-such-blog/")
    yield anon.get(f"/api/blogs/{slug}/entries/?limit=1")
    # An empty page is both shapes: the schema must not say "exactly one of".
    yield member.get(f"/api/blogs/{slug}/entries/?status=draft")
    yield anon.get(f"/api/blogs/{slug}/entries/?cursor=bad")
    yield anon.get(entry_url)
    yield anon.get(f"/api/blogs/{slug}/entries/00000000-0000-0000-0000-000000000000/")
    yield anon.get(f"/api/blogs/{slug}/events/?after=0&limit=2")
    yield anon.get(f"/api/blogs/{slug}/events/?after=-1")
    etag = anon.get(entry_url)["ETag"]
    yield anon.get(entry_url, HTTP_IF_NONE_MATCH=etag)
    published = member.post(
        f"/api/blogs/{slug}/entries/", {"body": "New", "occurred_at": "2024-05-01T21:30:00+01:00"}
    )
    yield published
    yield member.post(f"/api/blogs/{slug}/entries/", {"body": ""})
    yield anon.post(f"/api/blogs/{slug}/entries/", {"body": "x"})
    yield outsider.post(f"/api/blogs/{slug}/entries/", {"body": "x"})
    yield member.post(
        f"{entry_url}correct/",
        {"body": "Polls close at 8pm.", "reason": "r", "based_on_revision": 1},
    )
    yield member.post(
        f"{entry_url}correct/",
        {"body": "Polls close at 8pm.", "reason": "r", "based_on_revision": 2},
    )
    yield member.post(f"{entry_url}pin/")
    yield member.post(f"{entry_url}pin/")
    yield member.delete(f"{entry_url}pin/")
    yield member.post(f"{entry_url}key-event/")
    yield member.delete(f"{entry_url}key-event/")
    yield member.post(f"{entry_url}retract/", {"reason": "Duplicate", "based_on_revision": 3})
    upload = {"file": SimpleUploadedFile("a.jpg", samples.photo(600, 400)), "alt": "Wall"}
    uploaded = member.post(f"/api/blogs/{slug}/media/", upload, format="multipart")
    yield uploaded
    svg = {"file": SimpleUploadedFile("a.svg", samples.SVG), "alt": "Logo"}
    yield member.post(f"/api/blogs/{slug}/media/", svg, format="multipart")
    yield member.post(
        f"/api/blogs/{slug}/entries/",
        {"body": f"![Wall]({uploaded.json()['url']})\n\n![remote](https://example.org/a.jpg)"},
    )
    yield anon.get(f"/api/blogs/{slug}/events/?after=0&limit=100")
    webhooks = f"/api/blogs/{slug}/webhooks/"
    registered = member.post(webhooks, {"url": "https://partner.example/hooks", "events": []})
    yield registered
    registered = member.post(webhooks, {"url": "https://partner.example/hooks"})
    yield registered
    yield member.get(webhooks)
    yield outsider.get(webhooks)
    yield member.get(registered["Location"])
    yield member.post(f"{registered['Location']}resume/")
    yield member.delete(registered["Location"])


def test_real_responses_conform_to_the_schema(
    openapi: OpenAPI,
    anon: APIClient,
    token_client: APIClient,
    outsider_client: APIClient,
    blog: Blog,
    entry: Entry,
) -> None:
    statuses = set()
    for response in _exchanges(anon, token_client, outsider_client, blog, entry):
        request = response.wsgi_request
        openapi.validate_response(_Request(request), DjangoOpenAPIResponse(response))
        statuses.add(response.status_code)
    assert statuses == {200, 201, 204, 304, 400, 401, 403, 404, 409}


def test_the_schema_describes_exactly_what_the_serializers_show(
    schema: dict[str, Any], blog: Blog, entry: Entry
) -> None:
    components = schema["components"]["schemas"]
    assert set(components["Blog"]["properties"]) == set(BlogSerializer.represent(blog))
    assert set(components["Entry"]["properties"]) == set(EntrySerializer.represent(entry))
    message = EventSerializer.represent_many(list(selectors.events_after(blog, 0)))[-1]
    assert set(message) <= set(components["Event"]["properties"])
    media = uploaded_photo(blog, data=samples.photo(600, 400), filename="a.jpg", alt="Wall")
    assert set(components["Media"]["properties"]) == set(MediaSerializer.represent(media))
    embed = embeds.link_card("https://x.com/a/status/1", "X")
    assert set(components["Embed"]["properties"]) == set(EmbedSerializer.represent(embed))


def test_every_operation_is_documented_with_its_errors(schema: dict[str, Any]) -> None:
    operations = {
        op["operationId"]: op for path in schema["paths"].values() for op in path.values()
    }
    assert set(operations) == {
        "blogs_list",
        "blog_retrieve",
        "entries_list",
        "entry_publish",
        "entry_retrieve",
        "entry_correct",
        "entry_retract",
        "entry_pin",
        "entry_unpin",
        "entry_mark_key_event",
        "entry_unmark_key_event",
        "events_list",
        "media_upload",
        "entry_change_unpublished",
        "entry_cancel_unpublished",
        "entry_publish_unpublished",
        "entry_return",
        "entry_labels",
        "blog_labels",
        "members_list",
        "member_set",
        "member_remove",
        "webhooks_list",
        "webhook_create",
        "webhook_retrieve",
        "webhook_delete",
        "webhook_resume",
    }
    for name, operation in operations.items():
        error = operation["responses"]["404" if name != "blogs_list" else "400"]
        assert error["content"]["application/json"]["schema"]["$ref"].endswith("/Error")
    assert schema["components"]["securitySchemes"]["apiToken"]["scheme"] == "bearer"


def test_the_docs_page_loads_its_assets_from_this_site(anon: APIClient) -> None:
    page = anon.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    # Every script, style and link is a path on this site: nothing absolute, no CDN. (Not a
    # plain search for "cdn": the page's random CSRF token may contain it.)
    assert re.findall(r"""(?:src|href)=["'](?!/)""", html) == []
    assert "https://" not in html and "//cdn" not in html.lower()


@pytest.mark.parametrize("version", ["%0D%0A", "%C3%A9", "2.0"])
def test_a_version_in_the_query_changes_nothing(anon: APIClient, version: str) -> None:
    # drf-spectacular wrote ?version= into a header unchecked: a newline was a 500.
    response = anon.get(f"/api/schema/?version={version}")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'inline; filename="liveblog API.yaml"'
    assert yaml.safe_load(response.content)["info"]["version"] == "1.0.0"
