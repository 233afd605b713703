"""Rate limits: anonymous readers per address, writers per user.

DRF's throttles read their rates once, at import; these read them on every request, so a test
(or a settings override) can change ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class _CurrentRateMixin:
    scope: str

    def get_rate(self) -> str | None:
        try:
            return api_settings.DEFAULT_THROTTLE_RATES[self.scope]
        except KeyError:
            raise ImproperlyConfigured(
                f"REST_FRAMEWORK['DEFAULT_THROTTLE_RATES'] has no rate for {self.scope!r}."
            ) from None


class AnonThrottle(_CurrentRateMixin, AnonRateThrottle):
    """Anonymous requests, by client address (scope ``anon``)."""


class WriteThrottle(_CurrentRateMixin, UserRateThrottle):
    """Writes by authenticated users, per user (scope ``write``); reads pass."""

    scope = "write"

    def allow_request(self, request: Request, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return super().allow_request(request, view)
