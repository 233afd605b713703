"""The token screen: editors create (the key shown once) and revoke their own tokens."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from liveblog.api import tokens
from liveblog.models import ApiToken

pytestmark = pytest.mark.django_db


class TestTokenAdmin:
    """Editors create and revoke their own tokens in the admin; nobody deletes one."""

    @pytest.fixture
    def browser(self, editor) -> Client:
        client = Client()
        client.force_login(editor)
        return client

    def test_creating_shows_the_key_once(self, browser: Client, editor) -> None:
        response = browser.post("/admin/liveblog/apitoken/add/", {"name": "agency bot"})
        # Shown in the answer itself, which no cache keeps: no redirect, no message.
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        shown = re.search(r"lb_[\w-]+", response.content.decode())
        assert shown is not None
        key = shown.group()
        assert key not in str(response.cookies) and not list(response.context["messages"])
        assert key not in str(browser.cookies) and key not in str(browser.session.items())
        token = ApiToken.objects.get()
        assert token.user == editor and token.name == "agency bot"
        assert tokens.token_authenticate(key) == token
        # The key never appears again.
        page = browser.get(f"/admin/liveblog/apitoken/{token.pk}/change/")
        assert key not in page.content.decode()
        assert key not in browser.get("/admin/liveblog/apitoken/").content.decode()

    def test_editors_see_and_revoke_only_their_own(self, browser: Client, editor, outsider) -> None:
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

    def test_tokens_are_never_deleted(self, browser: Client, editor) -> None:
        token, _ = tokens.token_create(user=editor, name="mine")
        response = browser.post(f"/admin/liveblog/apitoken/{token.pk}/delete/", {"post": "yes"})
        assert response.status_code == 403
        assert ApiToken.objects.filter(pk=token.pk).exists()

    def test_superusers_see_everyone_s_tokens(self, django_user_model, editor) -> None:
        tokens.token_create(user=editor, name="editor's bot")
        chief = django_user_model.objects.create_superuser(username="chief", password="x" * 12)
        client = Client()
        client.force_login(chief)
        assert "editor&#x27;s bot" in client.get("/admin/liveblog/apitoken/").content.decode()
