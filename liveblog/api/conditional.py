"""Conditional GET: validators computed from one cheap query, checked before serializing.

Every change to a blog or an entry is an event, and every event bumps ``last_seq`` on the
blog (and on the entry it concerns), so a ``last_seq`` names a state exactly. An ETag built
from it (and the query string, for lists) lets a client that polls get a bodiless 304 for the
price of the lookup it needed anyway to check visibility.

Last-Modified has whole seconds, so it can only vouch for a state whose second is over: a
change later in the same second (a retraction just after a publish) would share its date,
and a client asking ``If-Modified-Since`` would be told its copy is current. Such a state
gets no Last-Modified (the ETag still serves), and a date in the future, which no copy
can have, is ignored instead of answered with 304. Django's ``get_conditional_response``
evaluates the preconditions in RFC 9110's order.

How long caches may keep a representation is ``liveblog.caching``'s rule: briefly, or for a
year when it is ``immutable`` (a closed page of the log).
"""

from __future__ import annotations

import dataclasses
import hashlib
import time
from datetime import datetime

from django.http import HttpResponseBase
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, parse_http_date_safe
from rest_framework import status
from rest_framework.request import Request

from liveblog import caching
from liveblog.caching import ResponseT


@dataclasses.dataclass(frozen=True)
class Validators:
    """An ETag and optionally a Last-Modified time for one representation.

    ``immutable``: the representation never changes (a closed page of the log).
    """

    etag: str
    last_modified: datetime | None = None
    immutable: bool = False

    @classmethod
    def of(
        cls, *parts: object, last_modified: datetime | None = None, immutable: bool = False
    ) -> Validators:
        """Validators for the state named by ``parts`` (kind, ids, last_seq, query...)."""
        digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=12)
        return cls(etag=f'"{digest.hexdigest()}"', last_modified=last_modified, immutable=immutable)

    def not_modified(self, request: Request) -> HttpResponseBase | None:
        """A 304 when the client's copy is current, else None (go on and build the body)."""
        if request.method not in ("GET", "HEAD"):
            return None
        now = time.time()
        last_modified = self._timestamp(now)
        since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
        if since is not None and since > now:
            last_modified = None  # a date no copy can have: answer in full
        response = get_conditional_response(request, etag=self.etag, last_modified=last_modified)
        # Only 304 is honoured: If-Match / If-Unmodified-Since (412) guard writes, and the
        # API's writes are guarded by based_on_revision instead.
        if response is None or response.status_code != status.HTTP_304_NOT_MODIFIED:
            return None
        return self.apply(response, request)

    def apply(self, response: ResponseT, request: Request) -> ResponseT:
        """Set ETag, Last-Modified and Cache-Control on a response (200, 201 or 304)."""
        response["ETag"] = self.etag
        timestamp = self._timestamp(time.time())
        if timestamp is not None:
            response["Last-Modified"] = http_date(timestamp)
        if self.immutable:
            return caching.closed_log_page(response, request)
        return caching.live_read(response, request)

    def _timestamp(self, now: float) -> int | None:
        """Last-Modified in whole seconds, once its second is over (see the module's doc)."""
        if self.last_modified is None:
            return None
        second = int(self.last_modified.timestamp())
        return second if second < int(now) else None
