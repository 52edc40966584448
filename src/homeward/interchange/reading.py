"""Opening any exchanged file (GeoJSON, GeoPackage, shapefile, CSV, XLSX) as a stream of features."""

from __future__ import annotations

from pathlib import Path

from homeward.interchange.crs import normalize_crs
from homeward.interchange.csv_source import CsvSource
from homeward.interchange.formats import FileFormat, detect_format
from homeward.interchange.geojson_source import GeoJsonSource
from homeward.interchange.ogr_source import OgrSource, ZippedShapefileSource
from homeward.interchange.source import FeatureSource, SourceFeature
from homeward.interchange.xlsx_source import XlsxSource

__all__ = ["FeatureSource", "SourceFeature", "open_features"]


def open_features(
    path: Path, *, layer: str | None = None, encoding: str | None = None, crs: str | None = None
) -> FeatureSource:
    """Open `path`, whatever its format (told by content), for lazy iteration over its features.

    `layer` names a GeoPackage layer, a shapefile inside a zip, or a workbook sheet; without it the
    only (or only spatial) layer, or the first sheet, is read. `encoding` applies to CSV and to
    shapefiles without a .cpg. `crs`, when given, replaces whatever CRS the file declares or lacks.
    Without it: GeoJSON is WGS 84 unless it declares otherwise; GeoPackages and shapefiles report the
    layer's CRS (None for a shapefile without .prj); CSV/XLSX with latitude/longitude columns are WGS 84,
    with a WKT column WGS 84 *assumed* (`crs_assumed`), without geometry columns None.
    Raises an `InterchangeError` subclass naming the file (and line or layer) when it cannot be read.
    """
    path = Path(path)
    user_crs = normalize_crs(crs) if crs else None
    fmt = detect_format(path)
    source: FeatureSource
    match fmt:
        case FileFormat.GEOJSON:
            source = GeoJsonSource(path, layer=layer)
        case FileFormat.GPKG | FileFormat.SHAPEFILE:
            source = OgrSource(path, fmt, layer=layer, encoding=encoding if fmt is FileFormat.SHAPEFILE else None)
        case FileFormat.SHAPEFILE_ZIP:
            source = ZippedShapefileSource(path, layer=layer, encoding=encoding)
        case FileFormat.CSV:
            source = CsvSource(path, encoding=encoding, layer=layer, crs=user_crs)
        case FileFormat.XLSX:
            source = XlsxSource(path, layer=layer, crs=user_crs)
    if user_crs is not None:
        source.crs, source.crs_assumed = user_crs, False
    return source
