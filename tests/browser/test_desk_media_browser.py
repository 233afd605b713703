"""End to end: an editor adds a photo and a YouTube post in the desk; a reader sees both live.

The photo goes through the desk's upload panel (the API's media endpoint, with the admin
session); the YouTube post is described by the stub oEmbed provider on 127.0.0.1, which the
server process is pointed at (``LIVEBLOG_E2E_OEMBED``, see e2e_app). Nothing reaches the
internet. The stored files are then opened with Pillow: the phone's EXIF (with its GPS
position) must be gone.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, FilePayload, Page, expect

from tests import samples, stub_oembed
from tests.browser.conftest import Server
from tests.browser.test_admin_browser import PASSWORD, SETUP

pytestmark = pytest.mark.browser

YOUTUBE = "https://www.youtube.com/watch?v=abc"
ALT = "Waves breaking over the harbour wall"
SVG = b"<svg xmlns='http://www.w3.org/2000/svg'/>"


def _sign_in(page: Page, server: Server, username: str, desk: str) -> None:
    page.goto(f"{server.url}/admin/login/?next={desk}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page).to_have_url(f"{server.url}{desk}")
    page.wait_for_load_state("load")  # desk.js and upload.js are deferred modules


def _dispatch_with_file(page: Page, data: bytes, name: str, type_: str, dispatch: str) -> None:
    """Run ``dispatch`` in the page with ``files``: a DataTransfer holding the file, as a
    user's paste or drop carries it."""
    with_files = """([encoded, name, type]) => {
            const bytes = Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0));
            const files = new DataTransfer();
            files.items.add(new File([bytes], name, { type }));
            const init = { bubbles: true, cancelable: true };
            """
    page.evaluate(with_files + dispatch + "}", [base64.b64encode(data).decode(), name, type_])


def _paste_image(page: Page, data: bytes, name: str) -> None:
    """What Ctrl+V of a copied image does: a paste event whose clipboard holds a file."""
    _dispatch_with_file(
        page,
        data,
        name,
        "image/png",
        """const body = document.getElementById("id_body");
            body.focus();
            body.dispatchEvent(new ClipboardEvent("paste", { ...init, clipboardData: files }));""",
    )


def test_an_editor_adds_a_photo_and_a_youtube_post_and_a_reader_sees_them_live(
    server: Server, page: Page, browser: Browser, tmp_path: Path
) -> None:
    media_root = tmp_path / "media"
    server.env["LIVEBLOG_MEDIA_ROOT"] = str(media_root)
    setup = json.loads(server.shell(SETUP))
    desk = f"/admin/liveblog/blog/{setup['blog']}/desk/"
    photo = tmp_path / "IMG_0042.jpg"
    photo.write_bytes(samples.photo(1600, 1200, orientation=6))  # GPS, EXIF, XMP, ICC

    with stub_oembed.running() as stub:
        server.env["LIVEBLOG_E2E_OEMBED"] = f"{stub.base}/oembed"
        server.start()

        reader = browser.new_context().new_page()
        reader.goto(f"{server.url}/blogs/election-night/")
        expect(reader.locator("#connection")).to_have_attribute("data-state", "open")

        _sign_in(page, server, setup["username"], desk)
        page.fill("#id_body", "The harbour wall at Fowey has given way.")

        # No alt text: the photo waits and the editor is told what to write.
        page.set_input_files("#upload-file", str(photo))
        expect(page.locator("#upload-pending-name")).to_have_text("IMG_0042.jpg")
        page.click("#upload-start")
        expect(page.locator("#upload-message")).to_contain_text("Write the alt text first")
        expect(page.locator("#upload-alt")).to_be_focused()

        page.fill("#upload-alt", ALT)
        page.fill("#upload-credit", "Jo Smith")
        page.click("#upload-start")
        expect(page.locator("#upload-done img")).to_have_attribute("alt", ALT)
        body = page.input_value("#id_body")
        assert body.startswith("The harbour wall at Fowey has given way.\n\n![" + ALT + "](/media/")
        # The preview shows it as readers will: the figure with its renditions and credit.
        figure = page.locator("#desk-preview-body figure.entry-image")
        expect(figure.locator("img")).to_have_attribute("srcset", re.compile(r"/media/\S+ 480w"))
        expect(figure).to_contain_text("Jo Smith")

        # The server's refusal is shown next to the picker, and nothing is inserted.
        page.fill("#upload-alt", "A drawing")
        page.set_input_files(
            "#upload-file",
            files=[FilePayload(name="logo.svg", mimeType="image/svg+xml", buffer=SVG)],
        )
        expect(page.locator("#upload-message")).to_have_class(re.compile("errornote"))
        expect(page.locator("#upload-message")).to_contain_text("SVG")
        assert page.input_value("#id_body") == body

        # A copied image pasted into the text, described already: uploaded at once.
        page.fill("#upload-alt", "Map of the harbour")
        _paste_image(page, samples.photo(300, 200, image_format="PNG"), "image.png")
        expect(page.locator("#upload-done img")).to_have_count(2)
        body = page.input_value("#id_body")
        assert body.endswith("![Map of the harbour](" + body.split("![Map of the harbour](")[1])
        expect(page.locator("#desk-preview-body img[alt='Map of the harbour']")).to_be_visible()

        # The YouTube link, alone on its line, becomes a card in the preview.
        page.locator("#id_body").press("Control+End")
        page.keyboard.insert_text(f"\n\n{YOUTUBE}")
        card = page.locator("#desk-preview-body figure.embed")
        expect(card).to_contain_text("Harbour wall gives way")
        expect(card).to_contain_text("YouTube")
        # A remote image is named as what readers will not see.
        page.keyboard.insert_text("\n\n![map](https://maps.example/fowey.png)")
        expect(page.locator("#desk-warnings")).to_contain_text("upload the image instead")
        page.fill("#id_body", page.input_value("#id_body").split("\n\n![map]")[0])
        expect(page.locator("#desk-warnings")).to_be_hidden()

        page.fill("#id_headline", "Harbour wall collapses")
        for width in (1280, 390):  # looked at by hand: the panel on a desktop and a phone
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(tmp_path / f"desk-{width}.png"), full_page=True)
        page.click("#desk-publish")
        expect(page.locator(".messagelist")).to_contain_text("Published")
        thumb = page.locator("#desk-entries tbody tr").first.locator("img.liveblog-thumb")
        expect(thumb).to_have_attribute("alt", ALT)

        # The reader's open page got both, pushed, without a reload.
        image = reader.locator("figure.entry-image img").first
        expect(image).to_be_visible()
        srcset = image.get_attribute("srcset") or ""
        assert srcset.count("/media/") >= 2 and " 480w" in srcset, srcset
        assert image.get_attribute("width") == "1200" and image.get_attribute("height") == "1600"
        expect(reader.locator("figure.embed")).to_contain_text("Harbour wall gives way")
        expect(reader.locator("figure.embed .embed-show")).to_have_text(
            "Show the post from YouTube"
        )
        assert reader.evaluate(
            "() => document.querySelector('figure.entry-image img').naturalWidth"
        )
        # No request left for YouTube: the card's thumbnail is a copy stored here.
        thumbnail = reader.locator("figure.embed img.embed-thumbnail")
        assert (thumbnail.get_attribute("src") or "").startswith("/media/")

    files = sorted(path for path in media_root.rglob("*") if path.is_file())
    assert files
    for path in files:
        with Image.open(path) as stored:
            assert not stored.getexif(), f"{path.name} kept EXIF"
            assert not {"exif", "xmp", "icc_profile", "comment"} & set(stored.info), stored.info


def _drop_image(page: Page, data: bytes, name: str) -> None:
    """What dropping a file from the desktop on the panel does: a drop carrying the file."""
    _dispatch_with_file(
        page,
        data,
        name,
        "image/jpeg",
        """const zone = document.getElementById("upload-drop");
            zone.dispatchEvent(new DragEvent("dragover", { ...init, dataTransfer: files }));
            zone.dispatchEvent(new DragEvent("drop", { ...init, dataTransfer: files }));""",
    )


def test_on_a_phone_the_camera_is_offered_and_a_dropped_photo_is_inserted(
    server: Server, browser: Browser, tmp_path: Path
) -> None:
    server.env["LIVEBLOG_MEDIA_ROOT"] = str(tmp_path / "media")
    setup = json.loads(server.shell(SETUP))
    desk = f"/admin/liveblog/blog/{setup['blog']}/desk/"
    server.start()
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="en-GB"
    )
    page = phone.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    _sign_in(page, server, setup["username"], desk)

    camera = page.locator("label.liveblog-camera")
    expect(camera).to_be_visible()
    expect(page.locator("#upload-camera")).to_have_attribute("capture", "environment")
    # A photo from the camera, described first: uploaded as soon as it is taken.
    page.fill("#upload-alt", "Sandbags at the door")
    page.set_input_files("#upload-camera", files=[_jpeg("camera.jpg")])
    expect(page.locator("#upload-done li")).to_have_count(1)
    # A dropped photo waits for its alt text; Enter in the alt text uploads it, not the form.
    _drop_image(page, samples.photo(500, 400, orientation=1), "dropped.jpg")
    expect(page.locator("#upload-pending-name")).to_have_text("dropped.jpg")
    page.fill("#upload-alt", "The flooded quay")
    page.press("#upload-alt", "Enter")
    expect(page.locator("#upload-done li")).to_have_count(2)
    assert "![The flooded quay](/media/" in page.input_value("#id_body")
    expect(page.locator("#desk-preview-body img[alt='The flooded quay']")).to_be_attached()
    assert "Nothing published yet." in page.inner_text("#desk-entries")
    page.screenshot(path=str(tmp_path / "desk-phone.png"), full_page=True)
    page.locator("#image-upload").screenshot(path=str(tmp_path / "upload-phone.png"))
    phone.close()
    assert not errors, errors


def _jpeg(name: str) -> FilePayload:
    return FilePayload(name=name, mimeType="image/jpeg", buffer=samples.photo(800, 600))
