"""CSV reading: encoding and delimiter told from the first 64 KB, rows streamed through the csv module."""

from __future__ import annotations

import contextlib
import csv
import itertools
from collections.abc import Generator, Iterator
from pathlib import Path

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
from homeward.interchange.text_encoding import SAMPLE_BYTES, TextEncoding, decoded_lines, resolve_encoding

DELIMITERS = (",", ";", "\t")
_SNIFF_LINES = 50
# WKT of a detailed hazard polygon easily passes the csv module's default 128 KiB field limit.
_FIELD_SIZE_LIMIT = 64 * 1024 * 1024


class CsvSource(FeatureSource):
    """A delimited text file whose first non-blank row names the columns.

    Values are the strings of the file (None for empty cells); a row of HXL hashtags under the header
    is read into `hxl_tags`, not yielded. Geometry comes from a WKT column or latitude/longitude columns.
    """

    def __init__(self, path: Path, *, encoding: str | None, layer: str | None, crs: str | None) -> None:
        if layer is not None:
            raise UnknownLayer(layer, (), path)
        if csv.field_size_limit() < _FIELD_SIZE_LIMIT:
            csv.field_size_limit(_FIELD_SIZE_LIMIT)
        try:
            with path.open("rb") as binary:
                sample = binary.read(SAMPLE_BYTES + 1)
        except OSError as exc:
            raise UnreadableFile(path, exc.strerror or str(exc)) from exc
        if not sample.strip():
            raise MissingHeader(path, "the file is empty")
        complete = len(sample) <= SAMPLE_BYTES
        self._text_encoding = resolve_encoding(path, sample[:SAMPLE_BYTES], complete=complete, given=encoding)
        if b"\x00" in sample and self._text_encoding.line_by_line:
            raise UnreadableFile(path, "it holds binary data, not CSV text")
        self._delimiter = _sniff_delimiter(sample[:SAMPLE_BYTES], self._text_encoding, complete=complete)
        self._lines_end_with_cr = b"\r" in sample and b"\n" not in sample
        self.path = path
        self._header_rows, fields, hxl_tags = self._read_header()
        geometry = find_geometry_columns(fields, hxl_tags)
        crs_name, assumed = tabular_crs(crs, geometry)
        self._geometry = geometry
        self._lon_lat = crs_name == WGS84
        super().__init__(
            path,
            SourceInfo(
                format=FileFormat.CSV,
                fields=fields,
                crs=crs_name,
                crs_assumed=assumed,
                encoding=self._text_encoding.name,
                geometry_columns=geometry.names,
                hxl_tags=hxl_tags,
            ),
        )

    def _records(self) -> Generator[tuple[int, list[str]], None, None]:
        """(row number, cells) for every record, the first being row 1; blank lines count as rows."""
        try:
            binary = self.path.open("rb")
        except OSError as exc:
            raise UnreadableFile(self.path, exc.strerror or str(exc)) from exc
        lines = decoded_lines(binary, self._text_encoding, self.path, lines_end_with_cr=self._lines_end_with_cr)
        with binary, contextlib.closing(lines):
            reader = csv.reader(lines, delimiter=self._delimiter)
            try:
                yield from enumerate(reader, start=1)
            except csv.Error as exc:
                raise UnreadableFile(self.path, f"malformed CSV at line {reader.line_num}: {exc}") from exc

    def _read_header(self) -> tuple[int, tuple[str, ...], dict[str, str]]:
        """How many rows precede the data, the field names, and the HXL hashtags by field."""
        records = self._records()
        try:
            for number, cells in records:
                if is_blank(cells):
                    continue
                fields = column_names(trimmed(cells))
                following = next(records, None)
                if following is not None and is_hxl_row(following[1]):
                    tags = {name: tag.strip() for name, tag in zip(fields, following[1], strict=False) if tag.strip()}
                    return number + 1, fields, tags
                return number, fields, {}
        finally:
            records.close()
        raise MissingHeader(self.path, "the file holds only blank lines")

    def _features(self) -> Iterator[SourceFeature]:
        records = itertools.islice(self._records(), self._header_rows, None)
        rows = ((number, row_properties(self.fields, cells)) for number, cells in records if not is_blank(cells))
        return features(rows, self._geometry, lon_lat=self._lon_lat)


def _sniff_delimiter(sample: bytes, encoding: TextEncoding, *, complete: bool) -> str:
    """The delimiter among `DELIMITERS` that splits the header widest and the next rows to its width."""
    text = sample.removeprefix(encoding.bom).decode(encoding.codec, errors="replace")
    lines = text.splitlines(keepends=True)
    if not complete and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut short by the sample's end
    lines = [line for line in lines[:_SNIFF_LINES] if line.strip()]
    best, best_key = DELIMITERS[0], (0, 0)
    for delimiter in DELIMITERS:
        rows: list[list[str]] = []
        with contextlib.suppress(csv.Error):  # a quoted field cut by the sample's end: judge the rows read
            rows.extend(csv.reader(lines, delimiter=delimiter))
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        key = (sum(len(row) == width for row in rows[1:]), width)
        if key > best_key:
            best, best_key = delimiter, key
    return best
