"""Header, HXL hashtag row and geometry columns of CSV and spreadsheet data, shared by both readers."""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
import shapely.errors
from shapely.geometry.base import BaseGeometry

from homeward.interchange.crs import WGS84
from homeward.interchange.source import SourceFeature

WKT_COLUMNS = ("wkt", "geometry", "geom", "the_geom")
LAT_LON_COLUMNS = (("lat", "lon"), ("latitude", "longitude"), ("y", "x"), ("lat", "lng"))
_HXL_TAG = re.compile(r"#[A-Za-z][A-Za-z0-9_]*(\s*\+[A-Za-z][A-Za-z0-9_]*)*")
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")
_WKT_BATCH = 256


@dataclass(frozen=True)
class GeometryColumns:
    """The columns a row's geometry is built from: a WKT column, or a latitude and a longitude column."""

    wkt: str | None = None
    lat: str | None = None
    lon: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        """The column names in use, WKT or latitude then longitude."""
        return tuple(name for name in (self.wkt, self.lat, self.lon) if name is not None)


def column_names(header: Sequence[object]) -> tuple[str, ...]:
    """Field names from header cells: trimmed, a blank one named ``column_<n>``, a repeated one suffixed ``_2``."""
    names: list[str] = []
    seen: set[str] = set()
    for position, cell in enumerate(header, start=1):
        name = str(cell).strip().removeprefix("\ufeff") if cell is not None else ""
        name = name or f"column_{position}"
        unique, copy = name, 1
        while unique in seen:
            copy += 1
            unique = f"{name}_{copy}"
        seen.add(unique)
        names.append(unique)
    return tuple(names)


def trimmed(header: Sequence[object]) -> Sequence[object]:
    """Header cells without the empty ones that trail them (formatted but unused columns, trailing delimiters)."""
    end = len(header)
    while end and is_blank([header[end - 1]]):
        end -= 1
    return header[:end]


def is_blank(cells: Sequence[object]) -> bool:
    """True for a row without any value."""
    return not any(cell is not None and (not isinstance(cell, str) or cell.strip()) for cell in cells)


def is_hxl_row(cells: Sequence[object]) -> bool:
    """True for an HXL hashtag row: every filled cell is a hashtag such as ``#adm2+code``."""
    filled = [cell for cell in cells if not is_blank([cell])]
    return bool(filled) and all(isinstance(cell, str) and _HXL_TAG.fullmatch(cell.strip()) for cell in filled)


def row_properties(fields: Sequence[str], cells: Sequence[object]) -> dict[str, object]:
    """Field → value for one row: None for empty and missing cells.

    Filled cells beyond the header are kept under ``column_<n>`` (they usually mean a value holding an
    unquoted delimiter), so the caller can see the row does not fit.
    """
    properties: dict[str, object] = {
        name: (None if cell == "" else cell) for name, cell in zip(fields, cells, strict=False)
    }
    for name in fields[len(cells) :]:
        properties[name] = None
    for position in range(len(fields), len(cells)):
        if not is_blank([cells[position]]):
            properties[f"column_{position + 1}"] = cells[position]
    return properties


def tabular_crs(crs: str | None, geometry: GeometryColumns) -> tuple[str | None, bool]:
    """The CRS of a CSV or XLSX layer and whether it is assumed.

    Such files cannot declare one: a user's ``crs`` wins; latitude/longitude columns are WGS 84 by
    their nature; a WKT column is assumed WGS 84 (and the report says so); no geometry, no CRS.
    """
    if crs is None and geometry.names:
        return WGS84, geometry.wkt is not None
    return crs, False


def find_geometry_columns(fields: Sequence[str], hxl_tags: Mapping[str, str]) -> GeometryColumns:
    """The geometry columns by name (case-insensitive), else by HXL hashtag (``#geo+lat``, ``#geo+lon``)."""
    by_name = {name.strip().lower(): name for name in reversed(fields)}
    for candidate in WKT_COLUMNS:
        if candidate in by_name:
            return GeometryColumns(wkt=by_name[candidate])
    for lat, lon in LAT_LON_COLUMNS:
        if lat in by_name and lon in by_name:
            return GeometryColumns(lat=by_name[lat], lon=by_name[lon])
    by_attribute: dict[str, str] = {}
    for name, tag in hxl_tags.items():
        parts = tag.replace(" ", "").lower().split("+")
        if parts[0] == "#geo":
            for attribute in parts[1:]:
                by_attribute.setdefault(attribute, name)
    if "wkt" in by_attribute:
        return GeometryColumns(wkt=by_attribute["wkt"])
    if "lat" in by_attribute and "lon" in by_attribute:
        return GeometryColumns(lat=by_attribute["lat"], lon=by_attribute["lon"])
    return GeometryColumns()


def features(
    rows: Iterable[tuple[int, dict[str, object]]], columns: GeometryColumns, *, lon_lat: bool
) -> Iterator[SourceFeature]:
    """Numbered rows of properties as features, their WKT parsed a small batch at a time.

    Parsing a few hundred WKT strings in one shapely call is several times faster than one by one,
    and the batch is small enough to keep memory flat.
    """
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, _WKT_BATCH)):
        if columns.wkt is not None:
            geometries = _wkt_geometries([properties.get(columns.wkt) for _, properties in batch], columns.wkt)
        else:
            geometries = [row_geometry(properties, columns, lon_lat=lon_lat) for _, properties in batch]
        for (number, properties), (geometry, error) in zip(batch, geometries, strict=True):
            yield SourceFeature(number, properties, geometry, error)


def row_geometry(
    properties: Mapping[str, object], columns: GeometryColumns, *, lon_lat: bool
) -> tuple[BaseGeometry | None, str | None]:
    """The row's geometry, or why it has none; (None, None) when its geometry cells are empty.

    `lon_lat` says coordinates are WGS 84 degrees, so out-of-range values are reported.
    """
    if columns.wkt is not None:
        return _wkt_geometry(properties.get(columns.wkt), columns.wkt)
    if columns.lat is None or columns.lon is None:
        return None, None
    lat_cell, lon_cell = properties.get(columns.lat), properties.get(columns.lon)
    if lat_cell is None and lon_cell is None:
        return None, None
    lat, lat_error = _coordinate(lat_cell, columns.lat, "latitude")
    lon, lon_error = _coordinate(lon_cell, columns.lon, "longitude")
    if lat is None or lon is None:
        return None, "; ".join(error for error in (lat_error, lon_error) if error)
    if lon_lat and not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None, (
            f"latitude {lat:g}, longitude {lon:g} are outside WGS 84 degrees; "
            "projected coordinates need their CRS named"
        )
    return shapely.Point(lon, lat), None


def _wkt_geometries(cells: list[object], column: str) -> list[tuple[BaseGeometry | None, str | None]]:
    texts = [cell if isinstance(cell, str) and cell.strip() else None for cell in cells]
    parsed = shapely.from_wkt(np.array(texts, dtype=object), on_invalid="ignore")
    # A cell that parsed to nothing is parsed again alone, for shapely's account of what is wrong.
    return [
        _wkt_geometry(cell, column) if geometry is None else (geometry, None)
        for cell, geometry in zip(cells, parsed.tolist(), strict=True)
    ]


def _wkt_geometry(cell: object, column: str) -> tuple[BaseGeometry | None, str | None]:
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return None, None
    if not isinstance(cell, str):
        return None, f"column {column!r} holds {cell!r}, not WKT text"
    try:
        return shapely.from_wkt(cell), None
    except shapely.errors.ShapelyError as exc:
        return None, f"unparsable WKT in column {column!r}: {exc}"


def _coordinate(cell: object, column: str, label: str) -> tuple[float | None, str | None]:
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return None, f"{label} (column {column!r}) is empty"
    value: float | None = None
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        value = float(cell)
    elif isinstance(cell, str):
        text = cell.strip()
        if _DECIMAL_COMMA.fullmatch(text):  # "40,5" from a spreadsheet set to a comma-decimal locale
            text = text.replace(",", ".")
        try:
            value = float(text)
        except ValueError:
            value = None
    if value is None or not math.isfinite(value):
        return None, f"{label} {cell!r} (column {column!r}) is not a number"
    return value, None
