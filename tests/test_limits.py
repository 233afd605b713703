"""The request body limit: image uploads get their own, larger one, still checked up front."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest

from liveblog.limits import MULTIPART_OVERHEAD, RequestBodyLimit


async def _send_request(path: str, length: int) -> tuple[int, dict, bool]:
    reached = False

    async def app(scope, receive, send):
        nonlocal reached
        reached = True
        await send({"type": "http.response.start", "status": 201, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    sent: list[Mapping[str, Any]] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Mapping[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": path,
        "headers": [(b"content-length", str(length).encode()), (b"expect", b"100-continue")],
    }
    await RequestBodyLimit(app)(scope, receive, send)
    body = json.loads(sent[1]["body"]) if sent[0]["status"] == 413 else {}
    return sent[0]["status"], body, reached


@pytest.mark.parametrize("size", [3 * 1024 * 1024])
async def test_an_upload_may_be_larger_than_any_other_request(settings, size) -> None:
    settings.LIVEBLOG_MEDIA_MAX_BYTES = 20 * 1024 * 1024
    assert (await _send_request("/api/blogs/storm/media/", size))[::2] == (201, True)
    status, body, reached = await _send_request("/api/blogs/storm/entries/", size)
    assert (status, reached) == (413, False)
    assert "entry's text" in body["message"]


async def test_an_upload_over_the_image_limit_is_refused_before_it_is_read(settings) -> None:
    settings.LIVEBLOG_MEDIA_MAX_BYTES = 2 * 1024 * 1024
    status, body, reached = await _send_request(
        "/api/blogs/storm/media/", 2 * 1024 * 1024 + MULTIPART_OVERHEAD + 1
    )
    assert (status, reached) == (413, False)
    assert body["code"] == "too_large" and "Images are limited" in body["message"]
