"""Token authentication for tools: ``Authorization: Bearer <key>`` (or ``Token <key>``)."""

from __future__ import annotations

from typing import Any

from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from liveblog.api import tokens
from liveblog.models import ApiToken

KEYWORDS = (b"bearer", b"token")


class ApiTokenAuthentication(BaseAuthentication):
    """Authenticate a request by an editor's API token.

    A token is no ambient credential a browser sends by itself, so unlike a session it needs no
    CSRF check. Listed first in the settings so that an anonymous write gets 401 with a
    ``WWW-Authenticate`` challenge rather than a bare 403.
    """

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(
                "Malformed Authorization header; send it as 'Authorization: Bearer <key>'."
            )
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed("An API key contains only ASCII characters.") from None
        token = tokens.token_authenticate(key)
        if token is None:
            raise AuthenticationFailed(
                "This API token is unknown or has been revoked; ask for a new one in the admin."
            )
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'
