"""Decoding uploads: bytes in, text with Unix line endings out, or a refusal that says why.

UTF-8 (with or without a byte-order mark) and BOM-marked UTF-16/32 are read as such; a file
that declares its character set (an HTML ``<meta charset>`` or an XML declaration) is read as
declared. Anything else is handed to charset-normalizer, which tells the legacy code pages
apart (Windows-1251 for a Russian page, Windows-1250 for a Polish one) by how plausible the
decoded text is; among the encodings it finds plausible we prefer Windows-1252, the usual
encoding of text saved from old Western editors, because short Latin text fits several code
pages equally well. The result says which encoding was used so the command can report it.
"""

from __future__ import annotations

import codecs
import dataclasses
import re

from charset_normalizer import from_bytes

from liveblog.importers.base import ImportParseError


@dataclasses.dataclass(frozen=True)
class DecodedSource:
    """The text of an upload and the encoding it was read as, so callers can report it.

    ``encoding`` is "utf-8", "utf-8-sig" (UTF-8 with a byte-order mark), "utf-16", "utf-32",
    or the legacy code page the file declared or charset-normalizer detected ("cp1252",
    "cp1251", ...); ``guessed`` says the last was a detection, which the caller reports.
    """

    text: str
    encoding: str
    guessed: bool = False


# Control bytes no text file has (legacy code pages give 0x80-0x9f printable meanings).
_BINARY_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_BINARY_CONTROL_RATIO = 0.01
# The characters a text file may hold are tab, newline, carriage return and form feed:
# these are the rest of C0, DEL and the C1 range.
_NON_TEXT_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_DECLARED = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*(?P<html>[A-Za-z0-9_.:-]{2,40})"""
    rb"""|<\?xml[^>]{0,200}?encoding\s*=\s*["'](?P<xml>[A-Za-z0-9_.:-]{2,40})""",
    re.IGNORECASE,
)
#: The code pages charset-normalizer may choose from: those of the newsrooms' languages.
LEGACY_ENCODINGS = [
    "cp1252",
    "cp1250",
    "cp1251",
    "cp1253",
    "cp1254",
    "cp1256",
    "koi8_r",
    "iso8859_2",
    "iso8859_7",
    "iso8859_9",
    "mac_roman",
]


def _control_count(text: str) -> int:
    # A regex, not a Python loop over every character: this runs on whole files.
    return len(_NON_TEXT_CONTROLS.findall(text))


def normalise_newlines(text: str) -> str:
    """Turn Windows, old Mac and Unicode line separators into "\\n"."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\u2028", "\n").replace("\u2029", "\n")


def split_lines(text: str) -> list[str]:
    """Split text into lines whatever its line endings; parsers may be given raw strings."""
    return normalise_newlines(text.removeprefix("\ufeff")).split("\n")


def _decode_marked(data: bytes, *, source: str) -> tuple[str, str] | None:
    """Decode a file that starts with a byte-order mark, or return None."""
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        encoding, body = "utf-32", data
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding, body = "utf-16", data
    elif data.startswith(b"\xef\xbb\xbf"):
        encoding, body = "utf-8-sig", data[3:]
    else:
        return None
    try:
        text = body.decode("utf-8" if encoding == "utf-8-sig" else encoding)
    except UnicodeDecodeError as exc:
        name = "UTF-8" if encoding == "utf-8-sig" else encoding.upper()
        offset = exc.start + (3 if encoding == "utf-8-sig" else 0)
        raise ImportParseError(
            f"the file starts with a {name} byte-order mark but is not valid {name} "
            f"(byte {offset}); re-save it as UTF-8",
            source=source,
        ) from None
    return text.removeprefix("\ufeff"), encoding


def _declared_encoding(data: bytes) -> str | None:
    match = _DECLARED.search(data[:4096])
    if match is None:
        return None
    name = (match.group("html") or match.group("xml")).decode("ascii").lower()
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _decode_legacy(data: bytes, *, source: str) -> tuple[str, str, bool]:
    """Decode bytes that are not UTF-8: as declared, else as charset-normalizer finds best."""
    declared = _declared_encoding(data)
    if declared and declared not in ("utf-8", "utf-16", "utf-32"):
        try:
            return data.decode(declared), declared, False
        except UnicodeDecodeError:
            pass  # the declaration lies; detect instead
    if _BINARY_BYTES.search(data):
        raise ImportParseError(
            "the file is not text: it is not UTF-8 and contains NUL or control bytes "
            "(is it a binary file, e.g. a .docx or .pdf? export it as plain text)",
            source=source,
        )
    matches = list(from_bytes(data, cp_isolation=LEGACY_ENCODINGS))
    if not matches:
        raise ImportParseError(
            "the file is not UTF-8 and its character set could not be told from its bytes; "
            "re-save it as UTF-8",
            source=source,
        )
    chosen = next((m for m in matches if "cp1252" in m.could_be_from_charset), None)
    if chosen is not None:
        return data.decode("cp1252"), "cp1252", True
    return str(matches[0]), matches[0].encoding, True


def decode_source(data: bytes, *, source: str) -> DecodedSource:
    """Decode an uploaded file, refusing binaries and empty files, with Unix line endings."""
    if not data.strip():
        raise ImportParseError("the file is empty (nothing but whitespace)", source=source)
    guessed = False
    marked = _decode_marked(data, source=source)
    if marked is not None:
        text, encoding = marked
    else:
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, encoding, guessed = _decode_legacy(data, source=source)
    if "\x00" in text:
        raise ImportParseError(
            "the file contains NUL characters, so it is probably binary, not text; "
            "export the page as plain text",
            source=source,
        )
    if text and _control_count(text) > _BINARY_CONTROL_RATIO * len(text):
        raise ImportParseError(
            "the file is mostly control characters, so it is probably binary, not text; "
            "export the page as plain text",
            source=source,
        )
    if not text.strip():
        raise ImportParseError("the file is empty (nothing but whitespace)", source=source)
    return DecodedSource(text=normalise_newlines(text), encoding=encoding, guessed=guessed)
