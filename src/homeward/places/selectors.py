"""Reads of the gazetteer."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.conf import settings
from django.db.models import Max, Min, Prefetch, Q, QuerySet
from django.utils.translation import get_language
from scipy.spatial import cKDTree

from homeward.core.permissions import Action, require
from homeward.places.choices import NameKind, PlaceLevel
from homeward.places.models import Place, PlaceName


def places_for(user: Any, *, level: str = "", district: str = "", query: str = "") -> QuerySet[Place]:
    require(user, Action.VIEW, Place)
    places = Place.objects.select_related("district").prefetch_related(
        Prefetch("names", queryset=PlaceName.objects.order_by("language", "kind"))
    )
    if level:
        places = places.filter(level=level)
    if district:
        places = places.filter(district__code=district)
    if query:
        places = places.filter(Q(name__icontains=query) | Q(names__text__icontains=query)).distinct()
    return places.order_by("district__name", "name")


def districts_for(user: Any) -> QuerySet[Place]:
    require(user, Action.VIEW, Place)
    return Place.objects.filter(level=PlaceLevel.DISTRICT).order_by("name")


def count_places(user: Any, level: str) -> int:
    return Place.objects.filter(level=level).count()


@dataclass(frozen=True)
class Located:
    settlement_id: uuid.UUID | None
    district_id: uuid.UUID | None
    distance_km: float


class SettlementLocator:
    """Nearest settlement (and its district) to points, for attaching imported features to places.

    Built once per import from every settlement with coordinates; a k-d tree on an equirectangular
    projection is exact enough for "nearest village" at the scale of a region.
    """

    def __init__(self, rows: Sequence[tuple[uuid.UUID, uuid.UUID | None, float | None, float | None]]) -> None:
        self._ids = [row[0] for row in rows]
        self._districts = [row[1] for row in rows]
        lats = np.array([row[3] for row in rows], dtype=float)
        self._cos = float(np.cos(np.radians(lats.mean()))) if len(rows) else 1.0
        points = np.column_stack([np.array([row[2] for row in rows], dtype=float) * self._cos, lats])
        self._tree = cKDTree(points) if len(rows) else None

    def locate(self, lons: Sequence[float], lats: Sequence[float]) -> list[Located]:
        if self._tree is None or not len(lons):
            return [Located(None, None, float("inf")) for _ in lons]
        query = np.column_stack([np.asarray(lons, dtype=float) * self._cos, np.asarray(lats, dtype=float)])
        distances, indexes = self._tree.query(query)
        return [
            Located(self._ids[i], self._districts[i], float(d) * 111.2) for d, i in zip(distances, indexes, strict=True)
        ]


def settlement_locator() -> SettlementLocator:
    rows = Place.objects.filter(
        level=PlaceLevel.SETTLEMENT, latitude__isnull=False, longitude__isnull=False
    ).values_list("id", "district_id", "longitude", "latitude")
    return SettlementLocator(list(rows))


def gazetteer_bounds() -> tuple[float, float, float, float] | None:
    """The deployment's extent: ``HOMEWARD_MAP_BOUNDS`` if set, else the envelope of every located place."""
    configured = settings.HOMEWARD_MAP_BOUNDS
    if configured is not None:
        return tuple(configured)  # type: ignore[return-value]
    extent = Place.objects.filter(latitude__isnull=False, longitude__isnull=False).aggregate(
        min_lon=Min("longitude"), min_lat=Min("latitude"), max_lon=Max("longitude"), max_lat=Max("latitude")
    )
    if extent["min_lon"] is None:
        return None
    # A gazetteer of one point still has an extent (the margin around it does the rest).
    pad = 0.001
    return (extent["min_lon"] - pad, extent["min_lat"] - pad, extent["max_lon"] + pad, extent["max_lat"] + pad)


def region_place() -> Place | None:
    """The root of the gazetteer (the country), where region-wide figures are kept."""
    return Place.objects.filter(level=PlaceLevel.COUNTRY).order_by("code").first()


def settlements_of(district_ids: Sequence[Any] | None) -> list[uuid.UUID]:
    """Ids of the settlements in ``district_ids`` (every settlement for ``None``)."""
    settlements = Place.objects.filter(level=PlaceLevel.SETTLEMENT)
    if district_ids is not None:
        settlements = settlements.filter(district__in=list(district_ids))
    return list(settlements.values_list("id", flat=True))


def district_ids() -> list[uuid.UUID]:
    return list(Place.objects.filter(level=PlaceLevel.DISTRICT).values_list("id", flat=True))


def place_points(user: Any, level: str) -> dict[str, Any]:
    """Places of one level as a GeoJSON collection of points (for map layers), named in the user's language."""
    require(user, Action.VIEW, Place)
    places = Place.objects.filter(level=level, latitude__isnull=False, longitude__isnull=False)
    official: dict[Any, dict[str, str]] = {}
    names = PlaceName.objects.filter(place__in=places, kind=NameKind.OFFICIAL).values_list(
        "place_id", "language", "text"
    )
    for place_id, language, text in names:
        official.setdefault(place_id, {}).setdefault(language, text)
    order = ((get_language() or "en")[:2], *settings.HOMEWARD_PLACE_NAME_ORDER)

    def shown(place_id: Any, stored: str) -> str:
        known = official.get(place_id, {})
        return next((known[language] for language in order if language in known), stored)

    rows = places.order_by("code").values_list(
        "id", "code", "name", "longitude", "latitude", "population_pre_conflict", "is_synthetic"
    )
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": str(pk),
                "geometry": {"type": "Point", "coordinates": [round(lon or 0.0, 6), round(lat or 0.0, 6)]},
                "properties": {"code": code, "name": shown(pk, name), "population": population, "synthetic": synthetic},
            }
            for pk, code, name, lon, lat, population, synthetic in rows
        ],
    }


def places_by_ids(ids: Sequence[str]) -> dict[str, Place]:
    """Places keyed by the string form of their id (as the search index reports them)."""
    return {str(p.pk): p for p in Place.objects.select_related("district").filter(pk__in=list(ids))}


def settlement_by_code(code: str) -> Place | None:
    return Place.objects.filter(code=code, level=PlaceLevel.SETTLEMENT).select_related("district").first()


def settlement_points(ids: Sequence[Any]) -> list[Any]:
    """Shapely points of the given settlements that have coordinates."""
    import shapely

    return [shapely.Point(lon, lat) for lon, lat in settlement_coordinates(ids).values()]


@dataclass(frozen=True)
class SettlementRow:
    id: uuid.UUID
    code: str
    district_id: uuid.UUID | None
    lon: float
    lat: float
    households: int | None
    boundary: bytes | None


def settlement_table(
    bbox: tuple[float, float, float, float] | None = None, also: Sequence[Any] = ()
) -> list[SettlementRow]:
    """Every located settlement (within ``bbox`` = west, south, east, north, and those in ``also``, if a
    box is given), for engines."""
    rows = Place.objects.filter(level=PlaceLevel.SETTLEMENT, latitude__isnull=False, longitude__isnull=False)
    if bbox is not None:
        west, south, east, north = bbox
        rows = rows.filter(Q(longitude__range=(west, east), latitude__range=(south, north)) | Q(pk__in=list(also)))
    return [
        SettlementRow(pk, code, district, lon or 0.0, lat or 0.0, households, bytes(boundary) if boundary else None)
        for pk, code, district, lon, lat, households, boundary in rows.order_by("code")
        .values_list("id", "code", "district_id", "longitude", "latitude", "households_pre_conflict", "boundary")
        .iterator(chunk_size=5000)
    ]


def district_centres() -> dict[uuid.UUID, tuple[float, float]]:
    """Each district's point (its centre), by district id."""
    rows = Place.objects.filter(level=PlaceLevel.DISTRICT, latitude__isnull=False, longitude__isnull=False)
    return {pk: (lon or 0.0, lat or 0.0) for pk, lon, lat in rows.values_list("id", "longitude", "latitude")}


def settlement_coordinates(ids: Sequence[Any]) -> dict[Any, tuple[float, float]]:
    """(lon, lat) of the given places that have coordinates, by id."""
    rows = Place.objects.filter(pk__in=list(set(ids)), latitude__isnull=False, longitude__isnull=False)
    return {pk: (lon or 0.0, lat or 0.0) for pk, lon, lat in rows.values_list("id", "longitude", "latitude")}
