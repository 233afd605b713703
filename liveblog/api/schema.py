"""OpenAPI pieces shared by the views: token security scheme, error responses, headers; and
the schema's own view."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from drf_spectacular.views import SpectacularAPIView

from liveblog.api.serializers import ConflictSerializer, ErrorSerializer


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """Registered by import: drf-spectacular finds extensions by subclassing."""

    target_class = "liveblog.api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An editor's API token, created in the admin: "
            "`Authorization: Bearer <key>`.",
        }


class SchemaView(SpectacularAPIView):
    """The schema of the API's one version: ``?version=`` means nothing and is ignored.

    drf-spectacular copies that parameter unchecked (DRF has no ALLOWED_VERSIONS here) into
    the schema's ``info.version`` and a Content-Disposition header, where a newline was a 500.
    """

    def _get_version_parameter(self, request: Any) -> None:
        return None


_ERROR_DESCRIPTIONS = {
    400: "Invalid request: `errors` names the fields.",
    401: "Not signed in, or the token is unknown or revoked.",
    403: "Signed in but not a member of the blog (or the CSRF token is missing).",
    404: "No such blog or entry (drafts are hidden from non-members).",
    409: "The entry changed since `based_on_revision` (see `current`), or does not allow it.",
    413: "The request body (or uploaded file) is larger than the server accepts.",
    429: "Too many requests; `Retry-After` says when to try again.",
    503: "The database is unreachable (`unavailable`) or other editors were writing at the same "
    "moment (`conflict`); nothing was saved. Retry after `Retry-After` seconds.",
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """The documented error responses of an operation."""
    return {
        code: OpenApiResponse(
            response=ConflictSerializer if code == 409 else ErrorSerializer,
            description=_ERROR_DESCRIPTIONS[code],
        )
        for code in codes
    }


NOT_MODIFIED = OpenApiResponse(
    description="Not modified: the copy named by If-None-Match or If-Modified-Since is current."
)

CONDITIONAL_REQUEST_HEADERS = [
    OpenApiParameter(
        "If-None-Match",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        description="The ETag of the copy you have; 304 if it is current.",
    ),
    OpenApiParameter(
        "If-Modified-Since",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        description="The Last-Modified of the copy you have (HTTP date); 304 if current.",
    ),
]


def validator_headers(*codes: int, last_modified: bool = True) -> list[OpenApiParameter]:
    """ETag (and Last-Modified) response headers on the given statuses."""
    headers = [
        OpenApiParameter(
            "ETag",
            OpenApiTypes.STR,
            OpenApiParameter.HEADER,
            response=list(codes),
            description="Send it back as If-None-Match.",
        )
    ]
    if last_modified:
        headers.append(
            OpenApiParameter(
                "Last-Modified",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                response=list(codes),
                description=(
                    "Send it back as If-Modified-Since. Absent while the last change is in "
                    "the current second (a later change in it would share the date): use the ETag."
                ),
            )
        )
    return headers


def location_header(description: str) -> OpenApiParameter:
    """The Location response header of a 201: where the new resource is."""
    return OpenApiParameter(
        "Location",
        OpenApiTypes.URI,
        OpenApiParameter.HEADER,
        response=[201],
        description=description,
    )


#: Responses whose shapes overlap: an empty page is both a page of entries and a page of
#: unpublished updates, so "exactly one of" (drf-spectacular's oneOf) would be false for it.
_OVERLAPPING_SHAPES = ("EntryOrDeskEntryPage",)


def any_of_for_overlapping_shapes(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """Postprocessing hook: a response that may take either shape says anyOf, not oneOf."""
    schemas = result.get("components", {}).get("schemas", {})
    for name in _OVERLAPPING_SHAPES:
        schema = schemas.get(name)
        if schema and "oneOf" in schema:
            schema["anyOf"] = schema.pop("oneOf")
    return result
