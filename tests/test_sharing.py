"""Share links: each network's own share page, with the address and title quoted."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from liveblog.sharing import share_links

URL = "https://live.example.org/blogs/vote/entries/1/?a=1&b=2"
TITLE = "Turnout & results: 46% #vote"


def test_every_link_carries_the_address_intact() -> None:
    links = {link.network: link.url for link in share_links(url=URL, title=TITLE)}
    assert set(links) == {"X", "Bluesky", "Facebook", "LinkedIn", "WhatsApp", "Telegram", "Email"}
    assert parse_qs(urlsplit(links["Facebook"]).query) == {"u": [URL]}
    assert parse_qs(urlsplit(links["X"]).query) == {"text": [TITLE], "url": [URL]}
    assert parse_qs(urlsplit(links["WhatsApp"]).query) == {"text": [f"{TITLE} {URL}"]}
    assert all(link.startswith("https://") for name, link in links.items() if name != "Email")


def test_the_mail_link_uses_percent_escapes_for_spaces() -> None:
    (mail,) = [link.url for link in share_links(url=URL, title=TITLE) if link.network == "Email"]
    assert mail.startswith("mailto:?subject=Turnout%20%26%20results")
    assert "+" not in mail
