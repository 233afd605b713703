"""Image files for tests, made with Pillow: a phone photo with GPS, broken and hostile files."""

from __future__ import annotations

import io
import zipfile

from PIL import Image, ImageCms

GPS_IFD = 0x8825
ORIENTATION = 0x0112
GPS_LATITUDE = (50, 20, 12.5)


def photo(
    width: int = 1200,
    height: int = 800,
    *,
    image_format: str = "JPEG",
    orientation: int | None = 6,
    gps: bool = True,
    profile: bool = True,
    mode: str = "RGB",
) -> bytes:
    """A picture the way a phone sends it: EXIF with GPS and orientation, XMP, ICC, comment."""
    image = Image.new("RGB", (width, height), "steelblue")
    # A red band on the left: after the EXIF turn (6: 90 degrees clockwise) it is on top.
    image.paste("firebrick", (0, 0, max(1, width // 10), height))
    image = image.convert(mode)
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    if orientation is not None:
        exif[ORIENTATION] = orientation
    if gps:
        exif.get_ifd(GPS_IFD).update({1: "N", 2: GPS_LATITUDE, 3: "W", 4: (4, 38, 10.0)})
    options: dict = {"exif": exif.tobytes()}
    if profile and mode in {"RGB", "RGBA"}:
        options["icc_profile"] = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    if image_format == "JPEG":
        options["comment"] = b"shot at the harbour"
        options["xmp"] = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">Fowey</x:xmpmeta>'
    if image_format == "WEBP":
        options["xmp"] = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">Fowey</x:xmpmeta>'
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def animated_gif(frames: int = 3, size: tuple[int, int] = (200, 100)) -> bytes:
    colours = ["red", "green", "blue", "yellow", "purple", "orange"]
    images = [Image.new("RGB", size, colours[n % len(colours)]) for n in range(frames)]
    buffer = io.BytesIO()
    images[0].save(
        buffer,
        format="GIF",
        save_all=True,
        append_images=images[1:],
        duration=80,
        loop=0,
        comment=b"made by a tool",
    )
    return buffer.getvalue()


def bomb(pixels_per_side: int = 20_000) -> bytes:
    """A PNG that declares a huge canvas but compresses to a few kilobytes."""
    buffer = io.BytesIO()
    Image.new("1", (pixels_per_side, pixels_per_side)).save(buffer, format="PNG")
    return buffer.getvalue()


def with_zip_appended(data: bytes) -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("payload.js", "alert(1)")
    return data + archive.getvalue()


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64
