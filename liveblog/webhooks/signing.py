"""Signing secrets and signatures, following the Standard Webhooks convention.

The ``standardwebhooks`` package (the convention's own Python implementation, the one
receivers use to verify) computes the signature: HMAC-SHA256 over ``id.timestamp.body`` with
the secret, sent as ``webhook-signature: v1,<base64>``. We only make the secret and the
headers around it.
"""

from __future__ import annotations

import base64
import secrets
from datetime import UTC, datetime

from standardwebhooks import Webhook as StandardWebhook

SECRET_PREFIX = "whsec_"
#: The convention asks for 24 to 64 random bytes.
SECRET_BYTES = 32
#: Characters of a secret shown in the admin to tell secrets apart (prefix included).
SHOWN_CHARACTERS = 10


def new_secret() -> str:
    """A fresh signing secret, ``whsec_`` and base64 as the convention's libraries expect."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def message_id(blog_id: int, seq: int) -> str:
    """The ``webhook-id`` of an event: the same for every retry, so receivers can dedupe."""
    return f"msg_{blog_id}_{seq}"


def signed_headers(
    *, secret: str, msg_id: str, body: str, now: datetime | None = None
) -> dict[str, str]:
    """The three ``webhook-*`` headers for ``body``, signed at ``now`` (each attempt anew)."""
    # The library replaces the time zone with UTC rather than converting: give it UTC.
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    signature = StandardWebhook(secret).sign(msg_id, moment, body)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": signature,
    }
