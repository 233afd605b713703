"""A blog's export with its media: a ZIP holding ``events.jsonl`` and ``media/<name>`` files.

``events.jsonl`` is the JSON Lines export (``importers.jsonl``); every file an event names
(uploads' renditions, embeds' thumbnails) is stored beside it under its storage name. On
import each file is checked against its name, which is its SHA-256, before it is stored:
a damaged or altered archive is refused, never half-loaded.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from typing import Any

from liveblog import media as stored_media
from liveblog.importers.base import ImportParseError
from liveblog.importers.jsonl import iter_export

EVENTS = "events.jsonl"
MEDIA_PREFIX = "media/"
#: Refuse archives that would unpack to more than this (a ZIP bomb).
MAX_UNPACKED_BYTES = 20 * 1024**3


def referenced_names(events: Iterable[Any]) -> list[str]:
    """Every stored file the events refer to, once each, in log order."""
    names: dict[str, None] = {}
    for event in events:
        for name in stored_media.names_in_payload(event.payload):
            names[name] = None
    return list(names)


def write(path: str, events: list[Any], *, slug: str) -> int:
    """Write the archive; returns how many media files it holds."""
    names = referenced_names(events)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(EVENTS, "".join(iter_export(events, slug=slug)))
        for name in names:
            # Images are compressed already: stored as they are.
            archive.writestr(
                MEDIA_PREFIX + name, stored_media.read_bytes(name), compress_type=zipfile.ZIP_STORED
            )
    return len(names)


def read(data: bytes, *, source: str) -> tuple[str, dict[str, bytes]]:
    """The export's text and its media files by name, checked; ImportParseError otherwise."""
    import io

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ImportParseError(f"not a readable ZIP archive ({exc})", source=source) from None
    with archive:
        infos = archive.infolist()
        if sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES:
            raise ImportParseError("the archive unpacks to more than 20 GB", source=source)
        names = {info.filename for info in infos}
        if EVENTS not in names:
            raise ImportParseError(f"the archive holds no {EVENTS}", source=source)
        try:
            text = archive.read(EVENTS).decode("utf-8")
        except UnicodeDecodeError:
            raise ImportParseError(f"{EVENTS} is not UTF-8 text", source=source) from None
        files: dict[str, bytes] = {}
        for info in infos:
            if info.is_dir() or info.filename == EVENTS:
                continue
            name = info.filename.removeprefix(MEDIA_PREFIX)
            if not info.filename.startswith(MEDIA_PREFIX) or not stored_media.is_valid_name(name):
                raise ImportParseError(
                    f"unexpected file {info.filename!r} in the archive", source=source
                )
            files[name] = archive.read(info)
    return text, files


def store(files: dict[str, bytes], *, source: str) -> None:
    """Store the archive's files after checking each against its name."""
    for name, data in files.items():
        try:
            stored_media.store_bytes(name, data)
        except ValueError:
            raise ImportParseError(
                f"media/{name} does not match its name (damaged or altered archive)",
                source=source,
            ) from None
