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

The checks are split by what they do: :mod:`homeward.cases.document_detection` names the content and the
claims, :mod:`homeward.cases.document_parsing` opens the file with Pillow or pypdf under `DocumentLimits`,
:mod:`homeward.cases.document_isolation` runs that parsing in the child interpreter, and
:mod:`homeward.cases.document_rejections` holds the reasons and builds each refusal. This module reads the
upload, decides in that order, and stores what it accepts; import the public names from here.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

from homeward.cases.document_detection import (
    FORMAT_NAMES,
    ArchiveSize,
    DocumentKind,
    FormatCategory,
    contradicted_claim,
    sniff,
)
from homeward.cases.document_isolation import verify_in_subprocess
from homeward.cases.document_parsing import DEFAULT_LIMITS, DocumentLimits, verify
from homeward.cases.document_rejections import (
    PDF_FEATURE_NAMES,
    DocumentRejected,
    ParamValue,
    Rejection,
    RejectionReason,
)

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
    "ParamValue",
    "RejectionReason",
    "SupportsRead",
    "check_document",
    "store_document",
]

_MB = 1024 * 1024
DEFAULT_MAX_BYTES = 20 * _MB
_READ_CHUNK = 64 * 1024

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
    rejection = Rejection(_display_name(filename))
    data, digest = _read_capped(source, max_bytes, rejection)
    detection = sniff(data)
    claim = contradicted_claim(detection.code, filename, content_type)
    spec = detection.spec

    if spec.category is FormatCategory.EXECUTABLE:
        raise rejection.executable(detection, claim)
    if spec.category is FormatCategory.ACTIVE:
        raise rejection.active(detection, claim, features=())
    if detection.archive is not None and _is_bomb(detection.archive, max_bytes, limits):
        raise rejection.archive_bomb(detection, detection.archive)
    if claim is not None:
        raise rejection.mismatch(detection, claim)
    if spec.kind is None or spec.kind not in accepted:
        raise rejection.not_allowed(detection, accepted)

    parse = verify_in_subprocess if isolated else verify
    page_count, width, height = parse(data, spec.kind, detection, limits, rejection)
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


def _read_capped(source: DocumentSource, max_bytes: int, rejection: Rejection) -> tuple[bytes, str]:
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


def _is_bomb(archive: ArchiveSize, max_bytes: int, limits: DocumentLimits) -> bool:
    if archive.unpacked > limits.max_unpacked_bytes:
        return True
    return archive.unpacked > max_bytes and archive.unpacked > limits.max_compression_ratio * archive.packed


def _display_name(filename: str | None) -> str | None:
    if not filename:
        return None
    name = "".join(char for char in re.split(r"[\\/]", filename)[-1] if char.isprintable())
    return name if len(name) <= 80 else f"{name[:79]}…"


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
