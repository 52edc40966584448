"""Writing features to the formats mine action centres exchange, streaming where the format allows.

Values are checked against their `FieldSpec` kind before anything is written; a file appears at its
path only once complete (it is written beside it and moved into place), so a failed export leaves
any earlier file untouched and no partial one.
"""

from __future__ import annotations

import enum
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from shapely.geometry.base import BaseGeometry

from homeward.interchange import ogr_writing, shapefile_writing, tabular_writing
from homeward.interchange.crs import normalize_crs
from homeward.interchange.errors import ExportError
from homeward.interchange.export_fields import FieldSpec, check_rows
from homeward.interchange.tabular_writing import WKT_COLUMN

__all__ = ["ExportFormat", "FieldSpec", "export_content_type", "export_extension", "write_features"]


class ExportFormat(enum.StrEnum):
    GEOJSON = "geojson"
    GPKG = "gpkg"
    SHAPEFILE_ZIP = "shapefile-zip"
    CSV = "csv"  # geometry as a `wkt` column
    CSV_HXL = "csv-hxl"  # the CSV with a row of HXL hashtags under the header
    XLSX = "xlsx"


_EXTENSIONS: Mapping[ExportFormat, str] = {
    ExportFormat.GEOJSON: ".geojson",
    ExportFormat.GPKG: ".gpkg",
    ExportFormat.SHAPEFILE_ZIP: ".shp.zip",
    ExportFormat.CSV: ".csv",
    ExportFormat.CSV_HXL: ".hxl.csv",
    ExportFormat.XLSX: ".xlsx",
}
_CONTENT_TYPES: Mapping[ExportFormat, str] = {
    ExportFormat.GEOJSON: "application/geo+json",
    ExportFormat.GPKG: "application/geopackage+sqlite3",
    ExportFormat.SHAPEFILE_ZIP: "application/zip",
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.CSV_HXL: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def export_extension(fmt: ExportFormat) -> str:
    """The file name ending for `fmt`, with its dot (".shp.zip" for a zipped shapefile)."""
    return _EXTENSIONS[fmt]


def export_content_type(fmt: ExportFormat) -> str:
    """The MIME type to serve `fmt` with."""
    return _CONTENT_TYPES[fmt]


def write_features(
    path: Path,
    fmt: ExportFormat,
    fields: Sequence[FieldSpec],
    rows: Iterable[tuple[Mapping[str, object], BaseGeometry | None]],
    *,
    layer: str = "features",
    crs: str = "EPSG:4326",
    with_geometry: bool = True,
) -> int:
    """Write `rows` (values by field name, geometry in `crs`) to `path` in `fmt`; return how many were written.

    Values are converted to their field's kind (a missing key or None is null; dates are written as
    ISO strings in CSV and XLSX); one that does not fit raises `ExportError` naming the row and field.
    CSV and XLSX hold geometry as WKT in WGS 84 (reprojected from `crs` when needed), so they carry no
    CRS; GeoJSON, GeoPackage and shapefile record `crs`. Rows may lack geometry (null geometry).
    `with_geometry=False` writes a table without geometry. Shapefile field names are cut to 10
    characters (see `shapefile_field_names`). CSV, XLSX and GeoPackage are written as rows arrive;
    GeoJSON and shapefiles are gathered first, as their drivers cannot append cheaply.
    """
    fmt = ExportFormat(fmt)
    specs = tuple(fields)
    _check_specs(specs, fmt, with_geometry=with_geometry)
    crs_name = normalize_crs(crs)
    checked = check_rows(specs, rows, with_geometry=with_geometry)
    path = Path(path)
    try:
        # Staged beside the target so the final move is an atomic rename on the same file system.
        with tempfile.TemporaryDirectory(dir=path.parent, prefix=".homeward-export-") as staging:
            target = Path(staging) / f"export{export_extension(fmt)}"
            match fmt:
                case ExportFormat.CSV | ExportFormat.CSV_HXL:
                    hxl = fmt is ExportFormat.CSV_HXL
                    count = tabular_writing.write_csv(
                        target, specs, checked, hxl=hxl, crs=crs_name, with_geometry=with_geometry
                    )
                case ExportFormat.XLSX:
                    count = tabular_writing.write_xlsx(
                        target, specs, checked, layer=layer, crs=crs_name, with_geometry=with_geometry
                    )
                case ExportFormat.GPKG:
                    count = ogr_writing.write_gpkg(
                        target, specs, checked, layer=layer, crs=crs_name, with_geometry=with_geometry
                    )
                case ExportFormat.GEOJSON:
                    count = ogr_writing.write_geojson(
                        target, specs, checked, layer=layer, crs=crs_name, with_geometry=with_geometry
                    )
                case ExportFormat.SHAPEFILE_ZIP:
                    count = shapefile_writing.write_shapefile_zip(
                        target, specs, checked, layer=layer, crs=crs_name, with_geometry=with_geometry
                    )
            os.replace(target, path)
    except OSError as exc:
        raise ExportError(f"cannot write {path.name}: {exc.strerror or exc}") from exc
    return count


def _check_specs(specs: Sequence[FieldSpec], fmt: ExportFormat, *, with_geometry: bool) -> None:
    seen: set[str] = set()
    for spec in specs:
        if spec.name in seen:
            raise ExportError(f"field {spec.name!r} is listed twice")
        seen.add(spec.name)
    tabular = fmt in (ExportFormat.CSV, ExportFormat.CSV_HXL, ExportFormat.XLSX)
    if tabular and with_geometry and WKT_COLUMN in seen:
        raise ExportError(f"the field name {WKT_COLUMN!r} is taken by the geometry column")
