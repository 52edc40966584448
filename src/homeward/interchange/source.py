"""What every reader yields: numbered features with their properties, geometry and geometry fault."""

from __future__ import annotations

import abc
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Self

from shapely.geometry.base import BaseGeometry

from homeward.interchange.formats import FileFormat


@dataclass(frozen=True)
class SourceFeature:
    """One feature or data row of a source file.

    `number` is what a user finds in the file: the 1-based feature number for GIS formats, the
    spreadsheet row number for CSV and XLSX (the header is row 1, so the first data row is 2).
    `geometry_error` explains why a row that has geometry columns yielded no geometry.
    """

    number: int
    properties: dict[str, object]
    geometry: BaseGeometry | None
    geometry_error: str | None = None


@dataclass
class SourceInfo:
    """What a reader knows about its file once opened."""

    format: FileFormat
    fields: tuple[str, ...]
    crs: str | None
    crs_assumed: bool = False
    encoding: str | None = None
    feature_count: int | None = None
    geometry_columns: tuple[str, ...] = ()
    hxl_tags: Mapping[str, str] = field(default_factory=dict)


class FeatureSource(abc.ABC):
    """An opened file whose features are read lazily, batch by batch or row by row, on iteration.

    Attributes: `format`; `fields` (the column names as the file spells them); `crs` ("EPSG:n" or the
    WKT the file declares, None when it declares none); `crs_assumed` (True when WGS 84 was assumed
    because the format cannot carry a CRS); `encoding` (of CSV text, or a shapefile's .dbf);
    `feature_count` (when cheaply known); `geometry_columns` (the CSV/XLSX columns the geometry was
    built from); `hxl_tags` (field → HXL hashtag, from a hashtag row under the header).
    Each iteration reads the file again from its start. Use as a context manager, or call `close()`.
    """

    def __init__(self, path: Path, info: SourceInfo) -> None:
        self.path = path
        self.format = info.format
        self.fields = info.fields
        self.crs = info.crs
        self.crs_assumed = info.crs_assumed
        self.encoding = info.encoding
        self.feature_count = info.feature_count
        self.geometry_columns = info.geometry_columns
        self.hxl_tags: Mapping[str, str] = dict(info.hxl_tags)
        self._closed = False

    def __iter__(self) -> Iterator[SourceFeature]:
        if self._closed:
            raise ValueError(f"{self.path.name} has been closed")
        return self._features()

    @abc.abstractmethod
    def _features(self) -> Iterator[SourceFeature]:
        """Read the file from its start, yielding one feature at a time."""

    def close(self) -> None:
        """Release the file handles and temporary files this source holds; idempotent."""
        if not self._closed:
            self._closed = True
            self._release()

    def _release(self) -> None:  # noqa: B027 - an optional hook, not every source holds resources
        """Subclasses holding resources release them here."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.path.name} {self.format} crs={self.crs!r} fields={len(self.fields)}>"
