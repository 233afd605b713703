"""Embeds: which URLs are posts of which provider, and fetching that stays bounded and safe."""

from __future__ import annotations

import pytest

from liveblog import embeds


@pytest.mark.parametrize(
    ("url", "provider"),
    [
        ("https://x.com/BBCBreaking/status/1790000000000000000", "X"),
        ("https://twitter.com/BBCBreaking/status/1790000000000000000", "X"),
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "YouTube"),
        ("https://youtu.be/dQw4w9WgXcQ", "YouTube"),
        ("https://vimeo.com/76979871", "Vimeo"),
        ("https://bsky.app/profile/bsky.app/post/3l6oveex3ii2l", "Bluesky"),
        ("https://mastodon.social/@Gargron/109318821117356215", "Mastodon"),
        ("https://www.instagram.com/p/C1a2b3c4d5e/", "Instagram"),
        ("https://www.facebook.com/bbcnews/posts/pfbid02abc", "Facebook"),
        ("https://www.tiktok.com/@bbcnews/video/7300000000000000000", "TikTok"),
        ("https://t.me/bbcnews/1234", "Telegram"),
        ("https://soundcloud.com/bbc/some-track", "SoundCloud"),
        ("https://open.spotify.com/episode/4rOoJ6Egrf8K2IrywzwOMk", "Spotify"),
        ("https://datawrapper.dwcdn.net/AbC12/3/", "Datawrapper"),
        ("https://public.flourish.studio/visualisation/1234567/", "Flourish"),
    ],
)
def test_newsrooms_providers_are_recognised_from_the_registry(url: str, provider: str) -> None:
    found = embeds.provider_for(url)
    assert found is not None and found.name == provider


@pytest.mark.parametrize(
    "url", ["https://example.org/report", "https://www.bbc.co.uk/news/live/world-1"]
)
def test_other_sites_are_not_embeds(url: str) -> None:
    assert embeds.provider_for(url) is None


def test_a_mastodon_post_is_asked_of_its_own_server() -> None:
    found = embeds.provider_for("https://social.example.net/@reporter/112233445566")
    assert found is not None
    assert found.oembed_url("https://social.example.net/@reporter/1").startswith(
        "https://social.example.net/api/oembed?"
    )


def test_telegram_needs_no_request_and_plays_its_own_embed_page() -> None:
    embed = embeds.fetch("https://t.me/bbcnews/1234", deadline=0)
    assert embed is not None and embed["author"] == "@bbcnews"
    assert 'src="https://t.me/bbcnews/1234?embed=1"' in embed["html"]


def test_private_addresses_are_never_fetched(settings) -> None:
    settings.LIVEBLOG_EMBED_PRIVATE_HOSTS = False
    with pytest.raises(embeds.EmbedFetchError, match="not a public address"):
        embeds._check_address("http://127.0.0.1:8000/api/oembed")
    with pytest.raises(embeds.EmbedFetchError, match="http"):
        embeds._check_address("file:///etc/passwd")


def test_a_post_on_a_server_that_does_not_answer_gets_a_link_card(settings, oembed) -> None:
    oembed.status = 500
    found = embeds.fetch_all(["https://www.youtube.com/watch?v=err"])
    (card,) = found.values()
    assert card == embeds.link_card("https://www.youtube.com/watch?v=err", "YouTube")
