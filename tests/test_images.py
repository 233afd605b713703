"""Uploads: only real images pass, upright, in sRGB, with no metadata left; the rest says why."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from liveblog import images
from liveblog.errors import MediaRefusedError, MediaTooLargeError
from tests import samples

LIMITS = {"max_bytes": 5 * 1024 * 1024, "max_pixels": 50_000_000}


def _process(data: bytes, filename: str = "photo.jpg") -> images.ProcessedImage:
    return images.process(data, filename=filename, **LIMITS)


def test_a_phone_photo_is_turned_upright_and_loses_all_its_metadata() -> None:
    original = samples.photo(1200, 800, orientation=6)
    assert b"PhoneMaker" in original and b"Fowey" in original  # the sample carries them

    processed = _process(original)

    assert processed.content_type == "image/jpeg"
    # Orientation 6 turns the 1200 x 800 picture on its side: it is shown 800 wide.
    assert [(r.width, r.height) for r in processed.renditions] == [(480, 720), (800, 1200)]
    for rendition in processed.renditions:
        with Image.open(io.BytesIO(rendition.data)) as image:
            assert not image.getexif()
            assert not image.getexif().get_ifd(samples.GPS_IFD)
            assert "icc_profile" not in image.info and "xmp" not in image.info
            assert "comment" not in image.info and "exif" not in image.info
            # The red band that was on the left is now along the top.
            pixel = image.convert("RGB").getpixel((image.width // 2, 5))
            assert isinstance(pixel, tuple)
            red = pixel[0]
            assert red > 150
        for trace in (b"PhoneMaker", b"Fowey", b"harbour", b"Exif"):
            assert trace not in rendition.data


@pytest.mark.parametrize(
    ("image_format", "filename", "content_type"),
    [
        ("PNG", "chart.png", "image/png"),
        ("WEBP", "photo.webp", "image/webp"),
        ("GIF", "still.gif", "image/png"),
    ],
)
def test_png_webp_and_still_gifs_pass_without_metadata(image_format, filename, content_type):
    data = samples.photo(
        2000,
        1000,
        image_format=image_format,
        mode="P" if image_format == "GIF" else "RGB",
        profile=image_format != "GIF",
        gps=image_format != "GIF",
        orientation=None if image_format == "GIF" else 1,
    )
    processed = _process(data, filename)
    assert processed.content_type == content_type
    assert [r.width for r in processed.renditions] == [480, 960, 1600]
    for rendition in processed.renditions:
        assert b"PhoneMaker" not in rendition.data and b"Fowey" not in rendition.data


def test_renditions_are_named_by_their_digest_and_the_same_upload_gives_the_same_files() -> None:
    data = samples.photo(1000, 600, orientation=1)
    first, second = _process(data), _process(data, "another-name.jpeg")
    assert [r.name for r in first.renditions] == [r.name for r in second.renditions]
    for rendition in first.renditions:
        assert rendition.name == images.storage_name(rendition.data, "jpg")
        assert "photo" not in rendition.name


def test_an_animated_gif_stays_animated_in_one_rendition() -> None:
    processed = _process(samples.animated_gif(frames=4, size=(1200, 600)), "loop.gif")
    assert processed.animated and processed.content_type == "image/gif"
    (rendition,) = processed.renditions
    assert (rendition.width, rendition.height) == (images.ANIMATED_MAX_WIDTH, 480)
    with Image.open(io.BytesIO(rendition.data)) as image:
        assert getattr(image, "n_frames", 1) == 4
    assert b"made by a tool" not in rendition.data


def test_colours_are_converted_to_srgb_and_the_profile_dropped() -> None:
    from PIL import ImageCms

    buffer = io.BytesIO()
    lab_like = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")).tobytes()
    Image.new("RGB", (600, 400), (200, 30, 30)).save(buffer, "PNG", icc_profile=lab_like)
    processed = _process(buffer.getvalue(), "odd-profile.png")
    with Image.open(io.BytesIO(processed.renditions[-1].data)) as image:
        assert "icc_profile" not in image.info


@pytest.mark.parametrize(
    ("data", "filename", "code", "words"),
    [
        (b"", "empty.jpg", "empty_file", "empty"),
        (samples.SVG, "logo.svg", "svg", "SVG"),
        (samples.SVG, "logo.png", "svg", "SVG"),
        (samples.HEIC, "IMG_0001.HEIC", "heic", "HEIC"),
        (b"\x00\x00\x00\x1cftypavif" + b"\x00" * 40, "x.avif", "avif", "AVIF"),
        (b"just some text, not a picture", "notes.jpg", "not_an_image", "not a JPEG"),
        (samples.photo(400, 300)[:3000], "cut.jpg", "truncated", "truncated"),
        (samples.photo(400, 300), "photo.png", "wrong_extension", "holds a JPEG"),
        (samples.photo(400, 300), "photo.exe", "wrong_extension", ".exe"),
        (samples.bomb(), "bomb.png", "too_many_pixels", "decompression bomb"),
        (samples.with_zip_appended(samples.photo(400, 300)), "gifar.jpg", "polyglot", "ZIP"),
        (samples.photo(400, 300) + b"<script>alert(1)</script>", "x.jpg", "polyglot", "<script"),
        (b"GIF89a/*<html><script>alert(1)</script>*/", "x.gif", "polyglot", "<script"),
    ],
)
def test_refused_files_say_why(data, filename, code, words) -> None:
    with pytest.raises(MediaRefusedError) as refused:
        _process(data, filename)
    assert refused.value.code == code
    assert words in refused.value.message
    assert refused.value.field == "file"


def test_a_file_over_the_size_limit_is_refused_as_too_large() -> None:
    with pytest.raises(MediaTooLargeError, match="up to 1 MB"):
        images.process(
            samples.photo(1600, 1200) + b"\0" * 1_048_576,
            filename="big.jpg",
            max_bytes=1_048_576,
            max_pixels=50_000_000,
        )
