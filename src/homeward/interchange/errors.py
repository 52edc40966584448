"""Exceptions of the interchange package: each names the file (and the line, feature or row) at fault.

Every failure to read or write a file surfaces as an `InterchangeError` subclass; raw GDAL, pyogrio,
openpyxl or codec exceptions are wrapped, so callers translate one family of errors at their boundary.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

_LISTED_NAMES = 8


def _listing(names: Sequence[str]) -> str:
    shown = ", ".join(names[:_LISTED_NAMES])
    if len(names) > _LISTED_NAMES:
        shown += f", … ({len(names)} in all)"
    return shown


class InterchangeError(Exception):
    """A file could not be read or written as asked."""


class UnreadableFile(InterchangeError):
    """The file cannot be opened or parsed in the format it was taken for."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"Cannot read {path.name}: {reason}")


class NoShapefileInZip(InterchangeError):
    """A zip archive that holds no shapefile and is not a spreadsheet."""

    def __init__(self, path: Path, members: Sequence[str] = ()) -> None:
        self.path = path
        self.members = tuple(members)
        content = f"it contains {_listing(self.members)}" if self.members else "it is empty"
        super().__init__(f"{path.name} is a zip archive without a shapefile (.shp); {content}")


class UnknownLayer(InterchangeError):
    """The layer (or sheet) asked for is not in the file."""

    def __init__(self, layer: str, available: Sequence[str], path: Path | None = None) -> None:
        self.layer = layer
        self.available = tuple(available)
        self.path = path
        where = f" in {path.name}" if path is not None else ""
        if self.available:
            super().__init__(f"No layer {layer!r}{where}; available layers: {_listing(self.available)}")
        else:
            super().__init__(f"No layer {layer!r}{where}: this file has a single table and no named layers")


class LayerRequired(InterchangeError):
    """The file holds several layers and none was named."""

    def __init__(self, path: Path, available: Sequence[str]) -> None:
        self.path = path
        self.available = tuple(available)
        super().__init__(
            f"{path.name} holds {len(self.available)} layers ({_listing(self.available)}); name the one to read"
        )


class EncodingError(InterchangeError):
    """A text file is not valid in the given or detected encoding, or its encoding cannot be detected."""

    def __init__(self, path: Path, encoding: str | None, line: int | None = None, detail: str = "") -> None:
        self.path = path
        self.encoding = encoding
        self.line = line
        self.detail = detail
        where = f" at line {line}" if line is not None else ""
        if encoding is None:
            message = f"Cannot tell the text encoding of {path.name}; give it (for example utf-8 or cp1251)"
        else:
            message = (
                f"{path.name} is not valid {encoding} text{where}; give its encoding (for example utf-8 or cp1251)"
            )
        super().__init__(f"{message}{f' ({detail})' if detail else ''}")


class MissingHeader(InterchangeError):
    """A CSV or spreadsheet without a header row naming its columns."""

    def __init__(self, path: Path, detail: str = "the first row must name the columns") -> None:
        self.path = path
        self.detail = detail
        super().__init__(f"{path.name} has no header row: {detail}")


class InvalidCRS(InterchangeError):
    """A coordinate reference system that pyproj cannot interpret."""

    def __init__(self, crs: str, reason: str) -> None:
        self.crs = crs
        self.reason = reason
        super().__init__(f"Unknown coordinate reference system {crs!r}: {reason}")


class ExportError(InterchangeError):
    """Rows that cannot be written in the requested format; names the row (1-based) and field when known."""

    def __init__(self, reason: str, *, row: int | None = None, field: str | None = None) -> None:
        self.reason = reason
        self.row = row
        self.field = field
        where = " ".join(part for part in (f"row {row}" if row else "", f"field {field!r}" if field else "") if part)
        super().__init__(f"Cannot export {where}: {reason}" if where else f"Cannot export: {reason}")
