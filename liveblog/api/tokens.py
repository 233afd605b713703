"""API tokens: create, revoke and check the keys editors give to newsroom tools.

Tokens are not part of the blog's history, so they are plain rows rather than events; these
functions are still the only code that writes them, for the admin and the API alike.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from liveblog.models import ApiToken

#: Marks the string as a liveblog key, so secret scanners and people can recognise one.
KEY_PREFIX = "lb_"
#: Characters of the key kept in clear to tell keys apart in the admin (prefix included).
SHOWN_CHARACTERS = 9
#: ``last_used_at`` is refreshed at most this often, so a busy tool does not write on every read.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_key(key: str) -> str:
    """Return the stored form of a key. Keys are random, so a plain SHA-256 is enough."""
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def token_create(*, user: User, name: str, token: ApiToken | None = None) -> tuple[ApiToken, str]:
    """Create a token for ``user`` and return it with its key, the only time the key exists.

    ``token`` lets the admin save the unsaved instance its form built instead of a new one.
    """
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    token = token or ApiToken()
    token.user = user
    token.name = name
    token.key_digest = hash_key(key)
    token.prefix = key[:SHOWN_CHARACTERS]
    token.save()
    return token, key


def token_revoke(*, token: ApiToken) -> ApiToken:
    """Stop a token from working, keeping its row; revoking twice keeps the first time."""
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db(fields=["revoked_at"])
    return token


def token_authenticate(key: str) -> ApiToken | None:
    """Return the live token for ``key`` (with its user), or None if unknown or revoked."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_digest=hash_key(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
