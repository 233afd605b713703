"""API tokens: only a digest is kept, the key is shown once, revoking stops it at once."""

from __future__ import annotations

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from liveblog.api import tokens
from liveblog.models import ApiToken, Blog, Entry

pytestmark = pytest.mark.django_db


def test_only_a_digest_of_the_key_is_stored(editor) -> None:
    token, key = tokens.token_create(user=editor, name="mobile app")
    assert key.startswith("lb_") and len(key) > 40
    assert token.key_digest == tokens.hash_key(key) and key not in token.key_digest
    assert token.prefix == key[: tokens.SHOWN_CHARACTERS]
    assert tokens.token_authenticate(key) == token
    assert tokens.token_authenticate(key + "x") is None


@pytest.mark.parametrize("scheme", ["Bearer", "Token", "bearer"])
def test_both_header_forms_authenticate(scheme: str, token_key: str, entry: Entry) -> None:
    client = APIClient()
    response = client.post(
        f"/api/blogs/{entry.blog.slug}/entries/{entry.pk}/pin/",
        HTTP_AUTHORIZATION=f"{scheme} {token_key}",
    )
    assert response.status_code == 200
    assert ApiToken.objects.get().last_used_at is not None


@pytest.mark.parametrize(
    "header", ["Bearer lb_unknown", "Bearer", "Bearer two parts", "Token lb_\xe9"]
)
def test_a_bad_token_is_401_even_for_reads(header: str, blog: Blog) -> None:
    response = APIClient().get("/api/blogs/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_revoking_a_token_stops_it_and_keeps_it(
    token_client: APIClient, token_key: str, entry: Entry
) -> None:
    url = f"/api/blogs/{entry.blog.slug}/entries/{entry.pk}/pin/"
    token = tokens.token_authenticate(token_key)
    assert token is not None
    tokens.token_revoke(token=token)
    response = token_client.post(url)
    assert response.status_code == 401
    assert "revoked" in response.json()["message"]
    assert ApiToken.objects.get().revoked_at is not None


def test_a_deactivated_editor_s_token_stops_working(
    token_client: APIClient, editor, blog: Blog
) -> None:
    editor.is_active = False
    editor.save()
    assert token_client.get("/api/blogs/").status_code == 401


def test_revoking_twice_keeps_the_first_time(editor) -> None:
    token, _ = tokens.token_create(user=editor, name="bot")
    first = tokens.token_revoke(token=token).revoked_at
    assert first is not None and first <= timezone.now()
    assert tokens.token_revoke(token=token).revoked_at == first
