"""Zipped shapefile export: one geometry kind, 10-byte field names, 254-byte text, parts zipped together."""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from homeward.interchange.errors import ExportError
from homeward.interchange.export_fields import CheckedRow, FieldSpec
from homeward.interchange.ogr_writing import FeatureChunk, write_chunk

SHAPEFILE_NAME_BYTES = 10
SHAPEFILE_TEXT_BYTES = 254
_SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
# A shapefile has one shape type per file; its line and polygon shapes hold the multi forms too.
_SHAPEFILE_TYPES = {
    frozenset({"Point"}): ("Point", False),
    frozenset({"MultiPoint"}): ("MultiPoint", False),
    frozenset({"Point", "MultiPoint"}): ("MultiPoint", True),
    frozenset({"LineString"}): ("LineString", False),
    frozenset({"MultiLineString"}): ("LineString", False),
    frozenset({"LineString", "MultiLineString"}): ("LineString", False),
    frozenset({"Polygon"}): ("Polygon", False),
    frozenset({"MultiPolygon"}): ("Polygon", False),
    frozenset({"Polygon", "MultiPolygon"}): ("Polygon", False),
}


def write_shapefile_zip(
    target: Path, specs: Sequence[FieldSpec], rows: Iterable[CheckedRow], *, layer: str, crs: str, with_geometry: bool
) -> int:
    """Write a shapefile (.shp, .shx, .dbf, .prj, .cpg) named after `layer` and zip it into `target`.

    Field names are cut to 10 bytes (see `shapefile_field_names`); text longer than 254 bytes and rows
    mixing points, lines and polygons raise `ExportError`, since a shapefile cannot hold them.
    """
    chunk = FeatureChunk(specs, list(rows), with_geometry=with_geometry)
    _check_shapefile_text(specs, chunk)
    geometry_type: str | None = None
    promote = False
    if with_geometry:
        if not chunk.type_names:
            geometry_type = "Point"
        elif frozenset(chunk.type_names) in _SHAPEFILE_TYPES:
            geometry_type, promote = _SHAPEFILE_TYPES[frozenset(chunk.type_names)]
        else:
            kinds = ", ".join(sorted(chunk.type_names))
            raise ExportError(f"a shapefile holds one kind of geometry, these rows hold {kinds}; export as GeoPackage")
    renamed = [
        FieldSpec(name, spec.kind, spec.hxl) for name, spec in zip(shapefile_field_names(specs), specs, strict=True)
    ]
    stem = _file_stem(layer)
    with tempfile.TemporaryDirectory(prefix="homeward-shp-") as directory:
        shapefile = Path(directory) / f"{stem}.shp"
        write_chunk(
            shapefile, renamed, chunk, "ESRI Shapefile", stem, crs, geometry_type, append=False, promote=promote
        )
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            for suffix in _SHAPEFILE_PARTS:
                part = shapefile.with_suffix(suffix)
                if part.exists():
                    archive.write(part, arcname=part.name)
    return len(chunk.rows)


def shapefile_field_names(specs: Sequence[FieldSpec]) -> list[str]:
    """The .dbf field names for `specs`: cut to 10 bytes, made unique (case-insensitively) with ``_1``, ``_2``…

    Deterministic: the same field list always gives the same names.
    """
    names: list[str] = []
    used: set[str] = set()
    for spec in specs:
        candidate = _cut(spec.name, SHAPEFILE_NAME_BYTES)
        counter = 0
        while candidate.upper() in used:
            counter += 1
            suffix = f"_{counter}"
            candidate = _cut(spec.name, SHAPEFILE_NAME_BYTES - len(suffix)) + suffix
        used.add(candidate.upper())
        names.append(candidate)
    return names


def _check_shapefile_text(specs: Sequence[FieldSpec], chunk: FeatureChunk) -> None:
    for spec, column in zip(specs, chunk.columns, strict=True):
        if spec.kind != "str":
            continue
        for index, value in enumerate(column.tolist()):
            if value is not None and len(value.encode("utf-8")) > SHAPEFILE_TEXT_BYTES:
                raise ExportError(
                    f"text longer than {SHAPEFILE_TEXT_BYTES} bytes does not fit a shapefile; export as GeoPackage",
                    row=chunk.rows[index][0],
                    field=spec.name,
                )


def _cut(text: str, size: int) -> str:
    """`text` cut to at most `size` UTF-8 bytes without splitting a character."""
    return text.encode("utf-8")[:size].decode("utf-8", errors="ignore")


def _file_stem(layer: str) -> str:
    stem = "".join(char if char.isalnum() or char in "-_" else "_" for char in layer).strip("_")
    return stem or "features"
