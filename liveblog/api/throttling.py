"""Rate limits: anonymous readers per address, writers per user.

DRF's throttles read their rates once, at import; these read them on every request, so a test
(or a settings override) can change ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``. And DRF
counts a client by its ``X-Forwarded-For`` header, whoever sent it, so each forged header got
a fresh budget; these count by ``liveblog.clients.client_address``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from liveblog.clients import client_address


class _ThrottleMixin:
    scope: str | None

    def get_rate(self) -> str | None:
        try:
            rate = api_settings.DEFAULT_THROTTLE_RATES[self.scope or ""]
        except KeyError:
            raise ImproperlyConfigured(
                f"REST_FRAMEWORK['DEFAULT_THROTTLE_RATES'] has no rate for {self.scope!r}."
            ) from None
        # A rate is text such as "120/min" (the stubs say a number); None turns it off.
        return None if rate is None else str(rate)

    def get_ident(self, request: Request) -> str:
        return client_address(request)


class AnonThrottle(_ThrottleMixin, AnonRateThrottle):
    """Anonymous requests, by client address (scope ``anon``)."""


class WriteThrottle(_ThrottleMixin, UserRateThrottle):
    """Writes by authenticated users, per user (scope ``write``); reads pass."""

    scope = "write"

    def allow_request(self, request: Request, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return super().allow_request(request, view)


class MediaThrottle(WriteThrottle):
    """Uploads per editor (scope ``media``): each costs seconds of CPU and megabytes of storage."""

    scope = "media"
