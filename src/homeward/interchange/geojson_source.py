"""GeoJSON reading: schema and CRS from GDAL, features streamed from the file one at a time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pyogrio
import shapely.errors
import shapely.geometry
from shapely.geometry.base import BaseGeometry

from homeward.interchange.crs import WGS84
from homeward.interchange.errors import UnreadableFile
from homeward.interchange.formats import FileFormat
from homeward.interchange.json_stream import JsonStream
from homeward.interchange.ogr_source import guarded, pick_layer
from homeward.interchange.source import FeatureSource, SourceFeature, SourceInfo

_PARSERS: Mapping[str, Callable[[str], object]] = {
    "OFTDate": dt.date.fromisoformat,
    "OFTDateTime": dt.datetime.fromisoformat,
    "OFTTime": dt.time.fromisoformat,
}
_GEOMETRY_TYPES = frozenset(
    {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection"}
)


class GeoJsonSource(FeatureSource):
    """A GeoJSON FeatureCollection, Feature or bare geometry.

    GDAL supplies the field list, the CRS (WGS 84 per RFC 7946 unless a legacy ``crs`` member says
    otherwise) and the field types, so that dates come back as dates as they do from a GeoPackage.
    """

    def __init__(self, path: Path, *, layer: str | None) -> None:
        if layer is not None:  # a GeoJSON file has one layer; listing it costs GDAL a pass over the file
            pick_layer(path, str(path), layer)
        info = guarded(path, lambda: pyogrio.read_info(str(path)))
        fields = tuple(str(name) for name in info["fields"])
        self._parsers = {
            name: _PARSERS[ogr_type]
            for name, ogr_type in zip(fields, info["ogr_types"], strict=True)
            if ogr_type in _PARSERS
        }
        count = info.get("features")
        super().__init__(
            path,
            SourceInfo(
                format=FileFormat.GEOJSON,
                fields=fields,
                crs=info.get("crs") or WGS84,
                feature_count=count if isinstance(count, int) and count >= 0 else None,
            ),
        )

    def _features(self) -> Iterator[SourceFeature]:
        try:
            binary = self.path.open("rb")
        except OSError as exc:
            raise UnreadableFile(self.path, exc.strerror or str(exc)) from exc
        with binary:
            stream = JsonStream(binary, self.path)
            stream.expect("{")
            top: dict[str, object] = {}
            streamed = False
            while stream.peek() != "}":
                key = stream.value()
                if not isinstance(key, str):
                    raise stream.error("an object key must be a string")
                stream.expect(":")
                if key == "features" and stream.peek() == "[":
                    yield from self._collection(stream)
                    streamed = True
                else:
                    top[key] = stream.value()
                if stream.peek() != ",":
                    break
                stream.expect(",")
            stream.expect("}")
        if not streamed:
            if top.get("type") == "Feature":
                yield self._feature(1, top)
            elif top.get("type") in _GEOMETRY_TYPES:
                yield self._feature(1, {"type": "Feature", "properties": {}, "geometry": top})

    def _collection(self, stream: JsonStream) -> Iterator[SourceFeature]:
        stream.expect("[")
        number = 0
        while stream.peek() != "]":
            number += 1
            yield self._feature(number, stream.value())
            if stream.peek() != ",":
                break
            stream.expect(",")
        stream.expect("]")

    def _feature(self, number: int, feature: object) -> SourceFeature:
        if not isinstance(feature, dict):
            return SourceFeature(number, dict.fromkeys(self.fields), None, "the feature is not a JSON object")
        raw = feature.get("properties")
        given: dict[str, object] = raw if isinstance(raw, dict) else {}
        if "id" in self.fields and "id" not in given:
            given = {**given, "id": feature.get("id")}  # GDAL lists a string feature id as a field
        properties = {name: self._value(name, given.get(name)) for name in self.fields}
        properties.update((name, value) for name, value in given.items() if name not in properties)
        geometry, error = _geometry(feature.get("geometry"))
        return SourceFeature(number, properties, geometry, error)

    def _value(self, name: str, value: object) -> object:
        if value == "":
            return None
        parse = self._parsers.get(name)
        if parse is not None and isinstance(value, str):
            try:
                return parse(value)
            except ValueError:
                return value
        return value


def _geometry(value: object) -> tuple[BaseGeometry | None, str | None]:
    if value is None:
        return None, None
    try:
        return shapely.geometry.shape(value), None
    except (shapely.errors.ShapelyError, ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        return None, f"invalid GeoJSON geometry: {exc}"
