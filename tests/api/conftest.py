"""API fixtures: clients signed in three ways, a token, a second blog, a clean throttle."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from liveblog import commands
from liveblog.api import tokens
from liveblog.models import Blog, Entry


@pytest.fixture
def anon() -> APIClient:
    return APIClient()


@pytest.fixture
def token_client(token_key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_key}")
    return client


@pytest.fixture
def session_client(editor) -> APIClient:
    """Signed in through the session, with CSRF enforced as a browser would meet it."""
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(editor)
    return client


@pytest.fixture
def outsider(django_user_model):
    return django_user_model.objects.create_user(
        username="outsider", password="another horse battery", is_staff=True
    )


@pytest.fixture
def outsider_client(outsider) -> APIClient:
    client = APIClient()
    _, key = tokens.token_create(user=outsider, name="their bot")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


@pytest.fixture
def draft(editor) -> Blog:
    blog = commands.blog_create(slug="budget-draft", title="Budget (draft)", actor="editor")
    blog.members.add(editor)
    return blog


@pytest.fixture
def entry(blog: Blog) -> Entry:
    return commands.entry_publish(blog=blog, body="Polls close at **10pm**.", actor="editor")
