"""The one rule for ``Cache-Control``: what shared caches may keep, and members' own copies."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpResponse
from django.test import RequestFactory

from liveblog import caching

LIVE = f"public, max-age={caching.LIVE_SECONDS}, stale-while-revalidate={caching.STALE_SECONDS}"
PAGE = f"public, max-age={caching.PAGE_SECONDS}, stale-while-revalidate={caching.STALE_SECONDS}"


@pytest.mark.parametrize(
    ("policy", "public", "member"),
    [
        (caching.live_read, LIVE, "private, no-cache"),
        (caching.closed_log_page, "public, max-age=31536000, immutable", "private, no-cache"),
        (caching.reader_page, PAGE, "private, no-store"),
    ],
)
def test_shared_caches_keep_the_public_copy_and_a_members_copy_is_private(
    policy: Callable[[HttpResponse, object], HttpResponse], public: str, member: str
) -> None:
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    assert policy(HttpResponse(), request)["Cache-Control"] == public
    request.user = User(username="editor")  # authenticated, never saved
    assert policy(HttpResponse(), request)["Cache-Control"] == member
