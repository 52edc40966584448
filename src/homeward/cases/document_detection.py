"""What an uploaded document is: named from its content, and what its file name and content type claim.

Part of the document checks (:mod:`homeward.cases.document_checks`, which re-exports the public names here).
The content is sniffed from its first bytes: magic numbers, then a look at the text (scripts, PHP, SVG, HTML
as browsers sniff it, XML, plain text), then the ``filetype`` library for a name. ZIP-based files (zip, docx,
odt, epub, jar, apk…) are named from their central directory; for them and for gzip streams the detection
carries the unpacked size they declare, so that a bomb is recognised without extracting anything. Sniffing
never raises.

A claim is what an extension or a content type says the file is; `contradicted_claim` finds the first claim
that names a known format other than the one detected.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import Enum, StrEnum
from pathlib import Path
from types import MappingProxyType

import filetype

__all__ = [
    "FORMAT_NAMES",
    "ZIP_FAMILY",
    "ArchiveSize",
    "Claim",
    "Detection",
    "DocumentKind",
    "FormatCategory",
    "contradicted_claim",
    "sniff",
]

_SNIFF_BYTES = 4096


class DocumentKind(StrEnum):
    """The kinds of document that can be accepted."""

    PDF = "pdf"
    JPEG = "jpeg"
    PNG = "png"
    TIFF = "tiff"
    WEBP = "webp"


# --- formats ---------------------------------------------------------------------------------------------


class FormatCategory(Enum):
    """What a recognised format means for an upload: acceptable, a program, active content, or neither."""

    ACCEPTABLE = "acceptable"
    EXECUTABLE = "executable"
    ACTIVE = "active"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class _Format:
    name: str
    category: FormatCategory
    extensions: str = ""
    """Space-separated extensions by which a file name claims this format."""
    media_types: str = ""
    """Space-separated content types by which an upload claims this format."""
    kind: DocumentKind | None = None


_A, _X, _H, _O = FormatCategory.ACCEPTABLE, FormatCategory.EXECUTABLE, FormatCategory.ACTIVE, FormatCategory.OTHER
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
ZIP_FAMILY = frozenset(
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
class Detection:
    """What the content is: a code of `FORMAT_NAMES`, its English name, and what an archive declares."""

    code: str
    name: str
    archive: ArchiveSize | None = None

    @property
    def spec(self) -> _Format:
        return _FORMATS[self.code]


@dataclass(frozen=True, slots=True)
class ArchiveSize:
    """The bytes of an archive and the unpacked size it declares."""

    packed: int
    unpacked: int


def _detected(code: str, archive: ArchiveSize | None = None) -> Detection:
    return Detection(code, _FORMATS[code].name, archive)


def sniff(data: bytes) -> Detection:
    """What the content is, from its first bytes; never raises on any input."""
    if data.startswith(_ZIP_STARTS):
        return _sniff_zip(data)
    for magic, code in _STARTS:
        if data.startswith(magic):
            if code == "script":
                return Detection("script", f"a script ({_first_line(data)})")
            if code == "gzip":
                # A gzip stream ends with its unpacked size (modulo 4 GB).
                unpacked = struct.unpack("<I", data[-4:])[0] if len(data) >= 18 else 0
                return _detected("gzip", ArchiveSize(len(data), unpacked))
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


def _sniff_text(data: bytes) -> Detection | None:
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
        return Detection("script", f"a script ({text.splitlines()[0][:60]})")
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


def _sniff_other(data: bytes) -> Detection:
    guess = filetype.guess(data[:_SNIFF_BYTES])
    if guess is None:
        return _detected("unknown")
    return Detection("unknown", f"a file of an unrecognised kind ({guess.mime})")


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


def _sniff_zip(data: bytes) -> Detection:
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
    return _detected(code, ArchiveSize(len(data), unpacked))


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


# --- claims ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Claim:
    """A format named by the file's extension or its content type (`by`), and the value that named it."""

    code: str
    by: str
    value: str

    @property
    def name(self) -> str:
        return _FORMATS[self.code].name


def contradicted_claim(detected: str, filename: str | None, content_type: str | None) -> Claim | None:
    """The first claim (extension, then content type) that names a known format other than the detected one."""
    claims: list[Claim] = []
    if filename:
        suffix = Path(re.split(r"[\\/]", filename)[-1]).suffix.lower()
        if suffix in _EXTENSION_CLAIMS:
            claims.append(Claim(_EXTENSION_CLAIMS[suffix], "extension", suffix))
    if content_type:
        media_type = content_type.split(";", 1)[0].strip().lower()
        if media_type in _MEDIA_TYPE_CLAIMS:
            claims.append(Claim(_MEDIA_TYPE_CLAIMS[media_type], "content_type", media_type))
    for claim in claims:
        same = claim.code == detected or (claim.code == "zip" and detected in ZIP_FAMILY)
        if not same and not (claim.code == "xml" and detected in ("svg", "html")):
            return claim
    return None
