"""Decide whether an uploaded document (a scan of a passport, a birth certificate, a decision) may be stored.

Neither the file name nor the claimed content type is trusted: the content is sniffed from its first bytes,
then parsed by the library that would later open it (Pillow for images, pypdf for PDFs), so a file is only
accepted if it really is what it says and opens cleanly.

`check_document` returns a `CheckedDocument` or raises `DocumentRejected`, whose `reason_code` is one of
`RejectionReason` (stable: callers translate by it) and whose `params` fill the message:

- ``too_large``: more than ``max_bytes`` (params: max_bytes). Found while streaming; at most max_bytes + 1
  bytes are read from a file object (from an iterable of chunks, at most one chunk more).
- ``empty``: no bytes at all.
- ``type_mismatch``: the extension or content type claims one kind and the content is another (params: claimed,
  claimed_by = "extension" | "content_type", claimed_value, detected).
- ``executable``: a program or script: PE/MZ, ELF, Mach-O, Java, Android, WebAssembly, Windows shortcuts,
  ``#!`` scripts, PHP (params: detected, claimed or None).
- ``not_allowed``: recognised but not among the accepted kinds: other images, archives, office documents,
  text (params: detected, accepted).
- ``archive_bomb``: a ZIP-based file (zip, docx, odt, jar…) or gzip whose declared unpacked size or
  compression ratio is excessive; read from the central directory without extracting anything (params:
  detected, packed_bytes, unpacked_bytes, ratio).
- ``image_bomb``: an image, or one page or frame of it, above ``max_pixels``; or all pages together above
  ``max_total_pixels``; or more than ``max_frames`` pages or frames (params: limit = "pixels" |
  "total_pixels" | "frames", and width, height, pixels, max_pixels, frames, max_frames as they apply).
- ``corrupt``: the parser cannot open it, a PDF has no pages, or a PDF is too complex to check (params: detected,
  problem = "unreadable" | "no_pages" | "too_complex", detail: English text for logs).
- ``encrypted_pdf``: the PDF is encrypted (params: needs_password).
- ``active_content``: content that runs code when opened: HTML, SVG, PostScript; a PDF with JavaScript, launch
  actions, embedded files, XFA forms or rich media (params: detected, features, claimed).

Every rejection also carries ``filename`` (the display name, or None). Format codes in ``claimed`` and
``detected`` are the keys of `FORMAT_NAMES`.

Office documents (docx, xlsx, odt…) are not accepted: they may carry macros and remote content, and a scan
or a PDF serves every document caseworkers and applicants upload. They are still opened far enough to be
named, and to recognise a zip bomb as such.

HEIC photos are recognised but not accepted: Pillow cannot open them without an extra plugin, so they could
not be verified.

Time and memory stay bounded: at most max_bytes + 1 bytes are read and held; archives are never extracted;
images are measured before any pixel is decoded; pypdf runs with tightened decompression limits and the walk
over PDF objects is capped. pypdf is pure Python and some hostile PDFs still cost it seconds per kilobyte, so
by default Pillow and pypdf run in a child interpreter with a wall-clock, CPU and address-space limit
(``max_seconds``, ``max_memory_bytes``); a file that exceeds them is refused as ``corrupt`` ("too_complex").
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import json
import math
import os
import re
import signal
import struct
import subprocess
import sys
import tempfile
import threading
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Protocol, runtime_checkable

import filetype
from PIL import Image, ImageFile, JpegImagePlugin, PngImagePlugin, TiffImagePlugin, WebPImagePlugin
from pypdf import PdfReader, apply_configuration
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, PdfObject

__all__ = [
    "DEFAULT_ACCEPTED_KINDS",
    "DEFAULT_LIMITS",
    "DEFAULT_MAX_BYTES",
    "FORMAT_NAMES",
    "PDF_FEATURE_NAMES",
    "CheckedDocument",
    "DocumentKind",
    "DocumentLimits",
    "DocumentRejected",
    "DocumentSource",
    "RejectionReason",
    "SupportsRead",
    "check_document",
    "store_document",
]

_MB = 1024 * 1024
DEFAULT_MAX_BYTES = 20 * _MB
_READ_CHUNK = 64 * 1024
_SNIFF_BYTES = 4096


class DocumentKind(StrEnum):
    """The kinds of document that can be accepted."""

    PDF = "pdf"
    JPEG = "jpeg"
    PNG = "png"
    TIFF = "tiff"
    WEBP = "webp"


DEFAULT_ACCEPTED_KINDS: frozenset[DocumentKind] = frozenset(DocumentKind)

_MEDIA_TYPES = {
    DocumentKind.PDF: "application/pdf",
    DocumentKind.JPEG: "image/jpeg",
    DocumentKind.PNG: "image/png",
    DocumentKind.TIFF: "image/tiff",
    DocumentKind.WEBP: "image/webp",
}
_EXTENSIONS = {
    DocumentKind.PDF: ".pdf",
    DocumentKind.JPEG: ".jpg",
    DocumentKind.PNG: ".png",
    DocumentKind.TIFF: ".tiff",
    DocumentKind.WEBP: ".webp",
}


class RejectionReason(StrEnum):
    """Why a document was refused; stable codes that callers translate."""

    TOO_LARGE = "too_large"
    EMPTY = "empty"
    TYPE_MISMATCH = "type_mismatch"
    EXECUTABLE = "executable"
    NOT_ALLOWED = "not_allowed"
    ARCHIVE_BOMB = "archive_bomb"
    IMAGE_BOMB = "image_bomb"
    CORRUPT = "corrupt"
    ENCRYPTED_PDF = "encrypted_pdf"
    ACTIVE_CONTENT = "active_content"


ParamValue = str | int | bool | tuple[str, ...] | None


class DocumentRejected(Exception):
    """The document may not be stored: `reason_code` says why, `message` in English, `params` fill it."""

    def __init__(
        self, reason_code: RejectionReason, message: str, params: Mapping[str, ParamValue] | None = None
    ) -> None:
        self.reason_code = reason_code
        self.message = message
        self.params: Mapping[str, ParamValue] = MappingProxyType(dict(params or {}))
        super().__init__(message)

    def __reduce__(self) -> tuple[type[DocumentRejected], tuple[RejectionReason, str, dict[str, ParamValue]]]:
        return (type(self), (self.reason_code, self.message, dict(self.params)))


@dataclass(frozen=True, slots=True)
class DocumentLimits:
    """Limits against hostile content; the defaults fit 600 dpi scans of A3 pages."""

    max_pixels: int = 75_000_000
    """Pixels in one image, page or frame (600 dpi A3 is 70 million)."""
    max_total_pixels: int = 1_000_000_000
    """Pixels of all pages and frames of one image file together."""
    max_frames: int = 500
    """Pages of a multi-page TIFF, frames of an animated image."""
    max_unpacked_bytes: int = 1024 * _MB
    """Declared unpacked size at which an archive is a bomb, whatever its ratio."""
    max_compression_ratio: int = 100
    """Unpacked/packed ratio at which an archive that unpacks beyond max_bytes is a bomb."""
    max_pdf_objects: int = 100_000
    """PDF objects examined for active content before the file counts as too complex."""
    max_pdf_stream_bytes: int = 16 * _MB
    """Bytes pypdf may decompress from any one stream while the PDF is checked."""
    max_seconds: float = 30.0
    """Wall-clock (and CPU) time for parsing one file in the isolated checker."""
    max_memory_bytes: int = 1024 * _MB
    """Address space of the isolated checker."""


DEFAULT_LIMITS = DocumentLimits()


@dataclass(frozen=True, slots=True)
class CheckedDocument:
    """An accepted document: what it is, and its bytes (store them with `store_document`)."""

    kind: DocumentKind
    media_type: str
    extension: str
    """Canonical extension with its dot, to name the stored file by (".pdf", ".jpg")."""
    size: int
    sha256: str
    page_count: int
    """Pages of a PDF or TIFF, frames of an animated image, else 1."""
    width: int | None
    """Pixels, of the first page or frame of an image; None for PDFs."""
    height: int | None
    content: bytes = field(repr=False, compare=False)


@runtime_checkable
class SupportsRead(Protocol):
    """A binary file object: an open file, io.BytesIO, Django's UploadedFile."""

    def read(self, size: int, /) -> bytes: ...


DocumentSource = bytes | bytearray | memoryview | SupportsRead | Iterable[bytes]


# --- formats ---------------------------------------------------------------------------------------------


class _Category(Enum):
    ACCEPTABLE = "acceptable"
    EXECUTABLE = "executable"
    ACTIVE = "active"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class _Format:
    name: str
    category: _Category
    extensions: str = ""
    """Space-separated extensions by which a file name claims this format."""
    media_types: str = ""
    """Space-separated content types by which an upload claims this format."""
    kind: DocumentKind | None = None


_A, _X, _H, _O = _Category.ACCEPTABLE, _Category.EXECUTABLE, _Category.ACTIVE, _Category.OTHER
# fmt: off
_FORMATS: dict[str, _Format] = {
    "pdf": _Format("a PDF document", _A, ".pdf", "application/pdf application/x-pdf application/acrobat text/pdf",
                   DocumentKind.PDF),
    "jpeg": _Format("a JPEG image", _A, ".jpg .jpeg .jpe .jfif .pjpeg .pjp", "image/jpeg image/jpg image/pjpeg image/jfif",
                    DocumentKind.JPEG),
    "png": _Format("a PNG image", _A, ".png .apng", "image/png image/x-png image/apng", DocumentKind.PNG),
    "tiff": _Format("a TIFF image", _A, ".tif .tiff", "image/tiff image/tif image/x-tiff", DocumentKind.TIFF),
    "webp": _Format("a WebP image", _A, ".webp", "image/webp", DocumentKind.WEBP),
    "gif": _Format("a GIF image", _O, ".gif", "image/gif"),
    "bmp": _Format("a BMP image", _O, ".bmp .dib", "image/bmp image/x-bmp image/x-ms-bmp"),
    "heic": _Format("a HEIC/HEIF image", _O, ".heic .heif", "image/heic image/heif image/heic-sequence image/heif-sequence"),
    "avif": _Format("an AVIF image", _O, ".avif", "image/avif"),
    "pe_executable": _Format(
        "a Windows executable", _X, ".exe .dll .scr .sys .cpl .com .efi",
        "application/x-msdownload application/x-msdos-program application/x-dosexec "
        "application/vnd.microsoft.portable-executable application/x-ms-dos-executable",
    ),
    "elf_executable": _Format("a Linux/Unix executable (ELF)", _X, ".elf .so .bin .run",
                              "application/x-executable application/x-elf application/x-sharedlib"),
    "macho_executable": _Format("a macOS executable (Mach-O)", _X, ".dylib", "application/x-mach-binary"),
    "java_class": _Format("a Java class file", _X, ".class", "application/java-vm"),
    "jar": _Format("a Java archive (JAR)", _X, ".jar", "application/java-archive application/x-java-archive"),
    "apk": _Format("an Android app (APK)", _X, ".apk", "application/vnd.android.package-archive"),
    "dex": _Format("an Android program (DEX)", _X, ".dex"),
    "wasm": _Format("a WebAssembly program", _X, ".wasm", "application/wasm"),
    "windows_shortcut": _Format("a Windows shortcut (.lnk)", _X, ".lnk"),
    "script": _Format("a script", _X, ".sh .bash .zsh .ksh .csh .py .pl .rb .cgi .command",
                      "application/x-sh application/x-shellscript text/x-shellscript text/x-python"),
    "php": _Format("a PHP script", _X, ".php .phtml .php3 .php4 .php5 .phar",
                   "application/x-php application/x-httpd-php text/x-php"),
    "html": _Format("an HTML page", _H, ".html .htm .xhtml .shtml .hta .mht .mhtml", "text/html application/xhtml+xml"),
    "svg": _Format("an SVG image", _H, ".svg .svgz", "image/svg+xml"),
    "postscript": _Format("a PostScript program", _H, ".ps .eps", "application/postscript"),
    "xml": _Format("an XML document", _O, ".xml", "application/xml text/xml"),
    "zip": _Format("a ZIP archive", _O, ".zip", "application/zip application/x-zip-compressed application/x-zip"),
    "docx": _Format("a Word document (.docx)", _O, ".docx .docm .dotx",
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": _Format("an Excel workbook (.xlsx)", _O, ".xlsx .xlsm .xltx",
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pptx": _Format("a PowerPoint presentation (.pptx)", _O, ".pptx .pptm",
                    "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    "ooxml": _Format("an Office document", _O),
    "odt": _Format("an OpenDocument text (.odt)", _O, ".odt", "application/vnd.oasis.opendocument.text"),
    "ods": _Format("an OpenDocument spreadsheet (.ods)", _O, ".ods", "application/vnd.oasis.opendocument.spreadsheet"),
    "odp": _Format("an OpenDocument presentation (.odp)", _O, ".odp", "application/vnd.oasis.opendocument.presentation"),
    "opendocument": _Format("an OpenDocument file", _O),
    "epub": _Format("an e-book (EPUB)", _O, ".epub", "application/epub+zip"),
    "gzip": _Format("a gzip archive", _O, ".gz .tgz", "application/gzip application/x-gzip"),
    "bzip2": _Format("a bzip2 archive", _O, ".bz2 .tbz2", "application/x-bzip2"),
    "xz": _Format("an xz archive", _O, ".xz .txz", "application/x-xz"),
    "zstd": _Format("a Zstandard archive", _O, ".zst", "application/zstd"),
    "7z": _Format("a 7-Zip archive", _O, ".7z", "application/x-7z-compressed"),
    "rar": _Format("a RAR archive", _O, ".rar", "application/vnd.rar application/x-rar-compressed application/x-rar"),
    "tar": _Format("a tar archive", _O, ".tar", "application/x-tar"),
    "cab": _Format("a Windows cabinet archive (.cab)", _O, ".cab", "application/vnd.ms-cab-compressed"),
    "ole": _Format("a legacy Microsoft Office or Windows Installer file", _O, ".doc .xls .ppt .msi .msg",
                   "application/msword application/vnd.ms-excel application/vnd.ms-powerpoint application/x-msi"),
    "rtf": _Format("an RTF document", _O, ".rtf", "application/rtf text/rtf"),
    "text": _Format("a text file", _O, ".txt .csv", "text/plain text/csv"),
    "unknown": _Format("a file of an unrecognised kind", _O),
}
# fmt: on
FORMAT_NAMES: Mapping[str, str] = MappingProxyType({code: spec.name for code, spec in _FORMATS.items()})
"""English names, with their article, of the format codes in the `claimed` and `detected` params."""

_EXTENSION_CLAIMS = {extension: code for code, spec in _FORMATS.items() for extension in spec.extensions.split()}
_MEDIA_TYPE_CLAIMS = {media_type: code for code, spec in _FORMATS.items() for media_type in spec.media_types.split()}
_ZIP_FAMILY = frozenset(
    {"zip", "docx", "xlsx", "pptx", "ooxml", "odt", "ods", "odp", "opendocument", "epub", "jar", "apk"}
)

_STARTS: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "pdf"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"II+\x00", "tiff"),
    (b"MM\x00+", "tiff"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"MZ", "pe_executable"),
    (b"\x7fELF", "elf_executable"),
    (b"\xfe\xed\xfa\xce", "macho_executable"),
    (b"\xfe\xed\xfa\xcf", "macho_executable"),
    (b"\xce\xfa\xed\xfe", "macho_executable"),
    (b"\xcf\xfa\xed\xfe", "macho_executable"),
    (b"\x00asm", "wasm"),
    (b"dex\n", "dex"),
    (b"L\x00\x00\x00\x01\x14\x02\x00", "windows_shortcut"),
    (b"#!", "script"),
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"Rar!\x1a\x07", "rar"),
    (b"MSCF\x00\x00\x00\x00", "cab"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),
    (b"{\\rtf", "rtf"),
    (b"%!PS", "postscript"),
    (b"\xc5\xd0\xd3\xc6", "postscript"),
)
_ZIP_STARTS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_BMP_HEADER_SIZES = frozenset({12, 40, 52, 56, 64, 108, 124})
_HEIF_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1"})
# The tags after which browsers sniff HTML (WHATWG MIME Sniffing, "identifying a resource with an unknown type").
_HTML_START = re.compile(
    r"<(?:!--|(?:!doctype html|html|head|script|iframe|h1|div|font|table|a|style|title|b|body|br|p)[\s>])",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class _Detection:
    code: str
    name: str
    archive: _ArchiveSize | None = None

    @property
    def spec(self) -> _Format:
        return _FORMATS[self.code]


@dataclass(frozen=True, slots=True)
class _ArchiveSize:
    packed: int
    unpacked: int


def _detected(code: str, archive: _ArchiveSize | None = None) -> _Detection:
    return _Detection(code, _FORMATS[code].name, archive)


def _sniff(data: bytes) -> _Detection:
    """What the content is, from its first bytes; never raises on any input."""
    if data.startswith(_ZIP_STARTS):
        return _sniff_zip(data)
    for magic, code in _STARTS:
        if data.startswith(magic):
            if code == "script":
                return _Detection("script", f"a script ({_first_line(data)})")
            if code == "gzip":
                # A gzip stream ends with its unpacked size (modulo 4 GB).
                unpacked = struct.unpack("<I", data[-4:])[0] if len(data) >= 18 else 0
                return _detected("gzip", _ArchiveSize(len(data), unpacked))
            return _detected(code)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _detected("webp")
    if data[:4] == b"\xca\xfe\xba\xbe":
        # Mach-O universal binaries and Java classes share this magic: a universal binary counts its
        # architectures next, a class file gives its version (45 and up).
        return _detected("macho_executable" if int.from_bytes(data[4:8], "big") < 45 else "java_class")
    if data[:2] == b"BM" and len(data) >= 18 and struct.unpack_from("<I", data, 14)[0] in _BMP_HEADER_SIZES:
        return _detected("bmp")
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        if brand in _HEIF_BRANDS:
            return _detected("heic")
        if brand in (b"avif", b"avis"):
            return _detected("avif")
    if data[257:262] == b"ustar":
        return _detected("tar")
    return _sniff_text(data) or _sniff_other(data)


def _first_line(data: bytes) -> str:
    line = data[:80].split(b"\n", 1)[0].strip()
    return line.decode("ascii", "replace")


def _sniff_text(data: bytes) -> _Detection | None:
    head = data[:_SNIFF_BYTES]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", "replace")
    elif b"\x00" in head:
        return None
    else:
        text = head.decode("utf-8", "replace")
        if "\ufffd" in text.rstrip("\ufffd"):  # not UTF-8 (a cut character at the end is fine)
            text = head.decode("latin-1")
    text = text.removeprefix("\ufeff").lstrip()
    lowered = text.lower()
    if lowered.startswith("#!"):
        return _Detection("script", f"a script ({text.splitlines()[0][:60]})")
    if lowered.startswith(("<?php", "<?=")):
        return _detected("php")
    if lowered.startswith(("<svg", "<!doctype svg")) or (lowered.startswith(("<?xml", "<!--")) and "<svg" in lowered):
        return _detected("svg")
    if _HTML_START.match(lowered) or (lowered.startswith("<?xml") and "<html" in lowered):
        return _detected("html")
    if lowered.startswith("<?xml"):
        return _detected("xml")
    printable = sum(1 for char in text if char.isprintable() or char in "\t\r\n\f\ufffd")
    if text and printable >= 0.95 * len(text):
        return _detected("text")
    return None


def _sniff_other(data: bytes) -> _Detection:
    guess = filetype.guess(data[:_SNIFF_BYTES])
    if guess is None:
        return _detected("unknown")
    return _Detection("unknown", f"a file of an unrecognised kind ({guess.mime})")


# --- archives --------------------------------------------------------------------------------------------

_EOCD = b"PK\x05\x06"
_EOCD64_LOCATOR = b"PK\x06\x07"
_EOCD64 = b"PK\x06\x06"
_CENTRAL_ENTRY = b"PK\x01\x02"
_OOXML_FOLDERS = {b"word": "docx", b"xl": "xlsx", b"ppt": "pptx"}
_ODF_TYPES = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
    b"application/vnd.oasis.opendocument.presentation": "odp",
    b"application/epub+zip": "epub",
}


def _sniff_zip(data: bytes) -> _Detection:
    """Name a ZIP-based file and total the sizes its central directory declares, without extracting."""
    unpacked = 0
    names: set[bytes] = set()
    prefixes: set[bytes] = set()
    has_classes = False
    for name, size in _central_directory(data):
        unpacked += size
        if len(names) < 10_000:
            names.add(name)
            prefixes.add(name.split(b"/", 1)[0])
        has_classes = has_classes or name.endswith(b".class")
    if b"AndroidManifest.xml" in names and b"classes.dex" in names:
        code = "apk"
    elif b"META-INF/MANIFEST.MF" in names or has_classes:
        code = "jar"
    elif b"[Content_Types].xml" in names:
        code = next((code for folder, code in _OOXML_FOLDERS.items() if folder in prefixes), "ooxml")
    elif b"mimetype" in names:
        # OpenDocument and EPUB store their media type first and uncompressed (local header + "mimetype").
        code = "opendocument"
        for media_type, odf_code in _ODF_TYPES.items():
            if data[38 : 38 + len(media_type)] == media_type:
                code = odf_code
    else:
        code = "zip"
    return _detected(code, _ArchiveSize(len(data), unpacked))


def _central_directory(data: bytes) -> Iterator[tuple[bytes, int]]:
    """Each entry's name and declared unpacked size, read from the central directory (ZIP64 included)."""
    eocd = data.rfind(_EOCD, max(0, len(data) - 22 - 0xFFFF))
    if eocd < 0 or eocd + 22 > len(data):
        return
    entries, directory_size, directory_offset = struct.unpack_from("<HII", data, eocd + 10)
    if entries == 0xFFFF or directory_offset == 0xFFFFFFFF or directory_size == 0xFFFFFFFF:
        locator = eocd - 20
        if locator >= 0 and data[locator : locator + 4] == _EOCD64_LOCATOR:
            (record,) = struct.unpack_from("<Q", data, locator + 8)
            if record + 56 <= len(data) and data[record : record + 4] == _EOCD64:
                directory_size, directory_offset = struct.unpack_from("<QQ", data, record + 40)
    position = directory_offset
    if data[position : position + 4] != _CENTRAL_ENTRY:
        # Data prepended to the archive (a self-extractor) shifts every offset.
        position = eocd - directory_size
    while position >= 0 and position + 46 <= len(data) and data[position : position + 4] == _CENTRAL_ENTRY:
        (unpacked,) = struct.unpack_from("<I", data, position + 24)
        name_length, extra_length, comment_length = struct.unpack_from("<HHH", data, position + 28)
        name = data[position + 46 : position + 46 + name_length]
        if unpacked == 0xFFFFFFFF:
            extra = data[position + 46 + name_length : position + 46 + name_length + extra_length]
            unpacked = _zip64_unpacked_size(extra, default=unpacked)
        yield name, unpacked
        position += 46 + name_length + extra_length + comment_length


def _zip64_unpacked_size(extra: bytes, default: int) -> int:
    offset = 0
    while offset + 4 <= len(extra):
        header_id, size = struct.unpack_from("<HH", extra, offset)
        if header_id == 0x0001 and size >= 8 and offset + 12 <= len(extra):
            return int(struct.unpack_from("<Q", extra, offset + 4)[0])
        offset += 4 + size
    return default


def _is_bomb(archive: _ArchiveSize, max_bytes: int, limits: DocumentLimits) -> bool:
    if archive.unpacked > limits.max_unpacked_bytes:
        return True
    return archive.unpacked > max_bytes and archive.unpacked > limits.max_compression_ratio * archive.packed


# --- the check -------------------------------------------------------------------------------------------


def check_document(
    source: DocumentSource,
    *,
    filename: str | None = None,
    content_type: str | None = None,
    accepted: Collection[DocumentKind] = DEFAULT_ACCEPTED_KINDS,
    max_bytes: int = DEFAULT_MAX_BYTES,
    limits: DocumentLimits = DEFAULT_LIMITS,
    isolated: bool = True,
) -> CheckedDocument:
    """Read `source` (at most `max_bytes` + 1 bytes) and return it as a `CheckedDocument` if it may be stored.

    `source` is bytes, a binary file object, or an iterable of byte chunks. `filename` and `content_type` are
    what the uploader claims; a claim that the content contradicts is refused. Raises `DocumentRejected`.

    With `isolated` (the default) the file is parsed by Pillow or pypdf in a child Python process held to
    `limits.max_seconds` and `limits.max_memory_bytes`, so no hostile file can stall or exhaust the caller;
    starting it costs about 0.15 s. Pass False only for content that is not from the public, or in tests.
    """
    rejection = _Rejection(_display_name(filename))
    data, digest = _read_capped(source, max_bytes, rejection)
    detection = _sniff(data)
    claim = _contradicted_claim(detection.code, filename, content_type)
    spec = detection.spec

    if spec.category is _Category.EXECUTABLE:
        raise rejection.executable(detection, claim)
    if spec.category is _Category.ACTIVE:
        raise rejection.active(detection, claim, features=())
    if detection.archive is not None and _is_bomb(detection.archive, max_bytes, limits):
        raise rejection.archive_bomb(detection, detection.archive)
    if claim is not None:
        raise rejection.mismatch(detection, claim)
    if spec.kind is None or spec.kind not in accepted:
        raise rejection.not_allowed(detection, accepted)

    verify = _verify_in_subprocess if isolated else _verify
    page_count, width, height = verify(data, spec.kind, detection, limits, rejection)
    return CheckedDocument(
        kind=spec.kind,
        media_type=_MEDIA_TYPES[spec.kind],
        extension=_EXTENSIONS[spec.kind],
        size=len(data),
        sha256=digest,
        page_count=page_count,
        width=width,
        height=height,
        content=data,
    )


def _read_capped(source: DocumentSource, max_bytes: int, rejection: _Rejection) -> tuple[bytes, str]:
    cap = max_bytes + 1
    buffer = bytearray()
    digest = hashlib.sha256()
    if isinstance(source, bytes | bytearray | memoryview):
        chunks: Iterable[bytes] = [bytes(source)]
    elif isinstance(source, SupportsRead):
        chunks = _read_chunks(source, cap)
    else:
        chunks = source
    for chunk in chunks:
        if not isinstance(chunk, bytes | bytearray | memoryview):
            raise TypeError(f"document chunks must be bytes, not {type(chunk).__name__}")
        buffer += chunk
        if len(buffer) > max_bytes:
            raise rejection.too_large(max_bytes)
        digest.update(chunk)
    if not buffer:
        raise rejection.empty()
    return bytes(buffer), digest.hexdigest()


def _read_chunks(source: SupportsRead, cap: int) -> Iterator[bytes]:
    remaining = cap
    while remaining > 0:
        chunk = source.read(min(_READ_CHUNK, remaining))
        if not chunk:
            return
        remaining -= len(chunk)
        yield chunk


@dataclass(frozen=True, slots=True)
class _Claim:
    code: str
    by: str
    value: str

    @property
    def name(self) -> str:
        return _FORMATS[self.code].name


def _contradicted_claim(detected: str, filename: str | None, content_type: str | None) -> _Claim | None:
    """The first claim (extension, then content type) that names a known format other than the detected one."""
    claims: list[_Claim] = []
    if filename:
        suffix = Path(re.split(r"[\\/]", filename)[-1]).suffix.lower()
        if suffix in _EXTENSION_CLAIMS:
            claims.append(_Claim(_EXTENSION_CLAIMS[suffix], "extension", suffix))
    if content_type:
        media_type = content_type.split(";", 1)[0].strip().lower()
        if media_type in _MEDIA_TYPE_CLAIMS:
            claims.append(_Claim(_MEDIA_TYPE_CLAIMS[media_type], "content_type", media_type))
    for claim in claims:
        same = claim.code == detected or (claim.code == "zip" and detected in _ZIP_FAMILY)
        if not same and not (claim.code == "xml" and detected in ("svg", "html")):
            return claim
    return None


def _display_name(filename: str | None) -> str | None:
    if not filename:
        return None
    name = "".join(char for char in re.split(r"[\\/]", filename)[-1] if char.isprintable())
    return name if len(name) <= 80 else f"{name[:79]}…"


def _format_bytes(size: int) -> str:
    for unit, scale in (("GB", 1024 * _MB), ("MB", _MB), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.3g} {unit}"
    return f"{size} bytes"


# --- images ----------------------------------------------------------------------------------------------

_PILLOW_OPENERS = {
    DocumentKind.JPEG: JpegImagePlugin.jpeg_factory,
    DocumentKind.PNG: PngImagePlugin.PngImageFile,
    DocumentKind.TIFF: TiffImagePlugin.TiffImageFile,
    DocumentKind.WEBP: WebPImagePlugin.WebPImageFile,
}


def _check_image(
    data: bytes, kind: DocumentKind, detection: _Detection, limits: DocumentLimits, rejection: _Rejection
) -> tuple[int, int, int]:
    """Pages or frames, width and height of the first, after measuring each and decoding it in full."""
    total_pixels = 0
    frames = 0
    first_size: tuple[int, int] | None = None
    # The plugin classes read the header only, without Image.open's process-wide bomb limit, so the
    # dimensions are known before any pixel is decoded.
    with _strict_images(), _parsing(detection, rejection), _PILLOW_OPENERS[kind](io.BytesIO(data)) as image:
        while True:
            width, height = image.size
            if width < 1 or height < 1:
                raise rejection.corrupt(detection, "unreadable", f"an image of {width}×{height} pixels")
            first_size = first_size or (width, height)
            frames += 1
            total_pixels += width * height
            if frames > limits.max_frames:
                raise rejection.too_many_frames(limits.max_frames)
            if width * height > limits.max_pixels:
                raise rejection.image_bomb(width, height, limits.max_pixels, frame=frames)
            if total_pixels > limits.max_total_pixels:
                raise rejection.too_many_pixels(frames, total_pixels, limits.max_total_pixels)
            image.load()
            try:
                image.seek(frames)
            except EOFError:
                break
    assert first_size is not None
    return frames, first_size[0], first_size[1]


_TRUNCATION = threading.Lock()


@contextlib.contextmanager
def _strict_images() -> Iterator[None]:
    """Refuse truncated images whatever the process says: Pillow's ``LOAD_TRUNCATED_IMAGES`` is process-wide,
    and WeasyPrint sets it when imported (the decision letters import it), which would pad a cut-off scan."""
    with _TRUNCATION:
        allowed = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = allowed


@contextlib.contextmanager
def _parsing(detection: _Detection, rejection: _Rejection) -> Iterator[None]:
    try:
        yield
    except DocumentRejected:
        raise
    except Image.DecompressionBombError as error:
        raise rejection.image_bomb(None, None, None, frame=None) from error
    except MemoryError as error:
        raise rejection.corrupt(detection, "too_complex", "it needs more memory than allowed") from error
    except RecursionError as error:
        raise rejection.corrupt(detection, "too_complex", "its structure is nested too deeply") from error
    # Pillow and pypdf raise arbitrary exception types on hostile input; any of them means the file
    # cannot be vouched for.
    except Exception as error:
        raise rejection.corrupt(detection, "unreadable", f"{type(error).__name__}: {error}") from error


# --- PDFs ------------------------------------------------------------------------------------------------

PDF_FEATURE_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "javascript": "JavaScript",
        "launch_action": "an action that launches a program",
        "embedded_file": "an embedded file",
        "xfa_form": "an XFA form (which can run scripts)",
        "rich_media": "rich media (Flash or video)",
    }
)
"""English names of the codes in the `features` param of an `active_content` rejection of a PDF."""


class _TooComplex(Exception):
    pass


def _check_pdf(data: bytes, detection: _Detection, limits: DocumentLimits, rejection: _Rejection) -> int:
    """The page count, once the PDF has parsed, is not encrypted and holds no active content."""
    cap = limits.max_pdf_stream_bytes
    decompression_limits = apply_configuration(
        zlib_maximum_output_length=cap,
        lzw_maximum_output_length=cap,
        run_length_maximum_output_length=cap,
        brotli_maximum_output_length=cap,
        jbig2_maximum_output_length=cap,
        array_based_stream_maximum_output_length=cap,
        image_maximum_buffer_size=cap,
        stream_decoding_work_maximum_length=4 * cap,
    )
    with decompression_limits, _parsing(detection, rejection):
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise rejection.encrypted_pdf(needs_password=not _opens_without_password(reader))
        try:
            features = _pdf_active_features(reader, limits.max_pdf_objects)
        except _TooComplex:
            raise rejection.corrupt(
                detection, "too_complex", f"it has more than {limits.max_pdf_objects:,} objects"
            ) from None
        if features:
            raise rejection.active(detection, None, features=features)
        page_count = len(reader.pages)
    if page_count < 1:
        raise rejection.corrupt(detection, "no_pages", "the PDF has no pages")
    return page_count


def _opens_without_password(reader: PdfReader) -> bool:
    try:
        return bool(reader.decrypt(""))
    except Exception:  # noqa: BLE001 - an encryption pypdf cannot handle is still an encrypted PDF
        return False


def _pdf_active_features(reader: PdfReader, max_objects: int) -> tuple[str, ...]:
    """The codes of PDF_FEATURE_NAMES found in any object of the file, listed or merely referenced."""
    found: set[str] = set()
    pending: list[object] = [reader.trailer]
    for generation, table in reader.xref.items():
        pending.extend(IndirectObject(number, generation, reader) for number in table)
    pending.extend(IndirectObject(number, 0, reader) for number in reader.xref_objStm)
    seen: set[tuple[int, int]] = set()
    while pending:
        item = pending.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            if len(seen) > max_objects:
                raise _TooComplex
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            found.update(_pdf_dictionary_features(item))
            pending.extend(dict.values(item))
        elif isinstance(item, ArrayObject):
            pending.extend(list.__iter__(item))
    return tuple(code for code in PDF_FEATURE_NAMES if code in found)


def _pdf_dictionary_features(dictionary: DictionaryObject) -> Iterator[str]:
    action = _direct(dict.get(dictionary, "/S"))
    kind = _direct(dict.get(dictionary, "/Type"))
    subtype = _direct(dict.get(dictionary, "/Subtype"))
    if "/JS" in dictionary or "/JavaScript" in dictionary or action == "/JavaScript":
        yield "javascript"
    if action == "/Launch":
        yield "launch_action"
    if "/EmbeddedFiles" in dictionary or "/EF" in dictionary or kind == "/EmbeddedFile" or subtype == "/FileAttachment":
        yield "embedded_file"
    if "/XFA" in dictionary:
        yield "xfa_form"
    if subtype == "/RichMedia":
        yield "rich_media"


def _direct(value: object) -> object:
    if isinstance(value, IndirectObject):
        resolved: PdfObject | None = value.get_object()
        return resolved
    return value


# --- isolation -------------------------------------------------------------------------------------------

_Verified = tuple[int, int | None, int | None]
_SOURCE_ROOT = str(Path(__file__).resolve().parents[2])
_KILLED_BY_LIMITS = frozenset(-getattr(signal, name) for name in ("SIGXCPU", "SIGKILL") if hasattr(signal, name))
_CHILD_COMMAND = "from homeward.cases.document_checks import _isolated_main; _isolated_main()"


def _verify(
    data: bytes, kind: DocumentKind, detection: _Detection, limits: DocumentLimits, rejection: _Rejection
) -> _Verified:
    if kind is DocumentKind.PDF:
        return _check_pdf(data, detection, limits, rejection), None, None
    return _check_image(data, kind, detection, limits, rejection)


def _verify_in_subprocess(
    data: bytes, kind: DocumentKind, detection: _Detection, limits: DocumentLimits, rejection: _Rejection
) -> _Verified:
    """`_verify` in a child interpreter under time and memory limits; its verdict comes back as JSON."""
    header = {
        "kind": kind.value,
        "detected": detection.code,
        "name": detection.name,
        "filename": rejection.filename,
        "limits": dataclasses.asdict(limits),
    }
    search_path = [_SOURCE_ROOT, *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(search_path)}
    try:
        # -P: the working directory is not put on the child's import path.
        completed = subprocess.run(  # noqa: S603 - our own interpreter and a fixed command
            [sys.executable, "-P", "-c", _CHILD_COMMAND],
            input=json.dumps(header).encode() + b"\n" + data,
            capture_output=True,
            timeout=limits.max_seconds,
            env=environment,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise rejection.corrupt(
            detection, "too_complex", f"it takes longer than {limits.max_seconds:g} seconds"
        ) from None
    try:
        verdict = json.loads(completed.stdout)
    except ValueError:
        verdict = None
    if not isinstance(verdict, dict):
        if completed.returncode in _KILLED_BY_LIMITS or b"MemoryError" in completed.stderr:
            raise rejection.corrupt(detection, "too_complex", "it needs more time or memory than allowed")
        last_line = completed.stderr.decode(errors="replace").strip().rpartition("\n")[2]
        raise rejection.corrupt(detection, "unreadable", f"the checker failed ({completed.returncode}): {last_line}")
    if "rejected" in verdict:
        rejected = verdict["rejected"]
        params = {key: tuple(value) if isinstance(value, list) else value for key, value in rejected["params"].items()}
        raise DocumentRejected(RejectionReason(rejected["reason"]), rejected["message"], params)
    page_count, width, height = verdict["accepted"]
    return int(page_count), width, height


def _isolated_main() -> None:
    """The child side of `_verify_in_subprocess`: read the header line and the bytes, print the verdict."""
    header = json.loads(sys.stdin.buffer.readline())
    data = sys.stdin.buffer.read()
    limits = DocumentLimits(**header["limits"])
    _limit_own_resources(limits)
    kind = DocumentKind(header["kind"])
    detection = _Detection(header["detected"], header["name"])
    verdict_stream, sys.stdout = sys.stdout, sys.stderr  # nothing a library prints can spoil the verdict
    try:
        page_count, width, height = _verify(data, kind, detection, limits, _Rejection(header["filename"]))
    except DocumentRejected as rejected:
        verdict: dict[str, object] = {
            "rejected": {
                "reason": rejected.reason_code.value,
                "message": rejected.message,
                "params": dict(rejected.params),
            }
        }
    else:
        verdict = {"accepted": [page_count, width, height]}
    verdict_stream.write(json.dumps(verdict))


def _limit_own_resources(limits: DocumentLimits) -> None:
    try:
        import resource
    except ImportError:  # Windows: the parent's timeout still applies
        return
    seconds = math.ceil(limits.max_seconds)
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
    resource.setrlimit(resource.RLIMIT_AS, (limits.max_memory_bytes, limits.max_memory_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


# --- rejections ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Rejection:
    """Builds each `DocumentRejected` with its message and params, for one file."""

    filename: str | None

    @property
    def subject(self) -> str:
        return f"“{self.filename}”" if self.filename else "The file"

    def _build(self, reason: RejectionReason, message: str, **params: ParamValue) -> DocumentRejected:
        return DocumentRejected(reason, message, {"filename": self.filename, **params})

    def _is(self, detection: _Detection, claim: _Claim | None) -> str:
        if claim is None:
            return f"{self.subject} is {detection.name}"
        return f"{self.subject} claims to be {claim.name} but is {detection.name}"

    def too_large(self, max_bytes: int) -> DocumentRejected:
        message = f"{self.subject} is larger than the limit of {_format_bytes(max_bytes)}."
        return self._build(RejectionReason.TOO_LARGE, message, max_bytes=max_bytes)

    def empty(self) -> DocumentRejected:
        return self._build(RejectionReason.EMPTY, f"{self.subject} is empty.")

    def mismatch(self, detection: _Detection, claim: _Claim) -> DocumentRejected:
        by = f"its extension {claim.value}" if claim.by == "extension" else f"its content type {claim.value}"
        message = f"{self.subject} claims to be {claim.name} (by {by}) but is {detection.name}."
        return self._build(
            RejectionReason.TYPE_MISMATCH,
            message,
            claimed=claim.code,
            claimed_by=claim.by,
            claimed_value=claim.value,
            detected=detection.code,
        )

    def executable(self, detection: _Detection, claim: _Claim | None) -> DocumentRejected:
        message = f"{self._is(detection, claim)}; programs and scripts cannot be uploaded."
        claimed = claim.code if claim else None
        return self._build(RejectionReason.EXECUTABLE, message, detected=detection.code, claimed=claimed)

    def active(self, detection: _Detection, claim: _Claim | None, features: tuple[str, ...]) -> DocumentRejected:
        if features:
            listed = _english_list([PDF_FEATURE_NAMES[code] for code in features])
            message = (
                f"{self.subject} is a PDF that contains {listed}; such PDFs cannot be uploaded. "
                "Print it to a new PDF or scan the paper document, and upload that."
            )
        else:
            message = f"{self._is(detection, claim)}, which can run code when opened; it cannot be uploaded."
        claimed = claim.code if claim else None
        return self._build(
            RejectionReason.ACTIVE_CONTENT, message, detected=detection.code, features=features, claimed=claimed
        )

    def archive_bomb(self, detection: _Detection, archive: _ArchiveSize) -> DocumentRejected:
        ratio = archive.unpacked // max(archive.packed, 1)
        bomb = "a zip bomb" if detection.code in _ZIP_FAMILY else "a decompression bomb"
        message = (
            f"{self.subject} is {detection.name} that would unpack to {_format_bytes(archive.unpacked)} from "
            f"{_format_bytes(archive.packed)} ({ratio}:1): {bomb}. It cannot be uploaded."
        )
        return self._build(
            RejectionReason.ARCHIVE_BOMB,
            message,
            detected=detection.code,
            packed_bytes=archive.packed,
            unpacked_bytes=archive.unpacked,
            ratio=ratio,
        )

    def not_allowed(self, detection: _Detection, accepted: Collection[DocumentKind]) -> DocumentRejected:
        kinds = tuple(kind.value for kind in DocumentKind if kind in accepted)
        names = _english_list([kind.upper() if kind != "webp" else "WebP" for kind in kinds], "or")
        message = f"{self.subject} is {detection.name}, which is not accepted here; upload {names or 'nothing'}."
        return self._build(RejectionReason.NOT_ALLOWED, message, detected=detection.code, accepted=kinds)

    def image_bomb(
        self, width: int | None, height: int | None, max_pixels: int | None, frame: int | None
    ) -> DocumentRejected:
        if width is None or height is None:
            message = f"{self.subject} declares an image too large to open safely (a decompression bomb)."
            pixels = None
        else:
            pixels = width * height
            where = f"page or frame {frame} of " if frame and frame > 1 else ""
            message = (
                f"{where}{self.subject} has {width}×{height} pixels, more than the limit of "
                f"{max_pixels:,} pixels (a decompression bomb, or a scan at too high a resolution)."
            )
            message = message[0].upper() + message[1:]
        return self._build(
            RejectionReason.IMAGE_BOMB,
            message,
            limit="pixels",
            width=width,
            height=height,
            pixels=pixels,
            max_pixels=max_pixels,
            frame=frame,
        )

    def too_many_pixels(self, frames: int, pixels: int, max_pixels: int) -> DocumentRejected:
        message = (
            f"{self.subject} holds more than {max_pixels:,} pixels in its first {frames} pages or frames, more than "
            "can be checked safely."
        )
        return self._build(
            RejectionReason.IMAGE_BOMB,
            message,
            limit="total_pixels",
            frames=frames,
            pixels=pixels,
            max_pixels=max_pixels,
        )

    def too_many_frames(self, max_frames: int) -> DocumentRejected:
        message = f"{self.subject} has more than {max_frames} pages or frames."
        return self._build(RejectionReason.IMAGE_BOMB, message, limit="frames", max_frames=max_frames)

    def corrupt(self, detection: _Detection, problem: str, detail: str) -> DocumentRejected:
        if problem == "no_pages":
            message = f"{self.subject} is {detection.name} without any pages."
        elif problem == "too_complex":
            message = f"{self.subject} cannot be checked safely as {detection.name}: {detail}."
        else:
            message = f"{self.subject} cannot be opened as {detection.name}: it is damaged or incomplete."
        return self._build(RejectionReason.CORRUPT, message, detected=detection.code, problem=problem, detail=detail)

    def encrypted_pdf(self, needs_password: bool) -> DocumentRejected:
        if needs_password:
            message = f"{self.subject} is a PDF protected by a password; upload a copy without the password."
        else:
            message = (
                f"{self.subject} is an encrypted PDF (it opens without a password but restricts printing or "
                "copying); print it to a new PDF or scan it, and upload that."
            )
        return self._build(RejectionReason.ENCRYPTED_PDF, message, needs_password=needs_password)


def _english_list(items: list[str], conjunction: str = "and") -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


# --- storing ---------------------------------------------------------------------------------------------


def store_document(document: CheckedDocument, destination: str | os.PathLike[str]) -> Path:
    """Write the document's bytes to `destination` atomically, readable and writable by the owner only (0o600).

    The bytes go to a temporary file in the destination's directory, are flushed to disk, and the file is
    renamed over `destination` (replacing any file there): readers see the old file or the whole new one,
    never a part. The directory must exist. Returns the destination path.
    """
    target = Path(destination)
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(descriptor, "wb") as stream:
            os.chmod(temporary, 0o600)
            stream.write(document.content)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    _sync_directory(target.parent)
    return target


def _sync_directory(directory: Path) -> None:
    """Make the rename durable; directories cannot be opened for syncing on Windows."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    descriptor = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
