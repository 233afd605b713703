"""Conditional GET: validators computed from one cheap query, checked before serializing.

Every change to a blog or an entry is an event, and every event bumps ``last_seq`` on the
blog (and on the entry it concerns), so a ``last_seq`` names a state exactly. An ETag built
from it (and the query string, for lists) lets a client that polls get a bodiless 304 for the
price of the lookup it needed anyway to check visibility.
"""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import datetime

from django.http import HttpResponseBase
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from rest_framework import status
from rest_framework.request import Request


@dataclasses.dataclass(frozen=True)
class Validators:
    """An ETag and optionally a Last-Modified time for one representation."""

    etag: str
    last_modified: datetime | None = None

    @classmethod
    def of(cls, *parts: object, last_modified: datetime | None = None) -> Validators:
        """Validators for the state named by ``parts`` (kind, ids, last_seq, query...)."""
        digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=12)
        return cls(etag=f'"{digest.hexdigest()}"', last_modified=last_modified)

    def not_modified(self, request: Request) -> HttpResponseBase | None:
        """A 304 when the client's copy is current, else None (go on and build the body)."""
        if request.method not in ("GET", "HEAD"):
            return None
        response = get_conditional_response(
            request, etag=self.etag, last_modified=self._timestamp()
        )
        # Only 304 is honoured: If-Match / If-Unmodified-Since (412) guard writes, and the
        # API's writes are guarded by based_on_revision instead.
        if response is None or response.status_code != status.HTTP_304_NOT_MODIFIED:
            return None
        return self.apply(response, request)

    def apply(self, response: HttpResponseBase, request: Request) -> HttpResponseBase:
        """Set ETag, Last-Modified and Cache-Control on a response (200, 201 or 304)."""
        response["ETag"] = self.etag
        timestamp = self._timestamp()
        if timestamp is not None:
            response["Last-Modified"] = http_date(timestamp)
        # Caches may keep the body but must ask again each time: the blog is live. What a
        # signed-in editor sees (drafts) is theirs alone.
        patch_cache_control(response, no_cache=True)
        if request.user and request.user.is_authenticated:
            patch_cache_control(response, private=True)
        return response

    def _timestamp(self) -> int | None:
        # HTTP dates have whole seconds, so two changes within one second share a
        # Last-Modified; clients that send If-None-Match are never misled by that.
        return int(self.last_modified.timestamp()) if self.last_modified else None
