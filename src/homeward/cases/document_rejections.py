"""Why a document is refused: the stable reason codes, the exception, and each refusal's message and params.

Part of the document checks (:mod:`homeward.cases.document_checks` lists what each reason's params are, and
re-exports the public names here). `Rejection` builds every `DocumentRejected` for one file, so that the
English message and the params a page translates by are written in one place.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from homeward.cases.document_detection import ZIP_FAMILY, ArchiveSize, Claim, Detection, DocumentKind

__all__ = [
    "PDF_FEATURE_NAMES",
    "DocumentRejected",
    "ParamValue",
    "Rejection",
    "RejectionReason",
]

_MB = 1024 * 1024


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


# --- messages --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rejection:
    """Builds each `DocumentRejected` with its message and params, for one file."""

    filename: str | None

    @property
    def subject(self) -> str:
        return f"“{self.filename}”" if self.filename else "The file"

    def _build(self, reason: RejectionReason, message: str, **params: ParamValue) -> DocumentRejected:
        return DocumentRejected(reason, message, {"filename": self.filename, **params})

    def _is(self, detection: Detection, claim: Claim | None) -> str:
        if claim is None:
            return f"{self.subject} is {detection.name}"
        return f"{self.subject} claims to be {claim.name} but is {detection.name}"

    def too_large(self, max_bytes: int) -> DocumentRejected:
        message = f"{self.subject} is larger than the limit of {_format_bytes(max_bytes)}."
        return self._build(RejectionReason.TOO_LARGE, message, max_bytes=max_bytes)

    def empty(self) -> DocumentRejected:
        return self._build(RejectionReason.EMPTY, f"{self.subject} is empty.")

    def mismatch(self, detection: Detection, claim: Claim) -> DocumentRejected:
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

    def executable(self, detection: Detection, claim: Claim | None) -> DocumentRejected:
        message = f"{self._is(detection, claim)}; programs and scripts cannot be uploaded."
        claimed = claim.code if claim else None
        return self._build(RejectionReason.EXECUTABLE, message, detected=detection.code, claimed=claimed)

    def active(self, detection: Detection, claim: Claim | None, features: tuple[str, ...]) -> DocumentRejected:
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

    def archive_bomb(self, detection: Detection, archive: ArchiveSize) -> DocumentRejected:
        ratio = archive.unpacked // max(archive.packed, 1)
        bomb = "a zip bomb" if detection.code in ZIP_FAMILY else "a decompression bomb"
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

    def not_allowed(self, detection: Detection, accepted: Collection[DocumentKind]) -> DocumentRejected:
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

    def corrupt(self, detection: Detection, problem: str, detail: str) -> DocumentRejected:
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


def _format_bytes(size: int) -> str:
    for unit, scale in (("GB", 1024 * _MB), ("MB", _MB), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.3g} {unit}"
    return f"{size} bytes"
