"""Cross-script place search over every name in the gazetteer.

The index (``engines.matching.PlaceIndex``) lives in the process and is rebuilt when the
gazetteer changes: at most every few seconds a cheap query compares the names' count and
latest change with those the index was built from.
"""

from __future__ import annotations

import math
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max

from homeward.core.permissions import Action, require
from homeward.engines.matching.place_index import NameEntry, PlaceHit, PlaceIndex
from homeward.places.choices import PlaceLevel
from homeward.places.models import Place, PlaceName

STAMP_CHECK_SECONDS = 5.0
# A prior for ties between equally good matches: bigger places and higher levels first.
LEVEL_WEIGHT: dict[str, float] = {PlaceLevel.COUNTRY: 3.0, PlaceLevel.DISTRICT: 2.0, PlaceLevel.MUNICIPALITY: 1.0}


@dataclass(frozen=True)
class SearchResult:
    place: Place
    hit: PlaceHit


class _Cache:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.index: PlaceIndex | None = None
        self.stamp: tuple[Any, ...] | None = None
        self.checked = 0.0


_cache = _Cache()


def _stamp() -> tuple[Any, ...]:
    names = PlaceName.objects.aggregate(n=Count("id"), latest=Max("updated_at"))
    places = Place.objects.aggregate(n=Count("id"), latest=Max("updated_at"))
    return (names["n"], names["latest"], places["n"], places["latest"])


def _entries() -> list[NameEntry]:
    places = {
        str(pk): (level, population)
        for pk, level, population in Place.objects.values_list("id", "level", "population_pre_conflict")
    }
    entries = []
    for name_id, place_id, text, language, script, kind in PlaceName.objects.values_list(
        "id", "place_id", "text", "language", "script", "kind"
    ).iterator(chunk_size=5000):
        level, population = places.get(str(place_id), ("", None))
        weight = LEVEL_WEIGHT.get(level, 0.0) * 10 + math.log10((population or 0) + 1)
        entries.append(NameEntry(str(place_id), str(name_id), text, language, script, kind, weight))
    return entries


def place_index(*, force: bool = False) -> PlaceIndex:
    """The current index, rebuilt if the gazetteer changed since it was built."""
    with _cache.lock:
        now = time.monotonic()
        if _cache.index is not None and not force and now - _cache.checked < STAMP_CHECK_SECONDS:
            return _cache.index
        stamp = _stamp()
        _cache.checked = now
        if _cache.index is None or force or stamp != _cache.stamp:
            _cache.index = PlaceIndex(_entries())
            _cache.stamp = stamp
        return _cache.index


def search_places(user: Any, query: str, *, limit: int = 10, level: str = "") -> list[SearchResult]:
    """Places whose names match ``query`` in any script, best first, each with the name that matched."""
    require(user, Action.VIEW, Place)
    hits = place_index().search(query, limit=limit * 3 if level else limit)
    places = Place.objects.select_related("district").in_bulk([hit.place_id for hit in hits])
    results = []
    for hit in hits:
        place = places.get(uuid.UUID(hit.place_id))
        if place is None or (level and place.level != level):
            continue
        results.append(SearchResult(place, hit))
    return results[:limit]
