"""Which of the exchanged formats a file is, told by its content rather than its name."""

from __future__ import annotations

import enum
import zipfile
from pathlib import Path, PurePosixPath

from homeward.interchange.errors import NoShapefileInZip, UnreadableFile

_SNIFF_BYTES = 4096
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
_SQLITE_MAGIC = b"SQLite format 3\x00"
_SHAPEFILE_MAGIC = b"\x00\x00\x27\x0a"  # the big-endian file code 9994 that opens every .shp
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


class FileFormat(enum.StrEnum):
    GEOJSON = "geojson"
    GPKG = "gpkg"
    SHAPEFILE_ZIP = "shapefile-zip"
    SHAPEFILE = "shapefile"  # a bare .shp with its .dbf/.shx/.prj beside it
    CSV = "csv"
    XLSX = "xlsx"


def detect_format(path: Path) -> FileFormat:
    """Tell the format of `path` from its first bytes (and, for a zip, its member names).

    A zip is an XLSX workbook when it holds ``[Content_Types].xml`` and ``xl/``, a zipped shapefile when
    it holds a ``.shp``; any other zip raises `NoShapefileInZip` naming its content. SQLite files are
    GeoPackages, a leading ``{`` (after whitespace or a byte-order mark) is GeoJSON, anything else is CSV.
    Raises `UnreadableFile` for a missing file, a directory, a damaged zip or a legacy ``.xls`` workbook.
    """
    path = Path(path)
    try:
        with path.open("rb") as stream:
            head = stream.read(_SNIFF_BYTES)
    except IsADirectoryError as exc:
        raise UnreadableFile(path, "it is a directory, not a file") from exc
    except OSError as exc:
        raise UnreadableFile(path, exc.strerror or str(exc)) from exc
    if head.startswith(_ZIP_MAGICS):
        return _zip_format(path)
    if head.startswith(_SQLITE_MAGIC):
        return FileFormat.GPKG
    if head.startswith(_SHAPEFILE_MAGIC):
        return FileFormat.SHAPEFILE
    if head.startswith(_OLE2_MAGIC):
        raise UnreadableFile(path, "it is a legacy Excel 97-2003 (.xls) workbook; save it as .xlsx or CSV")
    text = head
    for bom in _BOMS:
        text = text.removeprefix(bom)
    if text.lstrip().startswith(b"{"):
        return FileFormat.GEOJSON
    return FileFormat.CSV


def zip_members(path: Path) -> list[str]:
    """The file names inside the zip at `path`, without directories and macOS resource forks."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise UnreadableFile(path, f"it is a damaged zip archive ({exc})") from exc
    return [name for name in names if not name.endswith("/") and not name.startswith("__MACOSX/")]


def shapefile_members(members: list[str]) -> list[str]:
    """The ``.shp`` members among zip member names, in archive order."""
    return [name for name in members if PurePosixPath(name).suffix.lower() == ".shp"]


def _zip_format(path: Path) -> FileFormat:
    members = zip_members(path)
    if "[Content_Types].xml" in members and any(name.startswith("xl/") for name in members):
        return FileFormat.XLSX
    if shapefile_members(members):
        return FileFormat.SHAPEFILE_ZIP
    raise NoShapefileInZip(path, members)
