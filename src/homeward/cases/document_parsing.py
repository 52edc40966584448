"""Opening a document with the library that would later read it, under limits against hostile content.

Part of the document checks (:mod:`homeward.cases.document_checks`, which re-exports `DocumentLimits` and
`DEFAULT_LIMITS`). `verify` runs in this process; :mod:`homeward.cases.document_isolation` runs it in a child
interpreter. Images are opened with Pillow's format plugins and measured page by page or frame by frame
before any pixel is decoded, then decoded in full, truncated images refused. PDFs are opened with pypdf under
tightened decompression limits; an encrypted PDF is refused, and a walk over its objects (capped at
``max_pdf_objects``) looks for active content. Whatever a parser raises on hostile input becomes a
``corrupt`` rejection.

`DocumentLimits` is defined here because the parsers apply most of its limits; the archive limits are applied
by `check_document`, the time and memory limits by the isolated checker.
"""

from __future__ import annotations

import contextlib
import io
import threading
from collections.abc import Iterator
from dataclasses import dataclass

from PIL import Image, ImageFile, JpegImagePlugin, PngImagePlugin, TiffImagePlugin, WebPImagePlugin
from pypdf import PdfReader, apply_configuration
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, PdfObject

from homeward.cases.document_detection import Detection, DocumentKind
from homeward.cases.document_rejections import PDF_FEATURE_NAMES, DocumentRejected, Rejection

__all__ = ["DEFAULT_LIMITS", "DocumentLimits", "Verified", "verify"]

_MB = 1024 * 1024


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


Verified = tuple[int, int | None, int | None]
"""Pages or frames, and the width and height of the first (None for a PDF)."""


def verify(
    data: bytes, kind: DocumentKind, detection: Detection, limits: DocumentLimits, rejection: Rejection
) -> Verified:
    """Open the file with Pillow or pypdf and check it; raises `DocumentRejected` if it may not be stored."""
    if kind is DocumentKind.PDF:
        return _check_pdf(data, detection, limits, rejection), None, None
    return _check_image(data, kind, detection, limits, rejection)


# --- images ----------------------------------------------------------------------------------------------

_PILLOW_OPENERS = {
    DocumentKind.JPEG: JpegImagePlugin.jpeg_factory,
    DocumentKind.PNG: PngImagePlugin.PngImageFile,
    DocumentKind.TIFF: TiffImagePlugin.TiffImageFile,
    DocumentKind.WEBP: WebPImagePlugin.WebPImageFile,
}


def _check_image(
    data: bytes, kind: DocumentKind, detection: Detection, limits: DocumentLimits, rejection: Rejection
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
def _parsing(detection: Detection, rejection: Rejection) -> Iterator[None]:
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


class _TooComplex(Exception):
    pass


def _check_pdf(data: bytes, detection: Detection, limits: DocumentLimits, rejection: Rejection) -> int:
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
