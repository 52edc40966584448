"""GeoJSON layers for the map: what the user may see, within the view, simplified for the zoom."""

from __future__ import annotations

from typing import Any

import shapely
from django.urls import reverse
from shapely.geometry.base import BaseGeometry

from homeward.engines.geo import simplify_for_zoom, to_geojson_geometry
from homeward.mineaction import selectors

# More features than this in one view are cut off (the map asks the user to zoom in).
MAX_FEATURES = 5_000


class BadBoundingBox(ValueError):
    pass


def parse_bbox(bbox: str) -> tuple[float, float, float, float] | None:
    """``min_lon,min_lat,max_lon,max_lat`` (as Leaflet's ``toBBoxString``), or None when empty."""
    if not bbox:
        return None
    try:
        west, south, east, north = (float(part) for part in bbox.split(","))
    except ValueError:
        raise BadBoundingBox(f"bbox must be min_lon,min_lat,max_lon,max_lat, not {bbox!r}") from None
    if west > east or south > north:
        raise BadBoundingBox(f"bbox has min above max: {bbox!r}")
    return west, south, east, north


def geojson_of(geometry: BaseGeometry | None) -> dict[str, Any] | None:
    return None if geometry is None else to_geojson_geometry(geometry)


def _collection(features: list[dict[str, Any]], truncated: bool) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features, "truncated": truncated}


def hazard_collection(
    user: Any, *, bbox: str = "", zoom: int = 10, status: str = "", classification: str = ""
) -> dict[str, Any]:
    hazards = selectors.hazards_visible_to(user)
    box = parse_bbox(bbox)
    if box is not None:
        west, south, east, north = box
        hazards = hazards.filter(max_lon__gte=west, min_lon__lte=east, max_lat__gte=south, min_lat__lte=north)
    if status:
        hazards = hazards.filter(status__in=status.split(","))
    if classification:
        hazards = hazards.filter(classification=classification)
    rows = list(
        hazards.order_by("-remaining_m2").values_list(
            "id", "external_id", "name", "classification", "status", "remaining_m2", "eo_types", "geometry"
        )[: MAX_FEATURES + 1]
    )
    truncated = len(rows) > MAX_FEATURES
    rows = rows[:MAX_FEATURES]
    shapes = shapely.from_wkb([bytes(row[7] or b"") for row in rows])
    simplified: list[Any] = list(simplify_for_zoom(shapes, max(0, min(zoom, 22)))) if rows else []
    features = []
    for row, shape in zip(rows, simplified, strict=True):
        pk, external_id, name, classification_, status_, remaining, eo_types, _ = row
        features.append(
            {
                "type": "Feature",
                "id": str(pk),
                "geometry": to_geojson_geometry(shape),
                "properties": {
                    "external_id": external_id,
                    "name": name or external_id,
                    "classification": classification_,
                    "status": status_,
                    "remaining_m2": round(remaining),
                    "eo_types": eo_types,
                    "url": reverse("mineaction:hazard_detail", args=[pk]),
                },
            }
        )
    return _collection(features, truncated)


def incident_collection(user: Any, *, bbox: str = "") -> dict[str, Any]:
    incidents = selectors.incidents_visible_to(user).filter(latitude__isnull=False, longitude__isnull=False)
    box = parse_bbox(bbox)
    if box is not None:
        west, south, east, north = box
        incidents = incidents.filter(longitude__range=(west, east), latitude__range=(south, north))
    rows = list(
        incidents.order_by("-occurred_on").values_list(
            "id", "external_id", "occurred_on", "device_type", "latitude", "longitude"
        )[: MAX_FEATURES + 1]
    )
    features = [
        {
            "type": "Feature",
            "id": str(pk),
            "geometry": {"type": "Point", "coordinates": [round(lon or 0.0, 6), round(lat or 0.0, 6)]},
            "properties": {
                "external_id": external_id,
                "date": occurred.isoformat(),
                "device_type": device_type,
                "url": reverse("mineaction:incident_detail", args=[pk]),
            },
        }
        for pk, external_id, occurred, device_type, lat, lon in rows[:MAX_FEATURES]
    ]
    return _collection(features, len(rows) > MAX_FEATURES)
