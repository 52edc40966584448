"""Reading and writing the GIS and tabular files mine action centres exchange.

GeoJSON, GeoPackage, zipped (or bare) shapefiles, CSV and XLSX are read as a lazy stream of numbered
features (`open_features`); GeoJSON, GeoPackage, zipped shapefiles, CSV (plain or with HXL hashtags)
and XLSX are written by `write_features`. No Django here: apps' import and export services and the
CLI adapt their models to these plain values.
"""

from homeward.interchange.errors import (
    EncodingError,
    ExportError,
    InterchangeError,
    InvalidCRS,
    LayerRequired,
    MissingHeader,
    NoShapefileInZip,
    UnknownLayer,
    UnreadableFile,
)
from homeward.interchange.formats import FileFormat, detect_format
from homeward.interchange.reading import FeatureSource, SourceFeature, open_features
from homeward.interchange.shapefile_writing import shapefile_field_names
from homeward.interchange.writing import (
    ExportFormat,
    FieldSpec,
    export_content_type,
    export_extension,
    write_features,
)

__all__ = [
    "EncodingError",
    "ExportError",
    "ExportFormat",
    "FeatureSource",
    "FieldSpec",
    "FileFormat",
    "InterchangeError",
    "InvalidCRS",
    "LayerRequired",
    "MissingHeader",
    "NoShapefileInZip",
    "SourceFeature",
    "UnknownLayer",
    "UnreadableFile",
    "detect_format",
    "export_content_type",
    "export_extension",
    "open_features",
    "shapefile_field_names",
    "write_features",
]
