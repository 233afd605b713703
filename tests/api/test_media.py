"""POST /api/blogs/<slug>/media/, and entries that show the images and embeds."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from liveblog.models import Event, Media
from tests import samples

pytestmark = pytest.mark.django_db

MEDIA_URL = "/api/blogs/election-night/media/"
ENTRIES_URL = "/api/blogs/election-night/entries/"


def _upload(client, data: bytes | None = None, name: str = "harbour.jpg", **fields):
    form = {
        "file": SimpleUploadedFile(name, samples.photo() if data is None else data),
        "alt": "Waves over the harbour wall",
        **fields,
    }
    return client.post(MEDIA_URL, form, format="multipart")


def test_an_editor_uploads_an_image_and_gets_its_url_and_renditions(token_client, blog) -> None:
    response = _upload(token_client, caption="Fowey, 7am", credit="Jo Smith / Agency")

    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["alt"] == "Waves over the harbour wall"
    assert (data["caption"], data["credit"]) == ("Fowey, 7am", "Jo Smith / Agency")
    assert data["url"] == data["renditions"][-1]["url"]
    assert [(r["width"], r["height"]) for r in data["renditions"]] == [(480, 720), (800, 1200)]
    assert "harbour" not in data["url"]
    media = Media.objects.get(pk=data["id"])
    assert default_storage.exists(media.name)
    with default_storage.open(media.name) as handle, Image.open(handle) as image:
        assert not image.getexif()
    event = Event.objects.filter(blog=blog).latest("seq")
    assert event.type == "media.uploaded" and event.payload["media_id"] == data["id"]


@pytest.mark.parametrize(
    ("data", "name", "status", "code"),
    [
        (samples.SVG, "logo.svg", 400, "svg"),
        (b"", "empty.jpg", 400, "empty_file"),
        (samples.photo()[:2000], "cut.jpg", 400, "truncated"),
        (samples.bomb(), "bomb.png", 400, "too_many_pixels"),
    ],
)
def test_a_refused_file_stores_nothing_and_says_why(token_client, blog, data, name, status, code):
    events = Event.objects.count()
    response = _upload(token_client, data, name)
    assert response.status_code == status
    assert response.json()["code"] == code
    assert response.json()["errors"]["file"]
    assert Event.objects.count() == events and not Media.objects.exists()


def test_alt_text_is_required(token_client, blog) -> None:
    response = token_client.post(
        MEDIA_URL, {"file": SimpleUploadedFile("a.jpg", samples.photo())}, format="multipart"
    )
    assert response.status_code == 400 and "alt" in response.json()["errors"]


def test_a_file_over_the_limit_is_refused_with_413(token_client, blog, settings) -> None:
    settings.LIVEBLOG_MEDIA_MAX_BYTES = 10_000
    response = _upload(token_client, samples.photo(1600, 1200))
    assert response.status_code == 413 and response.json()["code"] == "too_large"


def test_only_members_upload(anon, outsider_client, blog) -> None:
    assert _upload(anon).status_code == 401
    assert _upload(outsider_client).status_code == 403
    assert not Media.objects.exists()


def test_uploads_are_throttled_per_editor(token_client, blog, settings) -> None:
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "media": "2/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    small = samples.photo(300, 200)
    assert [_upload(token_client, small).status_code for _ in range(3)] == [201, 201, 429]


def test_an_entry_shows_an_uploaded_image_as_a_figure_and_lists_it(token_client, blog) -> None:
    media = _upload(token_client, caption="Fowey", credit="Jo Smith").json()

    response = token_client.post(
        ENTRIES_URL, {"body": f"The wall gave way.\n\n![Harbour wall]({media['url']})"}
    )

    assert response.status_code == 201
    entry = response.json()
    assert entry["warnings"] == []
    html = entry["body_html"]
    assert '<figure class="entry-image">' in html and 'alt="Harbour wall"' in html
    assert "srcset=" in html and 'width="800" height="1200"' in html and 'loading="lazy"' in html
    assert "<figcaption>Fowey" in html and "Jo Smith" in html
    assert entry["media"] == [{**media, "alt": "Waves over the harbour wall"}]


def test_a_remote_image_raw_html_and_a_bad_link_are_reported_not_silently_lost(
    token_client, blog
) -> None:
    body = (
        "![Flooding in Fowey](https://example.org/photo.jpg)\n\n"
        '<iframe src="https://evil.example"></iframe>\n\n[x](javascript:alert(1))'
    )
    response = token_client.post(ENTRIES_URL, {"body": body})

    assert response.status_code == 201
    codes = [warning["code"] for warning in response.json()["warnings"]]
    assert codes == ["remote_image", "iframe", "link_scheme"]
    assert "upload the image instead" in response.json()["warnings"][0]["message"]
    html = response.json()["body_html"]
    assert "Flooding in Fowey" in html and 'href="https://example.org/photo.jpg"' in html
    assert "<img" not in html and "<iframe" not in html


def test_a_correction_swaps_the_image_and_each_revision_keeps_its_own(token_client, blog):
    first = _upload(token_client, samples.photo(900, 600, orientation=1)).json()
    second = _upload(token_client, samples.photo(700, 500, orientation=1)).json()
    entry = token_client.post(ENTRIES_URL, {"body": f"![Wall]({first['url']})"}).json()

    corrected = token_client.post(
        f"{ENTRIES_URL}{entry['id']}/correct/",
        {"body": f"![Wall]({second['url']})", "reason": "Better photo", "based_on_revision": 1},
    ).json()

    assert [item["id"] for item in corrected["media"]] == [second["id"]]
    one, two = corrected["revisions"]
    assert first["url"] in one["body_html"] and second["url"] not in one["body_html"]
    assert second["url"] in two["body_html"]
    assert [item["id"] for item in one["media"]] == [first["id"]]


def test_a_youtube_link_alone_on_its_line_becomes_a_card_fetched_once(
    token_client, blog, oembed
) -> None:
    url = "https://www.youtube.com/watch?v=abc"
    response = token_client.post(ENTRIES_URL, {"body": f"Watch:\n{url}"})

    assert response.status_code == 201
    (embed,) = response.json()["embeds"]
    assert embed["provider"] == "YouTube" and embed["title"] == "Harbour wall gives way"
    assert embed["author"] == "Cornwall Live" and embed["thumbnail"]["url"].startswith("/media/")
    html = response.json()["body_html"]
    assert "Show the post from YouTube" in html and "Harbour wall gives way" in html
    # The card makes no request to the provider: its player waits in an attribute.
    assert "<iframe" not in html and "data-embed-html=" in html
    assert "youtube.com/vi" not in html and oembed.base not in html
    assert [path.split("?")[0] for path in oembed.requests] == ["/oembed", "/thumb.jpg"]

    token_client.post(ENTRIES_URL, {"body": url})
    assert len(oembed.requests) == 2  # the metadata was cached, not fetched again


def test_a_provider_that_does_not_answer_in_time_gives_a_link_card_quickly(
    token_client, blog, oembed
) -> None:
    import time

    oembed.delay = 3.0
    started = time.monotonic()
    response = token_client.post(ENTRIES_URL, {"body": "https://www.youtube.com/watch?v=zzz"})

    assert time.monotonic() - started < 2.5  # LIVEBLOG_EMBED_TIMEOUT is 1 s here
    assert response.status_code == 201
    (embed,) = response.json()["embeds"]
    assert embed["kind"] == "link" and embed["html"] == "" and embed["title"] == ""
    assert "Open it on YouTube" in response.json()["body_html"]
    assert [w["code"] for w in response.json()["warnings"]] == ["embed_unavailable"]


def test_a_link_to_any_other_site_stays_a_link(token_client, blog, oembed) -> None:
    response = token_client.post(ENTRIES_URL, {"body": "https://example.org/report"})
    assert response.json()["embeds"] == [] and "<figure" not in response.json()["body_html"]
    assert oembed.requests == []


def test_a_retracted_entry_withholds_its_media_and_embeds(token_client, blog) -> None:
    media = _upload(token_client).json()
    entry = token_client.post(ENTRIES_URL, {"body": f"![x]({media['url']})"}).json()
    retracted = token_client.post(
        f"{ENTRIES_URL}{entry['id']}/retract/", {"reason": "Wrong town"}
    ).json()
    assert retracted["media"] == [] and retracted["body_html"] == ""
    assert all(revision["media"] == [] for revision in retracted["revisions"])


def test_image_bytes_never_travel_in_json(token_client, blog) -> None:
    media = _upload(token_client).json()
    entry = token_client.post(ENTRIES_URL, {"body": f"![x]({media['url']})"})
    assert b"\xff\xd8" not in entry.content and len(entry.content) < 6_000
    with default_storage.open(Media.objects.get().name) as handle:
        assert Image.open(io.BytesIO(handle.read())).format == "JPEG"


def test_at_most_fifty_posts_are_embedded_and_the_rest_stay_links(token_client, blog, oembed):
    urls = [f"https://www.youtube.com/watch?v={n:03d}" for n in range(55)]
    response = token_client.post(ENTRIES_URL, {"body": "\n\n".join(urls)})
    assert response.status_code == 201
    assert len(response.json()["embeds"]) == 50
    assert f'href="{urls[-1]}"' in response.json()["body_html"]
