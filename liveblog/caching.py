"""How long caches may keep what the public reads: the one rule for ``Cache-Control``.

Three kinds of response, and nothing else is cached by a shared cache:

- **Closed log pages** (``liveblog.api.pagination.LogPage``): a fixed range of seqs of an
  append-only log never changes, so any cache may keep it for a year (``immutable``). Such a
  page carries no text an editor could retract (see ``EventSerializer.represent_refs``):
  an immutable copy cannot be called back from a CDN or a reader's browser.
- **Live reads** (the log's open page, blogs, entries): a shared cache may keep them
  ``LIVE_SECONDS``, then ``STALE_SECONDS`` more while it fetches the new copy
  (``stale-while-revalidate``), so a thousand pollers cost the origin one request per URL
  per second or so, and see an update that much later.
- **Pages** (the reader page, its fragments, permalinks, the feed): ``PAGE_SECONDS``. The
  live client catches up from the page's ``lastSeq`` over the push channel, so an older copy
  costs a reader nothing but a slightly longer catch-up.

A retraction therefore reaches every cache within ``RETRACTION_REACHES_CACHES_SECONDS`` (per
cache in a chain: a CDN in front of nginx may add its own), and no response that a cache may
keep longer ever held the text.

What a signed-in user or an API token gets is theirs alone (members see drafts):
``private``, and never stored at all for the HTML pages an editor reads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import patch_cache_control, patch_vary_headers

if TYPE_CHECKING:
    from rest_framework.request import Request

#: Any response; each function hands back the one it was given, headers set.
ResponseT = TypeVar("ResponseT", bound=HttpResponseBase)

#: Seconds a shared cache may keep a live read before asking again.
LIVE_SECONDS = 1
#: Seconds a shared cache may keep a reader page before asking again.
PAGE_SECONDS = 3
#: Seconds after that in which a cache may still serve the old copy while it refreshes it.
STALE_SECONDS = 2
#: A year: what a closed page of the log may be kept for, unchanged.
IMMUTABLE_SECONDS = 31_536_000
#: Readers without WebSockets (the live client's ``live/polling.js``) ask for the log's open
#: page this often, every one with this page size, so that they all ask for the same URLs and
#: share cached copies. Polling faster than ``LIVE_SECONDS`` would only get the same copy.
POLL_SECONDS = 2
POLL_PAGE_LIMIT = 20
#: The longest a cache may serve a copy from before a retraction (one cache; see above):
#: the lifetimes, and a second more since caches such as nginx count in whole seconds.
RETRACTION_REACHES_CACHES_SECONDS = PAGE_SECONDS + STALE_SECONDS + 1


def _signed_in(request: HttpRequest | Request) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


def _cache_control(
    response: ResponseT,
    request: HttpRequest | Request,
    *,
    member_may_keep: bool,
    **shared: int | bool,
) -> ResponseT:
    """Let shared caches keep ``response`` as ``shared`` says; a member's copy is theirs alone.

    A member's copy is ``private``: kept by their own client and checked with its ETag
    (``no-cache``) where ``member_may_keep``, else never stored (``no-store``).
    """
    if _signed_in(request):
        member = {"no_cache": True} if member_may_keep else {"no_store": True}
        patch_cache_control(response, private=True, **member)
    else:
        patch_cache_control(response, public=True, **shared)
    return response


def live_read(response: ResponseT, request: HttpRequest | Request) -> ResponseT:
    """A read any event may change: kept briefly by shared caches, privately for members.

    A member's copy may still be kept by their own client and checked with its ETag, as
    API tools do (``private, no-cache``).
    """
    return _cache_control(
        response,
        request,
        member_may_keep=True,
        max_age=LIVE_SECONDS,
        stale_while_revalidate=STALE_SECONDS,
    )


def closed_log_page(response: ResponseT, request: HttpRequest | Request) -> ResponseT:
    """A page of the log whose every seq is written: the same bytes for ever."""
    return _cache_control(
        response, request, member_may_keep=True, max_age=IMMUTABLE_SECONDS, immutable=True
    )


def reader_page(response: ResponseT, request: HttpRequest | Request) -> ResponseT:
    """An HTML page or feed: a few seconds in shared caches, never stored for an editor.

    ``Vary: Cookie`` keeps a cache from answering an editor (who has a session cookie)
    with the public copy, and the public with the editor's; the editor's is not stored
    anywhere (``private, no-store``: it may show drafts).
    """
    patch_vary_headers(response, ("Cookie",))
    return _cache_control(
        response,
        request,
        member_may_keep=False,
        max_age=PAGE_SECONDS,
        stale_while_revalidate=STALE_SECONDS,
    )
