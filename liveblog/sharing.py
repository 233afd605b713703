"""Share links for the common networks: plain links to each network's own share page.

No network's script, button or frame is loaded: a page makes no request to a third party
until a reader follows one of these links. Each address is the network's documented "share"
or "compose" URL with the page's address (and title) in its query, quoted by urlencode.
"""

from __future__ import annotations

import dataclasses
from urllib.parse import quote, urlencode


@dataclasses.dataclass(frozen=True)
class ShareLink:
    network: str
    url: str


def share_links(*, url: str, title: str) -> list[ShareLink]:
    """Where a reader can share ``url`` (an absolute address) under ``title``."""
    text = f"{title} {url}"
    return [
        ShareLink("X", "https://x.com/intent/post?" + urlencode({"text": title, "url": url})),
        ShareLink("Bluesky", "https://bsky.app/intent/compose?" + urlencode({"text": text})),
        ShareLink(
            "Facebook", "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url})
        ),
        ShareLink(
            "LinkedIn",
            "https://www.linkedin.com/sharing/share-offsite/?" + urlencode({"url": url}),
        ),
        ShareLink("WhatsApp", "https://wa.me/?" + urlencode({"text": text})),
        ShareLink("Telegram", "https://t.me/share/url?" + urlencode({"url": url, "text": title})),
        # mailto wants %20 for spaces (RFC 6068): "+" would stay a plus in the mail.
        ShareLink("Email", f"mailto:?subject={quote(title)}&body={quote(url)}"),
    ]
