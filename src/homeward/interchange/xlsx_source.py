"""XLSX reading with openpyxl in read-only mode: one sheet, header in its first non-blank row, rows streamed."""

from __future__ import annotations

from collections.abc import Generator, Iterator, Sequence
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.workbook.workbook import Workbook

from homeward.interchange.crs import WGS84
from homeward.interchange.errors import MissingHeader, UnknownLayer, UnreadableFile
from homeward.interchange.formats import FileFormat
from homeward.interchange.source import FeatureSource, SourceFeature, SourceInfo
from homeward.interchange.tabular_columns import (
    column_names,
    features,
    find_geometry_columns,
    is_blank,
    is_hxl_row,
    row_properties,
    tabular_crs,
    trimmed,
)


class XlsxSource(FeatureSource):
    """The first sheet of a workbook, or the one named by `layer`; values as Excel stores them.

    Cells hold str, int, float, bool or datetime values (formulas give their cached results); blank
    rows are skipped but keep their place in the numbering, which matches the sheet's row numbers.
    """

    def __init__(self, path: Path, *, layer: str | None, crs: str | None) -> None:
        try:
            self._workbook: Workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl surfaces damaged workbooks as many kinds of error
            raise UnreadableFile(path, f"it is not a readable Excel workbook ({exc})") from exc
        try:
            sheets = list(self._workbook.sheetnames)
            if layer is not None and layer not in sheets:
                raise UnknownLayer(layer, sheets, path)
            self._sheet = layer if layer is not None else sheets[0]
            self.path = path
            self._header_rows, fields, hxl_tags = self._read_header()
        except BaseException:
            self._workbook.close()
            raise
        geometry = find_geometry_columns(fields, hxl_tags)
        crs_name, assumed = tabular_crs(crs, geometry)
        self._geometry = geometry
        self._lon_lat = crs_name == WGS84
        super().__init__(
            path,
            SourceInfo(
                format=FileFormat.XLSX,
                fields=fields,
                crs=crs_name,
                crs_assumed=assumed,
                geometry_columns=geometry.names,
                hxl_tags=hxl_tags,
            ),
        )

    def _rows(self) -> Generator[tuple[int, Sequence[Any]], None, None]:
        """(sheet row number, values) for every row from the first."""
        worksheet: Any = self._workbook[self._sheet]
        # Some producers write a wrong sheet dimension ("A1:A1"); without it every cell is read.
        worksheet.reset_dimensions()
        rows = worksheet.iter_rows(values_only=True)
        number = 0
        while True:
            try:
                values = next(rows, None)
            except Exception as exc:  # malformed sheet XML
                raise UnreadableFile(self.path, f"sheet {self._sheet!r} is damaged after row {number} ({exc})") from exc
            if values is None:
                return
            number += 1
            yield number, values

    def _read_header(self) -> tuple[int, tuple[str, ...], dict[str, str]]:
        rows = self._rows()
        try:
            for number, values in rows:
                if is_blank(values):
                    continue
                fields = column_names(trimmed(values))
                following = next(rows, None)
                if following is not None and is_hxl_row(following[1]):
                    tags = {
                        name: str(tag).strip()
                        for name, tag in zip(fields, following[1], strict=False)
                        if isinstance(tag, str) and tag.strip()
                    }
                    return number + 1, fields, tags
                return number, fields, {}
        finally:
            rows.close()
        raise MissingHeader(self.path, f"sheet {self._sheet!r} is empty")

    def _features(self) -> Iterator[SourceFeature]:
        rows = (
            (number, row_properties(self.fields, values))
            for number, values in self._rows()
            if number > self._header_rows and not is_blank(values)
        )
        return features(rows, self._geometry, lon_lat=self._lon_lat)

    def _release(self) -> None:
        self._workbook.close()
