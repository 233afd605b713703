"""The desk's images and warnings: the upload panel, the preview, publish, the entry list."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from liveblog import commands
from liveblog.media import file_url
from liveblog.models import Blog, Entry, Media
from tests import samples
from tests.admin.pages import desk_page, messages_of, publish_from_desk

pytestmark = pytest.mark.django_db


def _upload(blog: Blog) -> Media:
    return commands.media_upload(
        blog=blog,
        data=samples.photo(1200, 800, orientation=1),
        filename="harbour.jpg",
        alt="Waves over the harbour wall",
        caption="Fowey at 7am",
        credit="Jo Smith",
        actor="editor",
        max_bytes=10_000_000,
        max_pixels=50_000_000,
    )


def test_the_desk_offers_the_upload_panel_to_the_blogs_media_endpoint(desk_client, blog):
    html = desk_client.get(desk_page(blog)).content.decode()
    upload_url = reverse("api:media-list", kwargs={"slug": blog.slug})
    assert f'data-upload-url="{upload_url}"' in html
    assert 'data-target="id_body"' in html
    # A picker, a phone's camera, and the alt text the upload needs.
    assert 'id="upload-file" aria-label="Choose an image" accept="image/*"' in html
    assert 'accept="image/*" capture="environment"' in html
    assert 'id="upload-alt"' in html and "Required: what the image shows" in html
    assert "liveblog/admin/upload.js" in html


def test_the_upload_panel_posts_where_the_desks_session_may_upload(desk_client, blog):
    """The panel's XMLHttpRequest: the desk's session cookie and CSRF token, multipart."""
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.cookies = desk_client.cookies
    page = csrf_client.get(desk_page(blog))
    token = page.context["csrf_token"]
    url = reverse("api:media-list", kwargs={"slug": blog.slug})
    photo = samples.photo(800, 600)
    refused = csrf_client.post(url, {"file": SimpleUploadedFile("a.jpg", photo), "alt": "Waves"})
    assert refused.status_code == 403  # no token: nothing stored
    photo_file = SimpleUploadedFile("a.jpg", photo)
    answer = csrf_client.post(
        url, {"file": photo_file, "alt": "Waves"}, HTTP_X_CSRFTOKEN=str(token)
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["url"].startswith("/media/")
    assert Media.objects.filter(blog=blog).count() == 1


def test_the_preview_shows_uploaded_images_and_names_what_readers_will_not_see(desk_client, blog):
    media = _upload(blog)
    body = (
        f"![Harbour]({file_url(media.name)})\n\n"
        "![Remote](https://example.com/photo.jpg)\n\n"
        '<iframe src="https://evil.example/"></iframe>'
    )
    url = reverse("admin:liveblog_blog_preview", args=[blog.pk])
    preview = desk_client.post(url, {"body": body}).json()
    assert 'srcset="' in preview["html"] and 'alt="Harbour"' in preview["html"]
    assert "Fowey at 7am" in preview["html"]
    codes = [warning["code"] for warning in preview["warnings"]]
    assert codes == ["remote_image", "iframe"]
    assert "upload the image instead" in preview["warnings"][0]["message"]
    # Without JavaScript, the Preview button shows the same image and warnings.
    page = desk_client.post(
        desk_page(blog),
        {"entry_id": "9b0c3c5e-8d7e-4f63-9a53-0f5cf1a9e0a1", "body": body, "_preview": "1"},
    ).content.decode()
    assert 'srcset="' in page and "This will not be shown: an iframe" in page
    assert not Entry.objects.filter(blog=blog).exists()


def test_publishing_names_what_readers_will_not_see(desk_client, blog):
    response = publish_from_desk(
        desk_client,
        blog,
        "The wall.\n\n![Remote](https://example.com/photo.jpg)",
        entry_id="9b0c3c5e-8d7e-4f63-9a53-0f5cf1a9e0a2",
        follow=True,
    )
    shown = messages_of(response)
    assert any(message.startswith("Published") for message in shown)
    assert any("upload the image instead" in message for message in shown)


def test_the_entry_list_shows_a_thumbnail_of_an_entrys_image(desk_client, blog):
    media = _upload(blog)
    commands.entry_publish(
        blog=blog, body=f"Wall.\n\n![Harbour wall]({file_url(media.name)})", actor="editor"
    )
    html = desk_client.get(desk_page(blog)).content.decode()
    narrowest = file_url(media.files[0]["name"])
    assert f'class="liveblog-thumb" src="{narrowest}" alt="Waves over the harbour wall"' in html


def test_the_correct_form_offers_the_upload_panel(desk_client, blog):
    entry = commands.entry_publish(blog=blog, body="Wall.", actor="editor")
    html = desk_client.get(reverse("admin:liveblog_entry_correct", args=[entry.pk])).content
    assert b'id="image-upload"' in html and b'data-target="id_body"' in html
