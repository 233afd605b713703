"""Embeds: a post's URL alone on a line becomes a card, captured once when it is published.

micawber supplies the provider registry: oembed.com's ``providers.json`` bundled in the
package (no download at run time), turned into URL patterns by its ``bootstrap_oembed``.
We add what that registry lacks: x.com addresses, Mastodon (federated: every server answers
oEmbed at ``/api/oembed`` for its own posts, so no list can hold them) and Telegram (no
oEmbed; its own embed page is the player).

Fetching is ours, because it must be bounded and safe: every URL of a body is fetched at
once in threads, and the publish waits at most ``LIVEBLOG_EMBED_TIMEOUT`` seconds in all;
what is not back by then becomes a link card (provider and address) and publishing goes on.
Only http(s) to public addresses is fetched (redirects too), answers are size-limited, and
the thumbnail is stored as our own media, so a reader's page makes no request to the
provider until the reader asks for the player. Results are cached for a few minutes: the
preview fetches, and the publish right after reuses what it got.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import html
import ipaddress
import json
import logging
import re
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor, wait
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

import nh3
from django.conf import settings
from django.core.cache import cache
from django.utils.html import format_html

from liveblog import events, images
from liveblog import media as stored_media
from liveblog.errors import MediaRefusedError

if TYPE_CHECKING:
    from micawber.providers import ProviderRegistry

logger = logging.getLogger(__name__)

USER_AGENT = "liveblog (oEmbed consumer)"
MAX_JSON_BYTES = 512 * 1024
MAX_THUMBNAIL_BYTES = 5 * 1024 * 1024
CACHE_SECONDS = 600
FAILURE_CACHE_SECONDS = 60
MAX_TEXT = 500
MAX_WORKERS = 4
#: The width asked of players, and the narrowest thumbnail rendition kept.
PLAYER_WIDTH = 640
THUMBNAIL_WIDTH = 480
#: Names readers know the providers by, where the registry's differs.
_DISPLAY_NAMES = {"Twitter": "X", "Bluesky Social": "Bluesky"}
#: Direction controls in a provider's text would be refused by the events' validation (and
#: can disguise text); the marks readers need are in the script itself.
_BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_TEXT_ONLY = nh3.Cleaner(tags=set(), clean_content_tags={"script", "style"})
_MASTODON = re.compile(
    r"https://(?P<host>[a-z0-9.-]+\.[a-z]{2,})/@[A-Za-z0-9_]+(?:@[^/\s]+)?/\d+/?"
)
_TELEGRAM = re.compile(
    r"https://(?:www\.)?t(?:elegram)?\.me/(?P<channel>[A-Za-z0-9_]{4,})/(?P<post>\d+)/?"
)
_X = r"https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/\S+/status(?:es)?/\S+"


class EmbedFetchError(Exception):
    """A provider could not be asked or gave no usable answer."""


def _build_registry() -> ProviderRegistry:
    # micawber (and the HTML parser it brings) is imported when the registry is first needed.
    from micawber.providers import Provider as OEmbedEndpoint
    from micawber.providers import ProviderRegistry, bootstrap_oembed

    registry = bootstrap_oembed(registry=ProviderRegistry())
    registry.register(_X, OEmbedEndpoint(_TWITTER))
    return registry


@functools.cache
def _provider_names() -> dict[str, str]:
    from micawber.providers import PROVIDERS_FILE

    with open(PROVIDERS_FILE, encoding="utf-8") as handle:
        listed = json.load(handle)
    names = {
        endpoint["url"].replace("{format}", "json"): item["provider_name"]
        for item in listed
        for endpoint in item["endpoints"]
    }
    names[_TWITTER] = "Twitter"
    return names


_TWITTER = "https://publish.twitter.com/oembed"

#: The oEmbed registry, built on first use: compiling its hundreds of URL patterns was a
#: large part of the start-up of commands that never look at an embed (BENCHMARKS.md, import).
REGISTRY: ProviderRegistry


def _registry() -> ProviderRegistry:
    registry: ProviderRegistry | None = globals().get("REGISTRY")
    if registry is None:
        registry = globals()["REGISTRY"] = _build_registry()
    return registry


def __getattr__(name: str) -> Any:
    if name == "REGISTRY":
        return _registry()
    if name == "_PROVIDER_NAMES":
        return _provider_names()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class Provider:
    """Who answers for a URL: a name for readers, and the oEmbed endpoint (if any)."""

    def __init__(self, name: str, endpoint: str | None, params: dict[str, Any] | None = None):
        self.name = name
        self.endpoint = endpoint
        self.params = params or {}

    def oembed_url(self, url: str) -> str:
        assert self.endpoint is not None
        query = urlencode({**self.params, "format": "json", "url": url, "maxwidth": PLAYER_WIDTH})
        separator = "&" if "?" in self.endpoint else "?"
        return f"{self.endpoint}{separator}{query}"


def provider_for(url: str) -> Provider | None:
    """The provider of a post's URL, or None: a URL of any other site stays a plain link."""
    if _TELEGRAM.fullmatch(url):
        return Provider("Telegram", None)
    found = _registry().provider_for_url(url)
    if found is not None:
        name = _provider_names().get(found.endpoint) or found.endpoint.split("/")[2]
        params = {k: v for k, v in found.base_params.items() if k != "format"}
        return Provider(_DISPLAY_NAMES.get(name, name), found.endpoint, params)
    if match := _MASTODON.fullmatch(url):
        return Provider("Mastodon", f"https://{match['host']}/api/oembed")
    return None


def link_card(url: str, provider: str) -> dict[str, Any]:
    """What readers get when the provider said nothing (in time): its name and the address."""
    return {
        "url": url,
        "provider": provider,
        "provider_url": "",
        "kind": "link",
        "title": "",
        "author": "",
        "author_url": "",
        "thumbnail": None,
        "html": "",
    }


# --- Fetching ---------------------------------------------------------------------------


def _check_address(url: str) -> None:
    try:
        parts = urlsplit(url)
        hostname, port = parts.hostname, parts.port
    except ValueError:
        raise EmbedFetchError(f"not a valid URL: {url}") from None
    if parts.scheme not in {"http", "https"} or not hostname:
        raise EmbedFetchError(f"not an http(s) URL: {url}")
    if settings.LIVEBLOG_EMBED_PRIVATE_HOSTS:
        return
    try:
        infos = socket.getaddrinfo(hostname, port or 443, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise EmbedFetchError(f"{hostname} could not be resolved") from exc
    for info in infos:
        if not ipaddress.ip_address(info[4][0]).is_global:
            raise EmbedFetchError(f"{hostname} is not a public address")


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        _check_address(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_CheckedRedirects)


def _get(url: str, *, deadline: float, max_bytes: int) -> tuple[bytes, str]:
    """GET ``url`` before ``deadline`` (a time.monotonic()); the body and its content type."""
    _check_address(url)
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise EmbedFetchError("out of time")
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with _OPENER.open(request, timeout=remaining) as response:
            data = response.read(max_bytes + 1)
            content_type = response.headers.get_content_type()
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise EmbedFetchError(f"{url}: {exc}") from exc
    if len(data) > max_bytes:
        raise EmbedFetchError(f"{url}: answer larger than {max_bytes:,} bytes")
    return data, content_type


def _text(value: Any, limit: int = events.MAX_EMBED_TEXT_LENGTH) -> str:
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        return ""
    text = " ".join(str(value).split())
    text = _BIDI_CONTROLS.sub("", events.INVISIBLE_CONTROLS.sub("", text))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _url(value: Any) -> str:
    text = _text(value, events.MAX_URL_LENGTH)
    return text if text.startswith(("https://", "http://")) and " " not in text else ""


def _thumbnail(url: str, *, deadline: float) -> dict[str, Any] | None:
    """The provider's preview image, made one of our own files (no request from readers)."""
    try:
        data, _ = _get(url, deadline=deadline, max_bytes=MAX_THUMBNAIL_BYTES)
        processed = images.process(
            data,
            filename="",
            max_bytes=MAX_THUMBNAIL_BYTES,
            max_pixels=settings.LIVEBLOG_MEDIA_MAX_PIXELS,
        )
    except (EmbedFetchError, MediaRefusedError) as exc:
        logger.info("Embed thumbnail %s not kept: %s", url, exc)
        return None
    chosen = next(
        (item for item in processed.renditions if item.width >= THUMBNAIL_WIDTH),
        processed.renditions[-1],
    )
    stored_media.store([chosen])
    return stored_media.file_dict(chosen)


def fetch(url: str, *, deadline: float) -> dict[str, Any] | None:
    """The embed for a post's URL (a link card if its provider fails); None if no provider."""
    provider = provider_for(url)
    if provider is None:
        return None
    if provider.name == "Telegram":
        return _telegram(url)
    card = link_card(url, provider.name)
    try:
        data, _ = _get(provider.oembed_url(url), deadline=deadline, max_bytes=MAX_JSON_BYTES)
        answer = json.loads(data)
        if not isinstance(answer, dict):
            raise EmbedFetchError("the answer is not a JSON object")
    except (EmbedFetchError, ValueError) as exc:
        logger.info("No oEmbed data for %s: %s", url, exc)
        return card
    raw_player = answer.get("html")
    player = raw_player if isinstance(raw_player, str) else ""
    if len(player) > events.MAX_EMBED_HTML_LENGTH:
        player = ""
    title = _text(answer.get("title"))
    if not title and player:
        # Posts (X, Mastodon, Bluesky) have no title: their text is in the player's markup.
        title = _text(html.unescape(_TEXT_ONLY.clean(player)), MAX_TEXT)
    kind = answer.get("type")
    thumbnail_url = _url(answer.get("thumbnail_url"))
    if not thumbnail_url and kind == "photo":
        thumbnail_url = _url(answer.get("url"))
    return {
        **card,
        "provider_url": _url(answer.get("provider_url")),
        "kind": kind if kind in events.EMBED_KINDS else "rich",
        "title": title,
        "author": _text(answer.get("author_name")),
        "author_url": _url(answer.get("author_url")),
        "thumbnail": _thumbnail(thumbnail_url, deadline=deadline) if thumbnail_url else None,
        "html": player,
    }


def _telegram(url: str) -> dict[str, Any]:
    match = _TELEGRAM.fullmatch(url)
    assert match is not None
    player = format_html(
        '<iframe src="https://t.me/{}/{}?embed=1" width="100%" height="500" '
        'style="border:0" title="Telegram post"></iframe>',
        match["channel"],
        match["post"],
    )
    return {
        **link_card(url, "Telegram"),
        "kind": "rich",
        "author": f"@{match['channel']}",
        "html": player,
    }


def _cache_key(url: str) -> str:
    return "liveblog.embed." + hashlib.sha256(url.encode()).hexdigest()


def fetch_all(urls: Iterable[str], *, timeout: float | None = None) -> dict[str, dict[str, Any]]:
    """Embeds for the URLs that have a provider, in at most ``timeout`` seconds in all."""
    wanted = [url for url in dict.fromkeys(urls) if provider_for(url) is not None]
    found: dict[str, dict[str, Any]] = {}
    missing = []
    for url in wanted:
        cached = cache.get(_cache_key(url))
        if cached is not None:
            found[url] = cached
        else:
            missing.append(url)
    if not missing:
        return found
    timeout = settings.LIVEBLOG_EMBED_TIMEOUT if timeout is None else timeout
    deadline = time.monotonic() + timeout
    pool = ThreadPoolExecutor(max_workers=min(MAX_WORKERS, len(missing)))
    try:
        futures = {pool.submit(fetch, url, deadline=deadline): url for url in missing}
        done, _ = wait(futures, timeout=timeout + 0.25)
        for future, url in futures.items():
            provider = provider_for(url)
            assert provider is not None
            result = None
            if future in done:
                with contextlib.suppress(Exception):
                    result = future.result()
            if result is None or (result["kind"] == "link" and not result["html"]):
                result = result or link_card(url, provider.name)
                cache.set(_cache_key(url), result, FAILURE_CACHE_SECONDS)
            else:
                cache.set(_cache_key(url), result, CACHE_SECONDS)
            found[url] = result
    finally:
        # Threads still waiting on a socket finish on their own, within their timeout.
        pool.shutdown(wait=False, cancel_futures=True)
    return {url: found[url] for url in wanted}
