"""GeoPackage and GeoJSON export through pyogrio (GDAL), and the arrays all GDAL formats are written from."""

from __future__ import annotations

import contextlib
import itertools
import sqlite3
import warnings
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyogrio.raw
import shapely

from homeward.interchange.errors import ExportError
from homeward.interchange.export_fields import CheckedRow, FieldSpec

CHUNK_ROWS = 2000
# shapely type ids → OGR geometry type names (a LinearRing is written as a LineString).
_TYPE_NAMES = {
    0: "Point",
    1: "LineString",
    2: "LineString",
    3: "Polygon",
    4: "MultiPoint",
    5: "MultiLineString",
    6: "MultiPolygon",
    7: "GeometryCollection",
}
_MULTI = {"Point": "MultiPoint", "LineString": "MultiLineString", "Polygon": "MultiPolygon"}


class FeatureChunk:
    """A batch of checked rows as the arrays pyogrio writes."""

    def __init__(self, specs: Sequence[FieldSpec], rows: Sequence[CheckedRow], *, with_geometry: bool) -> None:
        self.rows = rows
        self.columns: list[npt.NDArray[Any]] = []
        self.masks: list[npt.NDArray[np.bool_] | None] = []
        for index, spec in enumerate(specs):
            column, mask = _field_array(spec, [row[1][index] for row in rows])
            self.columns.append(column)
            self.masks.append(mask)
        geometries = np.empty(len(rows), dtype=object)
        geometries[:] = [row[2] for row in rows]
        self.geometries = geometries if with_geometry else None
        self.type_names: set[str] = (
            {_TYPE_NAMES[type_id] for type_id in shapely.get_type_id(geometries).tolist() if type_id >= 0}
            if with_geometry
            else set()
        )
        self.has_z = bool(with_geometry and len(geometries) and shapely.has_z(geometries).any())

    def wkb(self) -> npt.NDArray[Any] | None:
        """The geometries as WKB, None for a table without geometry."""
        return None if self.geometries is None else shapely.to_wkb(self.geometries)


def write_gpkg(
    target: Path, specs: Sequence[FieldSpec], rows: Iterable[CheckedRow], *, layer: str, crs: str, with_geometry: bool
) -> int:
    """Write a GeoPackage layer a chunk at a time (appending), declaring the first chunk's geometry type.

    Polygons mixed with multipolygons (lines, points likewise) are written as the multi type. When a
    later chunk brings another type, the layer is declared GEOMETRY at the end, as the GeoPackage
    specification requires for mixed layers.
    """
    count = 0
    declared: str | None = None
    mixed = False
    for rows_chunk in _chunks(rows):
        chunk = FeatureChunk(specs, rows_chunk, with_geometry=with_geometry)
        if declared is None:
            declared = _declared_type(chunk.type_names, chunk.has_z) if with_geometry else None
        elif with_geometry and not _fits(chunk.type_names, declared):
            mixed = True
        write_chunk(target, specs, chunk, "GPKG", layer, crs, declared, append=count > 0)
        count += len(rows_chunk)
    if count == 0:
        empty = FeatureChunk(specs, [], with_geometry=with_geometry)
        write_chunk(target, specs, empty, "GPKG", layer, crs, "Unknown" if with_geometry else None, append=False)
    if mixed:
        _declare_any_geometry(target, layer)
    return count


def _declare_any_geometry(target: Path, layer: str) -> None:
    """Re-declare a GeoPackage layer's geometry type as GEOMETRY, in gpkg_geometry_columns and in the table.

    GDAL offers no way to change it through pyogrio, and checks that both declarations agree. The
    column's declared type only names an affinity in SQLite (POINT and GEOMETRY store blobs alike),
    so rewriting the CREATE TABLE text is safe; the schema version is bumped as SQLite requires.
    """
    with contextlib.closing(sqlite3.connect(target)) as database:
        table, column, declared = database.execute(
            "SELECT table_name, column_name, geometry_type_name FROM gpkg_geometry_columns"
            " WHERE lower(table_name) = lower(?)",
            (layer,),
        ).fetchone()
        (sql,) = database.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        ).fetchone()
        (version,) = database.execute("PRAGMA schema_version").fetchone()
        declaration = f'"{column}" {declared}'
        with database:
            database.execute(
                "UPDATE gpkg_geometry_columns SET geometry_type_name = 'GEOMETRY' WHERE table_name = ?", (table,)
            )
            if declaration in sql:
                database.execute("PRAGMA writable_schema = ON")
                database.execute(
                    "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
                    (sql.replace(declaration, f'"{column}" GEOMETRY', 1), table),
                )
                database.execute(f"PRAGMA schema_version = {int(version) + 1}")
                database.execute("PRAGMA writable_schema = OFF")


def write_geojson(
    target: Path, specs: Sequence[FieldSpec], rows: Iterable[CheckedRow], *, layer: str, crs: str, with_geometry: bool
) -> int:
    """Write a GeoJSON FeatureCollection; a CRS other than WGS 84 is recorded in a legacy ``crs`` member."""
    chunk = FeatureChunk(specs, list(rows), with_geometry=True)
    # GeoJSON always has a geometry member: rows without geometry get null.
    write_chunk(target, specs, chunk, "GeoJSON", layer, crs, "Unknown", append=False)
    return len(chunk.rows)


def _chunks(rows: Iterable[CheckedRow]) -> Iterator[list[CheckedRow]]:
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, CHUNK_ROWS)):
        yield chunk


def write_chunk(
    target: Path,
    specs: Sequence[FieldSpec],
    chunk: FeatureChunk,
    driver: str,
    layer: str,
    crs: str,
    geometry_type: str | None,
    *,
    append: bool,
    promote: bool | None = None,
) -> None:
    """Write (or with `append`, add) one chunk to a GDAL dataset; failures raise `ExportError`."""
    multi = geometry_type is not None and geometry_type.startswith("Multi")
    try:
        with warnings.catch_warnings():
            # Mixed geometry types are accounted for by the caller (GEOMETRY layer type, or an error).
            warnings.filterwarnings("ignore", message="A geometry of type", category=RuntimeWarning)
            pyogrio.raw.write(
                str(target),
                chunk.wkb(),
                chunk.columns,
                [spec.name for spec in specs],
                field_mask=chunk.masks,
                driver=driver,
                layer=layer,
                crs=crs if geometry_type is not None else None,
                geometry_type=geometry_type,
                encoding="UTF-8",
                promote_to_multi=multi if promote is None else promote,
                append=append,
            )
    except Exception as exc:  # GDAL reports failures as several exception types
        raise ExportError(f"GDAL could not write the {driver} file: {exc}") from exc


def _field_array(spec: FieldSpec, values: list[object]) -> tuple[npt.NDArray[Any], npt.NDArray[np.bool_] | None]:
    """One field's values as a typed array, with a null mask where the type has no null of its own."""
    nulls = np.array([value is None for value in values], dtype=bool)
    mask = nulls if nulls.any() else None
    match spec.kind:
        case "str":
            return np.array(values, dtype=object), None
        case "int":
            try:
                return np.array([0 if value is None else value for value in values], dtype=np.int64), mask
            except OverflowError as exc:
                raise ExportError(f"a value of {spec.name!r} exceeds 64-bit integers") from exc
        case "float":
            return np.array([np.nan if value is None else value for value in values], dtype=np.float64), mask
        case "date":
            texts = ["NaT" if value is None else str(value) for value in values]
            return np.array(texts, dtype="datetime64[D]"), None
        case _:
            return np.array([bool(value) for value in values], dtype=bool), mask


def _declared_type(type_names: set[str], has_z: bool) -> str:
    if not type_names:
        return "Unknown"
    singles = {name.removeprefix("Multi") for name in type_names}
    if len(type_names) == 1:
        declared = next(iter(type_names))
    elif len(singles) == 1 and "GeometryCollection" not in type_names:
        declared = _MULTI[next(iter(singles))]
    else:
        return "Unknown"
    return f"{declared} Z" if has_z else declared


def _fits(type_names: set[str], declared: str) -> bool:
    base = declared.removesuffix(" Z")
    if base == "Unknown":
        return True
    allowed = {base, base.removeprefix("Multi")} if base.startswith("Multi") else {base}
    return type_names <= allowed
