"""Secrets and signatures follow Standard Webhooks: its own library verifies them."""

from __future__ import annotations

import base64
import time

import pytest
from standardwebhooks import Webhook as StandardWebhook
from standardwebhooks import WebhookVerificationError

from liveblog.webhooks import signing


def test_secrets_are_whsec_and_32_random_bytes() -> None:
    secret = signing.new_secret()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 32
    assert signing.new_secret() != secret


def test_the_headers_verify_with_the_standard_library_and_only_for_that_body() -> None:
    secret = signing.new_secret()
    body = '{"seq":7,"type":"entry.published","entry":{"body":"Ünïcode ✓"}}'
    headers = signing.signed_headers(secret=secret, msg_id="msg_3_7", body=body)
    assert headers["webhook-id"] == "msg_3_7"
    assert abs(int(headers["webhook-timestamp"]) - time.time()) < 5
    assert headers["webhook-signature"].startswith("v1,")
    assert StandardWebhook(secret).verify(body.encode(), headers)["seq"] == 7
    with pytest.raises(WebhookVerificationError):
        StandardWebhook(secret).verify(body.replace("7", "8").encode(), headers)
    with pytest.raises(WebhookVerificationError):
        StandardWebhook(signing.new_secret()).verify(body.encode(), headers)


def test_message_ids_are_stable_per_event() -> None:
    assert signing.message_id(3, 7) == signing.message_id(3, 7) == "msg_3_7"
