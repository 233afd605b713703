"""An unhandled error: logged with its traceback, answered without one (JSON under /api/)."""

from __future__ import annotations

import logging

import pytest
from django.test import Client
from rest_framework.test import APIClient

from liveblog import selectors
from liveblog.models import Blog

pytestmark = pytest.mark.django_db


def _broken(*args: object, **kwargs: object) -> None:
    raise RuntimeError("a bug in the selector")


def test_an_unhandled_api_error_is_a_json_500_and_logged(
    blog: Blog, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(selectors, "blogs_visible_to", _broken)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = APIClient(raise_request_exception=False).get("/api/blogs/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "message": "Something went wrong on our side and has been logged. Try again later.",
        "code": "server_error",
        "errors": {},
    }
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert record.exc_info and "a bug in the selector" in str(record.exc_info[1])


def test_an_unhandled_page_error_shows_no_traceback(
    blog: Blog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selectors, "blogs_for_readers", _broken)
    response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 500
    assert b"Traceback" not in response.content and b"a bug" not in response.content
