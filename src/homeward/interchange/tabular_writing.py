"""CSV (optionally with an HXL hashtag row) and XLSX export, written row by row."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import openpyxl
import shapely
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from shapely.geometry.base import BaseGeometry

from homeward.interchange.crs import to_wgs84
from homeward.interchange.errors import ExportError
from homeward.interchange.export_fields import CheckedRow, FieldSpec

WKT_COLUMN = "wkt"
WKT_HXL_TAG = "#geo+wkt"
EXCEL_CELL_LIMIT = 32767  # characters; Excel refuses a workbook with a longer cell
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def write_csv(
    target: Path,
    specs: Sequence[FieldSpec],
    rows: Iterable[CheckedRow],
    *,
    hxl: bool,
    crs: str,
    with_geometry: bool,
) -> int:
    """Write UTF-8 CSV with a byte-order mark (so Excel shows Cyrillic and Azerbaijani letters right).

    With `hxl`, a second row carries each field's hashtag (empty for fields without one).
    """
    reproject = to_wgs84(crs) if with_geometry else None
    count = 0
    with target.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow([spec.name for spec in specs] + ([WKT_COLUMN] if with_geometry else []))
        if hxl:
            writer.writerow([spec.hxl or "" for spec in specs] + ([WKT_HXL_TAG] if with_geometry else []))
        for _number, values, geometry in rows:
            cells = [_text(value) for value in values]
            if with_geometry:
                cells.append(_wkt(geometry, reproject))
            writer.writerow(cells)
            count += 1
    return count


def write_xlsx(
    target: Path,
    specs: Sequence[FieldSpec],
    rows: Iterable[CheckedRow],
    *,
    layer: str,
    crs: str,
    with_geometry: bool,
) -> int:
    """Write one sheet named after `layer`: a bold, frozen header row, then the rows (dates as ISO text)."""
    reproject = to_wgs84(crs) if with_geometry else None
    workbook = openpyxl.Workbook(write_only=True)
    sheet: WriteOnlyWorksheet = workbook.create_sheet(title=sheet_title(layer))
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    names = [spec.name for spec in specs] + ([WKT_COLUMN] if with_geometry else [])
    sheet.append([_cell(sheet, name, font=bold) for name in names])
    count = 0
    try:
        for number, values, geometry in rows:
            cells = [_xlsx_value(sheet, value, number, spec.name) for spec, value in zip(specs, values, strict=True)]
            if with_geometry:
                cells.append(_xlsx_value(sheet, _wkt(geometry, reproject) or None, number, WKT_COLUMN))
            sheet.append(cells)
            count += 1
    except BaseException:
        _discard(sheet)
        raise
    workbook.save(target)
    return count


def _discard(sheet: WriteOnlyWorksheet) -> None:
    """Finish and delete the temporary file openpyxl streams the sheet into (it would stay until exit)."""
    sheet.close()
    writer = getattr(sheet, "_writer", None)
    if writer is not None:
        with contextlib.suppress(OSError, ValueError):
            writer.cleanup()


def sheet_title(layer: str) -> str:
    """`layer` made a valid sheet title: no ``[]:*?/\\``, at most 31 characters."""
    return _SHEET_TITLE_FORBIDDEN.sub("_", layer).strip("'")[:31] or "features"


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)  # the shortest text that reads back as the same float
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _wkt(geometry: BaseGeometry | None, reproject: Callable[[BaseGeometry], BaseGeometry] | None) -> str:
    if geometry is None:
        return ""
    if reproject is not None:
        geometry = reproject(geometry)
    text: str = shapely.to_wkt(geometry, rounding_precision=-1)  # full precision, not shapely's default 6 digits
    return text


def _cell(sheet: WriteOnlyWorksheet, value: object, *, font: Font | None = None) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if font is not None:
        cell.font = font
    return cell


def _xlsx_value(sheet: WriteOnlyWorksheet, value: object, row: int, field: str) -> object:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        raise ExportError(f"Excel cannot hold {value!r}", row=row, field=field)
    if not isinstance(value, str):
        return value
    if len(value) > EXCEL_CELL_LIMIT:
        raise ExportError(
            f"{len(value)} characters exceed an Excel cell's {EXCEL_CELL_LIMIT}; export as GeoPackage or CSV",
            row=row,
            field=field,
        )
    if ILLEGAL_CHARACTERS_RE.search(value):
        raise ExportError("the text holds control characters that Excel cannot store", row=row, field=field)
    if value.startswith("="):
        # openpyxl would write it as a formula that Excel then evaluates: store it as text.
        cell = _cell(sheet, value)
        cell.data_type = "s"
        return cell
    return value
