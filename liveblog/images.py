"""Uploaded images: check that a file is a real photo or graphic, then make clean renditions.

Pillow does the work: it identifies the format from the bytes (never the file name), reads
the dimensions from the header before decoding anything, decodes (refusing truncated data),
applies the EXIF orientation (``ImageOps.exif_transpose``), converts colour to sRGB with
LittleCMS (``ImageCms``) and encodes the renditions. The original file is never stored or
served: every rendition is encoded afresh from pixels, so no metadata survives (EXIF with its
GPS position, XMP, IPTC, comments, ICC profiles) and nothing appended to the file (a script,
an archive) does either.

Decisions, also in the README:
- JPEG, PNG, WebP and GIF only. HEIC and AVIF are refused with advice: browsers cannot show
  HEIC at all, Pillow needs a separate HEVC decoder for it, and phones send JPEG through a web
  form's file picker (``accept="image/*"``) anyway. SVG is refused: it can carry scripts.
- Colour: an embedded ICC profile (Display P3 from phones, Adobe RGB from cameras) is applied
  and the pixels converted to sRGB, then the profile is dropped; browsers show untagged
  images as sRGB, so colours stay as the photographer saw them without shipping a profile.
- Animated GIFs (and WebPs) stay animated, as one rendition no wider than
  ``ANIMATED_MAX_WIDTH``: resizing every frame for several widths costs too much, and they are
  small. A still GIF becomes PNG renditions.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import PurePosixPath

from PIL import Image, ImageCms, ImageOps, ImageSequence, UnidentifiedImageError

from liveblog.errors import MediaRefusedError, MediaTooLargeError

#: Rendition widths in CSS pixels; an image narrower than one gets its own width instead.
RENDITION_WIDTHS = (480, 960, 1600)
ANIMATED_MAX_WIDTH = 960
MAX_FRAMES = 500
JPEG_QUALITY = 82
WEBP_QUALITY = 80

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
#: What a file name's extension promises.
_FORMAT_OF_EXTENSION = {
    "jpg": "JPEG",
    "jpeg": "JPEG",
    "jpe": "JPEG",
    "jfif": "JPEG",
    "png": "PNG",
    "webp": "WEBP",
    "gif": "GIF",
}
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1"}
_AVIF_BRANDS = {b"avif", b"avis"}
#: Markup or code inside an "image" makes it a polyglot: a browser or server could be led
#: to run it. Each marker is six bytes or more, so that compressed pixels, which look like
#: random bytes, hold one by chance about once in a million 5 MB photos (four bytes such as
#: "<svg" turned up in one of the first hundred benchmark photos).
_POLYGLOT_MARKERS = (
    b"<script",
    b"<iframe",
    b"<!doctype html",
    b"<svg xmlns",
    b"<html>",
    b"<html ",
    b"<body>",
    b"<body ",
    b"<?php ",
    b"<?php\n",
)
_ACCEPTED_TEXT = "a JPEG, PNG, WebP or GIF image"
_SRGB = ImageCms.createProfile("sRGB")


@dataclasses.dataclass(frozen=True)
class Rendition:
    """One encoded file: its content-addressed storage name and its pixel size."""

    name: str
    width: int
    height: int
    data: bytes = dataclasses.field(repr=False)

    @property
    def size(self) -> int:
        return len(self.data)


@dataclasses.dataclass(frozen=True)
class ProcessedImage:
    """What an upload became: renditions from narrowest to widest, all of one type."""

    content_type: str
    width: int
    height: int
    renditions: tuple[Rendition, ...]
    animated: bool = False


def _refuse(message: str, code: str) -> MediaRefusedError:
    return MediaRefusedError(message, code=code)


def _too_many_pixels(label: str, max_pixels: int, size: str = "") -> MediaRefusedError:
    return _refuse(
        f"{label} {'is ' + size + ': ' if size else 'has '}more than the {max_pixels:,} "
        "pixels accepted (a decompression bomb, or a scan far larger than a page needs). "
        "Export it smaller.",
        "too_many_pixels",
    )


def storage_name(data: bytes, extension: str) -> str:
    """Where a file's bytes live in storage: named by their SHA-256, never by the uploader."""
    digest = hashlib.sha256(data).hexdigest()
    return f"{digest[:2]}/{digest}.{extension}"


def check_size(size: int, *, filename: str, max_bytes: int) -> None:
    """Refuse a file larger than ``max_bytes`` (413), before anything reads it."""
    if size > max_bytes:
        label = PurePosixPath(filename or "the file").name or "the file"
        raise MediaTooLargeError(
            f"{label} is {size / 1_048_576:.1f} MB; images up to "
            f"{max_bytes / 1_048_576:.0f} MB are accepted. Export a smaller JPEG."
        )


def check_file(data: bytes, *, filename: str, max_bytes: int) -> None:
    """Refuse what is not worth decoding: empty, too large, SVG, HEIC/AVIF, polyglots."""
    label = PurePosixPath(filename or "the file").name or "the file"
    if not data:
        raise _refuse(f"{label} is empty (0 bytes); choose the image again.", "empty_file")
    check_size(len(data), filename=filename, max_bytes=max_bytes)
    extension = PurePosixPath(filename).suffix.lower().lstrip(".")
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if extension in {"svg", "svgz"} or (head.startswith((b"<svg", b"<?xml")) and b"<svg" in head):
        raise _refuse(
            f"{label} is an SVG drawing; SVG can carry scripts and is not accepted. Export "
            "it as PNG.",
            "svg",
        )
    brand = data[8:12] if data[4:8] == b"ftyp" else b""
    if brand in _HEIF_BRANDS or extension in {"heic", "heif"}:
        raise _refuse(
            f"{label} is a HEIC photo, which browsers cannot show. Upload it as JPEG (on an "
            "iPhone: Settings > Camera > Formats > Most Compatible, or share it as JPEG).",
            "heic",
        )
    if brand in _AVIF_BRANDS or extension == "avif":
        raise _refuse(
            f"{label} is an AVIF image, which is not accepted; upload {_ACCEPTED_TEXT}.", "avif"
        )
    lowered = data.lower()
    marker = next((marker for marker in _POLYGLOT_MARKERS if marker in lowered), None)
    if marker is not None:
        raise _refuse(
            f"{label} holds HTML or code ({marker.decode()}...) besides the picture; such "
            "files are refused. Export the image again from a photo editor.",
            "polyglot",
        )
    if zipfile.is_zipfile(io.BytesIO(data)):
        raise _refuse(
            f"{label} is also a ZIP archive; such files are refused. Export the image again.",
            "polyglot",
        )


def process(data: bytes, *, filename: str, max_bytes: int, max_pixels: int) -> ProcessedImage:
    """Check an upload and encode its renditions; raise MediaRefusedError saying why not."""
    check_file(data, filename=filename, max_bytes=max_bytes)
    label = PurePosixPath(filename or "the file").name or "the file"
    with warnings.catch_warnings():
        # Pillow's own bomb warning; the explicit pixel limit below speaks first.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
        except UnidentifiedImageError:
            raise _refuse(
                f"{label} is not {_ACCEPTED_TEXT} (or it is damaged).", "not_an_image"
            ) from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels(label, max_pixels) from None
        except (OSError, ValueError, SyntaxError):
            raise _refuse(f"{label} is damaged and cannot be read.", "damaged") from None
        with image:
            return _process_open(image, label=label, filename=filename, max_pixels=max_pixels)


def _process_open(
    image: Image.Image, *, label: str, filename: str, max_pixels: int
) -> ProcessedImage:
    image_format = image.format or ""
    extension = PurePosixPath(filename).suffix.lower().lstrip(".")
    promised = _FORMAT_OF_EXTENSION.get(extension)
    if extension and promised is None:
        raise _refuse(
            f"{label} is named .{extension}; upload {_ACCEPTED_TEXT} (.jpg, .png, .webp, .gif).",
            "wrong_extension",
        )
    if promised is not None and promised != image_format:
        raise _refuse(
            f"{label} is named .{extension} but holds a {image_format} image; rename it to "
            f".{EXTENSIONS[image_format]} or export it again.",
            "wrong_extension",
        )
    frames = getattr(image, "n_frames", 1)
    width, height = image.size
    if width < 1 or height < 1 or width * height * min(frames, MAX_FRAMES) > max_pixels:
        size = f"{width:,} x {height:,} pixels" + (f" in {frames} frames" if frames > 1 else "")
        raise _too_many_pixels(label, max_pixels, size)
    if frames > MAX_FRAMES:
        raise _refuse(
            f"{label} has {frames:,} frames; animations of up to {MAX_FRAMES} are accepted.",
            "too_many_frames",
        )
    try:
        if frames > 1:
            return _animated(image, image_format)
        return _still(image, image_format)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        if "truncated" in str(exc).lower():
            raise _refuse(
                f"{label} is cut short (truncated); upload the whole file again.", "truncated"
            ) from None
        raise _refuse(f"{label} is damaged and cannot be read.", "damaged") from None


def _widths(width: int) -> list[int]:
    widest = min(width, RENDITION_WIDTHS[-1])
    return [*(target for target in RENDITION_WIDTHS if target < widest), widest]


def _to_srgb(image: Image.Image) -> Image.Image:
    """Pixels in sRGB, in a mode the output format takes; the source profile applied."""
    profile = image.info.get("icc_profile")
    has_alpha = image.mode in {"RGBA", "LA", "PA"} or (
        image.mode == "P" and "transparency" in image.info
    )
    target = "RGBA" if has_alpha else ("L" if image.mode in {"1", "L", "I;16"} else "RGB")
    if profile and image.mode in {"RGB", "RGBA", "CMYK", "L"}:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            output = "RGBA" if image.mode == "RGBA" else ("L" if image.mode == "L" else "RGB")
            converted = ImageCms.profileToProfile(image, source, _SRGB, outputMode=output)
            if converted is not None:
                image = converted
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken profile: the pixels are taken as sRGB, as a browser would
    if image.mode != target:
        image = image.convert(target)
    return image


def _encode(image: Image.Image, image_format: str, **options: object) -> bytes:
    image.info.clear()  # comments, profiles and the like would otherwise be written again
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def _still(image: Image.Image, image_format: str) -> ProcessedImage:
    displayed = _displayed_size(image)
    if image_format == "JPEG":
        # Decode at the smallest DCT scale still at least as large as the widest rendition.
        scale = min(1.0, RENDITION_WIDTHS[-1] / displayed[0])
        image.draft("RGB", (max(1, int(image.width * scale)), max(1, int(image.height * scale))))
    image.load()
    upright = ImageOps.exif_transpose(image) or image
    clean = _to_srgb(upright)
    out_format = "PNG" if image_format == "GIF" else image_format
    if out_format == "JPEG" and clean.mode == "RGBA":
        clean = clean.convert("RGB")
    width, height = displayed
    renditions = []
    source = clean
    for target in reversed(_widths(width)):
        target_height = max(1, round(height * target / width))
        if source.size != (target, target_height):
            source = source.resize((target, target_height), Image.Resampling.LANCZOS)
        renditions.append(_rendition(source, out_format))
    return ProcessedImage(
        content_type=CONTENT_TYPES[out_format],
        width=renditions[0].width,
        height=renditions[0].height,
        renditions=tuple(reversed(renditions)),
    )


def _displayed_size(image: Image.Image) -> tuple[int, int]:
    """The size once the EXIF orientation is applied (5 to 8 turn the picture on its side)."""
    orientation = image.getexif().get(0x0112, 1)
    width, height = image.size
    return (height, width) if orientation in {5, 6, 7, 8} else (width, height)


def _rendition(image: Image.Image, image_format: str) -> Rendition:
    options: dict[str, object] = {}
    if image_format == "JPEG":
        options = {"quality": JPEG_QUALITY, "progressive": True, "exif": b""}
    elif image_format == "WEBP":
        options = {"quality": WEBP_QUALITY, "exif": b"", "xmp": b""}
    data = _encode(image, image_format, **options)
    name = storage_name(data, EXTENSIONS[image_format])
    return Rendition(name=name, width=image.width, height=image.height, data=data)


def _animated(image: Image.Image, image_format: str) -> ProcessedImage:
    width, height = image.size
    target = min(width, ANIMATED_MAX_WIDTH)
    size = (target, max(1, round(height * target / width)))
    durations = []

    def frames() -> Iterator[Image.Image]:
        for frame in ImageSequence.Iterator(image):
            durations.append(frame.info.get("duration", 100))
            converted = frame.convert("RGBA")
            yield (
                converted
                if converted.size == size
                else converted.resize(size, Image.Resampling.LANCZOS)
            )

    all_frames = list(frames())
    first, rest = all_frames[0], all_frames[1:]
    first.info.clear()
    buffer = io.BytesIO()
    options: dict[str, object] = {"save_all": True, "append_images": rest, "duration": durations}
    options["loop"] = image.info.get("loop", 0)
    if image_format == "WEBP":
        options.update(quality=WEBP_QUALITY, exif=b"", xmp=b"")
    else:
        options.update(disposal=2, optimize=False)
    first.save(buffer, format=image_format, **options)
    data = buffer.getvalue()
    rendition = Rendition(
        name=storage_name(data, EXTENSIONS[image_format]), width=size[0], height=size[1], data=data
    )
    return ProcessedImage(
        content_type=CONTENT_TYPES[image_format],
        width=size[0],
        height=size[1],
        renditions=(rendition,),
        animated=True,
    )
