"""Media files in Django's default storage: written once under their content's digest.

A file's name is ``ab/abcdef....jpg``: the SHA-256 of its bytes and its type, made by
``liveblog.images``. Names never come from uploaders, a name always means the same bytes (so
a file is never overwritten with something else and can be cached for ever), and storing
the same file twice stores it once. The storage is local files under ``MEDIA_ROOT``, served
by ``liveblog.views.media_file``, or an S3-compatible bucket (django-storages) that serves
them itself; see the README.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage

from liveblog.events import MEDIA_NAME
from liveblog.images import Rendition

#: What a media response may be cached for: its name changes whenever its bytes would.
IMMUTABLE_CACHE_CONTROL = "public, max-age=31536000, immutable"


def file_url(name: str) -> str:
    """The URL readers load a stored file from."""
    return default_storage.url(name)


def is_valid_name(name: str) -> bool:
    return bool(MEDIA_NAME.fullmatch(name))


def store(renditions: Iterable[Rendition]) -> None:
    """Write the files that are not stored yet (same name, same bytes: nothing to do)."""
    for rendition in renditions:
        store_bytes(rendition.name, rendition.data)


def store_bytes(name: str, data: bytes) -> None:
    """Store ``data`` as ``name`` after checking that the name is the data's digest."""
    if not is_valid_name(name) or hashlib.sha256(data).hexdigest() != name[3:].split(".")[0]:
        raise ValueError(f"{name!r} is not the name of these bytes.")
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(data))


def read_bytes(name: str) -> bytes:
    with default_storage.open(name, "rb") as handle:
        data: bytes = handle.read()
    return data


def exists(name: str) -> bool:
    return default_storage.exists(name)


def is_local() -> bool:
    """Whether files are on this machine's disk, for the app to serve (else the bucket does)."""
    return isinstance(default_storage, FileSystemStorage)


def file_dict(rendition: Rendition) -> dict[str, Any]:
    """A rendition as events carry it."""
    return {
        "name": rendition.name,
        "width": rendition.width,
        "height": rendition.height,
        "size": rendition.size,
    }


def names_in_payload(payload: dict[str, Any]) -> Iterator[str]:
    """Every stored file an event refers to: uploads' renditions and embeds' thumbnails."""
    for file in payload.get("files", []):
        yield file["name"]
    for item in payload.get("media", []):
        for file in item["files"]:
            yield file["name"]
    for embed in payload.get("embeds", []):
        if embed.get("thumbnail"):
            yield embed["thumbnail"]["name"]
