"""API tokens: only a digest is kept, the key is shown once, revoking stops it at once."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from liveblog.api import tokens
from liveblog.models import ApiToken, Blog, Entry

pytestmark = pytest.mark.django_db


def test_only_a_digest_of_the_key_is_stored(editor) -> None:  # type: ignore[no-untyped-def]
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
) -> None:  # type: ignore[no-untyped-def]
    editor.is_active = False
    editor.save()
    assert token_client.get("/api/blogs/").status_code == 401


class TestTokenAdmin:
    """Editors create and revoke their own tokens in the admin; nobody deletes one."""

    @pytest.fixture(autouse=True)
    def _admin_urls(self, settings) -> None:  # type: ignore[no-untyped-def]
        settings.ROOT_URLCONF = "tests.api.urls_with_token_admin"

    @pytest.fixture
    def browser(self, editor) -> Client:  # type: ignore[no-untyped-def]
        client = Client()
        client.force_login(editor)
        return client

    def test_creating_shows_the_key_once(self, browser: Client, editor) -> None:  # type: ignore[no-untyped-def]
        response = browser.post("/admin/liveblog/apitoken/add/", {"name": "agency bot"})
        # Shown in the answer itself, which no cache keeps: no redirect, no message.
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        key = re.search(r"lb_[\w-]+", response.content.decode()).group()
        assert key not in str(response.cookies) and not list(response.context["messages"])
        assert key not in str(browser.cookies) and key not in str(browser.session.items())
        token = ApiToken.objects.get()
        assert token.user == editor and token.name == "agency bot"
        assert tokens.token_authenticate(key) == token
        # The key never appears again.
        page = browser.get(f"/admin/liveblog/apitoken/{token.pk}/change/")
        assert key not in page.content.decode()
        assert key not in browser.get("/admin/liveblog/apitoken/").content.decode()

    def test_editors_see_and_revoke_only_their_own(self, browser: Client, editor, outsider) -> None:  # type: ignore[no-untyped-def]
        mine, _ = tokens.token_create(user=editor, name="mine")
        theirs, _ = tokens.token_create(user=outsider, name="theirs")
        listing = browser.get("/admin/liveblog/apitoken/").content.decode()
        assert "mine" in listing and "theirs" not in listing
        assert browser.get(f"/admin/liveblog/apitoken/{theirs.pk}/change/").status_code == 302

        browser.post(
            "/admin/liveblog/apitoken/",
            {"action": "revoke", "_selected_action": [mine.pk, theirs.pk]},
        )
        mine.refresh_from_db()
        theirs.refresh_from_db()
        assert mine.revoked_at is not None and theirs.revoked_at is None
        assert ApiToken.objects.count() == 2

    def test_tokens_are_never_deleted(self, browser: Client, editor) -> None:  # type: ignore[no-untyped-def]
        token, _ = tokens.token_create(user=editor, name="mine")
        response = browser.post(f"/admin/liveblog/apitoken/{token.pk}/delete/", {"post": "yes"})
        assert response.status_code == 403
        assert ApiToken.objects.filter(pk=token.pk).exists()

    def test_superusers_see_everyone_s_tokens(self, django_user_model, editor) -> None:  # type: ignore[no-untyped-def]
        tokens.token_create(user=editor, name="editor's bot")
        chief = django_user_model.objects.create_superuser(username="chief", password="x" * 12)
        client = Client()
        client.force_login(chief)
        assert "editor&#x27;s bot" in client.get("/admin/liveblog/apitoken/").content.decode()


def test_revoking_twice_keeps_the_first_time(editor) -> None:  # type: ignore[no-untyped-def]
    token, _ = tokens.token_create(user=editor, name="bot")
    first = tokens.token_revoke(token=token).revoked_at
    assert first is not None and first <= timezone.now()
    assert tokens.token_revoke(token=token).revoked_at == first
