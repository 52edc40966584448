"""Geometry and files for mine action tests: squares of known size near the World's villages."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import shapely

from tests.conftest import World

AGHDAM = (46.93, 39.99)
LACHIN = (46.55, 39.64)
FUZULI = (47.15, 39.60)


def place_world(world: World) -> None:
    """Spread the World's places out, so "nearest settlement" and bounds mean something."""
    for place, (lon, lat) in [
        (world.aghdam, (46.95, 40.00)),
        (world.aghdam_village, AGHDAM),
        (world.lachin, (46.52, 39.63)),
        (world.lachin_village, LACHIN),
        (world.fuzuli, FUZULI),
        (world.country, (46.8, 39.8)),
    ]:
        place.longitude, place.latitude = lon, lat
        place.save()


def square(lon: float, lat: float, side_m: float = 100.0) -> shapely.Polygon:
    """A square of ``side_m`` metres centred on (lon, lat), counter-clockwise."""
    half_lat = side_m / 2 / 111_320
    half_lon = side_m / 2 / (111_320 * math.cos(math.radians(lat)))
    return shapely.Polygon(
        [
            (lon - half_lon, lat - half_lat),
            (lon + half_lon, lat - half_lat),
            (lon + half_lon, lat + half_lat),
            (lon - half_lon, lat + half_lat),
        ]
    )


def hazard_properties(external_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "external_id": external_id,
        "classification": "cha",
        "recorded_on": "2023-05-01",
        "eo_types": "ap_mine",
        **extra,
    }


def write_geojson(path: Path, features: Iterable[tuple[Mapping[str, Any], Any]], crs: str | None = None) -> Path:
    collection: dict[str, Any] = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": dict(props),
                "geometry": None if geometry is None else json.loads(shapely.to_geojson(geometry)),
            }
            for props, geometry in features
        ],
    }
    if crs:
        collection["crs"] = {"type": "name", "properties": {"name": crs}}
    path.write_text(json.dumps(collection), encoding="utf-8")
    return path
