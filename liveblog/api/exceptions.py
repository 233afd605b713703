"""Every API error as one JSON shape: ``{"message": ..., "code": ..., "errors": {...}}``.

``message`` is written for the person reading it, ``code`` is stable for programs, and
``errors`` maps field names to their messages (empty when no field is to blame). Domain
errors from ``liveblog.errors`` map to HTTP statuses here, so views never catch them.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from liveblog import errors

logger = logging.getLogger(__name__)

#: First match wins, so subclasses come before their bases.
DOMAIN_STATUSES: list[tuple[type[errors.LiveblogError], int]] = [
    # The client's copy is out of date: it should reload the entry (sent along) and retry.
    (errors.StaleRevisionError, status.HTTP_409_CONFLICT),
    # The request is well formed but does not fit the entry's current state (correcting a
    # retracted entry, pinning a pinned one): a conflict with the resource, not bad input.
    (errors.InvalidTransitionError, status.HTTP_409_CONFLICT),
    (errors.NotFoundError, status.HTTP_404_NOT_FOUND),
    (errors.MediaTooLargeError, status.HTTP_413_REQUEST_ENTITY_TOO_LARGE),
    (errors.MediaRefusedError, status.HTTP_400_BAD_REQUEST),
    # Nothing was written and the same request will very likely succeed in a moment.
    (errors.ConcurrentAppendError, status.HTTP_503_SERVICE_UNAVAILABLE),
    (errors.InvalidEventError, status.HTTP_400_BAD_REQUEST),
]
#: Faults of the server, not the client: left to become a 500 and be logged.
SERVER_FAULTS = (errors.EventLogImmutableError, errors.UnknownEventTypeError)
#: A blog too busy to append to: the same request will very likely succeed in a moment.
BUSY_BLOG_RETRY_AFTER_SECONDS = 1
#: A database that went away (restart, failover) takes longer to come back than a collision.
DATABASE_RETRY_AFTER_SECONDS = 5
NOT_AUTHENTICATED = (
    "Only a blog's editors may change it: send your API token as 'Authorization: Bearer "
    "<key>' (create one in the admin under API tokens), or sign in."
)


def error_body(message: str, code: str, field_errors: dict[str, list[str]] | None = None) -> dict:
    return {"message": message, "code": code, "errors": field_errors or {}}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: domain errors and DRF's own, all in the one shape."""
    if isinstance(exc, errors.LiveblogError):
        return None if isinstance(exc, SERVER_FAULTS) else _domain_response(exc)
    if isinstance(exc, OperationalError | InterfaceError):
        return _database_unavailable(exc, context)
    # DRF's handler turns Http404 and PermissionDenied into responses and sets the headers
    # (WWW-Authenticate, Retry-After); only the body is replaced.
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    assert isinstance(exc, exceptions.APIException)
    response.data = _api_exception_body(exc)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's handler500: under /api/ the error in the API's shape, elsewhere Django's page.

    Either way without a traceback; ``django.request`` has logged it (settings.LOGGING).
    """
    if request.path.startswith("/api/"):
        body = error_body(
            "Something went wrong on our side and has been logged. Try again later.",
            "server_error",
        )
        return JsonResponse(body, status=status.HTTP_500_INTERNAL_SERVER_ERROR)
    return defaults.server_error(request)


def _domain_response(exc: errors.LiveblogError) -> Response:
    status_code = next(
        (status_code for cls, status_code in DOMAIN_STATUSES if isinstance(exc, cls)),
        status.HTTP_400_BAD_REQUEST,
    )
    body = error_body(exc.message, exc.code, {exc.field: [exc.message]} if exc.field else None)
    headers = {}
    if isinstance(exc, errors.StaleRevisionError):
        from liveblog.api.serializers import DeskEntrySerializer, EntryDetailSerializer
        from liveblog.models import DeskEntry

        shape = DeskEntrySerializer if isinstance(exc.current, DeskEntry) else EntryDetailSerializer
        body["current"] = shape(exc.current).data
    if isinstance(exc, errors.ConcurrentAppendError):
        headers["Retry-After"] = str(BUSY_BLOG_RETRY_AFTER_SECONDS)
    set_rollback()
    return Response(body, status=status_code, headers=headers)


def _database_unavailable(exc: Exception, context: dict[str, Any]) -> Response:
    """503 when the database cannot be reached: the transaction rolled back, so say so."""
    request = context.get("request")
    logger.warning("API request failed: database unavailable (%s)", exc, exc_info=exc)
    message = "The database could not be reached"
    if request is not None and request.method not in SAFE_METHODS:
        message += ", so nothing was saved"
    body = error_body(f"{message}. Try again in a moment.", "unavailable")
    return Response(
        body,
        status=status.HTTP_503_SERVICE_UNAVAILABLE,
        headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
    )


def _api_exception_body(exc: exceptions.APIException) -> dict:
    if isinstance(exc, exceptions.ValidationError):
        field_errors = _flatten(exc.detail)
        return error_body(_validation_message(field_errors), "invalid", field_errors)
    detail = exc.detail
    code = getattr(detail, "code", None) or exc.default_code
    if isinstance(exc, exceptions.NotAuthenticated):
        return error_body(NOT_AUTHENTICATED, str(code))
    return error_body(str(detail), str(code))


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """Field errors as ``{"field": [messages]}``; nested fields get dotted names."""
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for name, value in detail.items():
            flat.update(_flatten(value, f"{prefix}.{name}" if prefix else str(name)))
        return flat
    key = prefix or api_settings.NON_FIELD_ERRORS_KEY
    if isinstance(detail, list):
        if any(isinstance(item, dict | list) for item in detail):
            flat = {}
            for index, item in enumerate(detail):
                flat.update(_flatten(item, f"{key}.{index}"))
            return flat
        return {key: [str(item) for item in detail]}
    return {key: [str(detail)]}


def _validation_message(field_errors: dict[str, list[str]]) -> str:
    general = field_errors.get(api_settings.NON_FIELD_ERRORS_KEY, [])
    fields = [name for name in field_errors if name != api_settings.NON_FIELD_ERRORS_KEY]
    if not fields:
        return " ".join(general) or "The request is invalid."
    if len(fields) == 1 and not general and len(field_errors[fields[0]]) == 1:
        return f"{fields[0]}: {field_errors[fields[0]][0]}"
    return f"Some fields are invalid ({', '.join(fields)}); see errors for each one."
