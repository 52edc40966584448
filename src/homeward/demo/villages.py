"""Invented villages around each district centre, the same ones on every run.

Each district has its own random stream, so village *n* of a district is identical whatever
the scale: a larger scale only adds villages after those of a smaller one.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass

from homeward.demo.names import NameBank
from homeward.demo.region import DistrictSpec, Region

KM_PER_DEGREE = 111.32
SYNTHETIC_CODE_PREFIX = "DEMO-"


@dataclass(frozen=True)
class Village:
    code: str
    district_code: str
    index: int
    name: str
    latitude: float
    longitude: float
    population: int
    households: int


def allocate(total: int, weights: Mapping[str, float]) -> dict[str, int]:
    """Split ``total`` between keys in proportion to ``weights`` (largest remainder, ties by key)."""
    weight_sum = sum(weights.values())
    if total <= 0 or weight_sum <= 0:
        return dict.fromkeys(weights, 0)
    shares = {key: total * weight / weight_sum for key, weight in weights.items()}
    counts = {key: math.floor(share) for key, share in shares.items()}
    leftover = total - sum(counts.values())
    for key in sorted(shares, key=lambda key: (counts[key] - shares[key], key))[:leftover]:
        counts[key] += 1
    return counts


def village_counts(region: Region, total: int) -> dict[str, int]:
    """How many villages each district gets when the region has ``total`` of them."""
    return allocate(total, {district.code: district.weight for district in region.districts})


def _offset(rng: random.Random, district: DistrictSpec) -> tuple[float, float]:
    distance = district.radius_km * math.sqrt(rng.random())
    bearing = rng.uniform(0, 2 * math.pi)
    latitude = district.latitude + distance * math.cos(bearing) / KM_PER_DEGREE
    longitude = district.longitude + distance * math.sin(bearing) / (
        KM_PER_DEGREE * math.cos(math.radians(district.latitude))
    )
    return round(latitude, 5), round(longitude, 5)


def district_villages(region: Region, district: DistrictSpec, bank: NameBank, count: int) -> list[Village]:
    """The first ``count`` villages of ``district``: names unique within it, within its radius."""
    rng = random.Random(f"homeward-demo:{region.key}:villages:{district.code}")
    taken: set[str] = set()
    villages = []
    for index in range(1, count + 1):
        name = bank.unique_place_name(rng, taken)
        latitude, longitude = _offset(rng, district)
        population = max(40, min(4000, round(rng.lognormvariate(6.0, 0.8))))
        households = max(1, round(population / rng.uniform(4.0, 5.2)))
        villages.append(
            Village(
                code=f"{SYNTHETIC_CODE_PREFIX}{district.code}-{index:04d}",
                district_code=district.code,
                index=index,
                name=name,
                latitude=latitude,
                longitude=longitude,
                population=population,
                households=households,
            )
        )
    return villages
