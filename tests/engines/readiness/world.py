"""A small world of settlements near Aghdam, built record by record, evaluated in one call."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely

from homeward.engines.readiness import (
    CriteriaSet,
    Facilities,
    Hazards,
    Housing,
    Project,
    Projects,
    Readiness,
    Restore,
    Services,
    Settlements,
    default_criteria,
    evaluate,
)

# In the heating season (October to April).
TODAY = dt.date(2026, 11, 24)
ORIGIN = (46.90, 40.00)
DISTRICT_CENTRE = (46.93, 39.99)
M_PER_DEG_LAT = 110_574.0
M_PER_DEG_LON = 111_320.0 * math.cos(math.radians(ORIGIN[1]))
GOOD_SERVICES = ("water", "electricity", "heating", "school", "health_post")


def at(east_m: float, north_m: float) -> tuple[float, float]:
    """The point ``east_m`` and ``north_m`` from the origin."""
    return ORIGIN[0] + east_m / M_PER_DEG_LON, ORIGIN[1] + north_m / M_PER_DEG_LAT


def square(east_m: float, north_m: float, side_m: float) -> shapely.Polygon:
    """A square of ``side_m`` centred ``east_m``/``north_m`` from the origin."""
    lon, lat = at(east_m, north_m)
    half_lon, half_lat = side_m / 2 / M_PER_DEG_LON, side_m / 2 / M_PER_DEG_LAT
    return shapely.box(lon - half_lon, lat - half_lat, lon + half_lon, lat + half_lat)


@dataclass
class World:
    settlements: list[tuple[str, float, float, float, Any]] = field(default_factory=list)
    hazards: list[tuple[str, Any, bool, dt.date | None]] = field(default_factory=list)
    services: list[tuple[str, str, str, str, dt.date | None]] = field(default_factory=list)
    facilities: list[tuple[str, str, float, float, bool]] = field(default_factory=list)
    housing: list[tuple[str, str, float, float, float]] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)
    delays: dict[str, float] = field(default_factory=dict)

    def settlement(
        self,
        settlement_id: str,
        east_m: float = 0.0,
        north_m: float = 0.0,
        *,
        households: float = 100.0,
        polygon: Any = None,
        good: bool = True,
    ) -> str:
        """Add a settlement; ``good`` gives it working services, its own school and clinic, and enough housing."""
        lon, lat = at(east_m, north_m)
        self.settlements.append((settlement_id, lon, lat, households, polygon))
        if good:
            for kind in GOOD_SERVICES:
                self.service(settlement_id, kind, "working")
            self.house(settlement_id, habitable=households)
        return settlement_id

    def service(self, settlement_id: str, kind: str, status: str, as_of: dt.date | None = dt.date(2026, 6, 1)) -> str:
        record_id = f"svc-{len(self.services)}"
        self.services.append((record_id, settlement_id, kind, status, as_of))
        return record_id

    def drop_services(self, settlement_id: str, kind: str) -> None:
        self.services = [row for row in self.services if not (row[1] == settlement_id and row[2] == kind)]

    def facility(self, facility_id: str, kind: str, east_m: float, north_m: float, *, working: bool = True) -> None:
        self.facilities.append((facility_id, kind, *at(east_m, north_m), working))

    def house(self, settlement_id: str, *, habitable: float, total: float | None = None) -> str:
        self.housing = [row for row in self.housing if row[1] != settlement_id]
        record_id = f"housing-{settlement_id}"
        units = total if total is not None else max(habitable, 1.0) * 1.5
        self.housing.append((record_id, settlement_id, units, units - habitable, habitable))
        return record_id

    def hazard(self, hazard_id: str, polygon: Any, *, active: bool = True, clears: dt.date | None = None) -> str:
        self.hazards.append((hazard_id, polygon, active, clears))
        return hazard_id

    def project(
        self,
        project_id: str,
        settlement_id: str,
        kind: str,
        planned_end: dt.date,
        *,
        units: float = 0.0,
        agency: str = "agency-a",
        status: str = "ongoing",
        site: Any = None,
    ) -> str:
        restore = Restore(settlement_id, kind, units)
        self.projects.append(Project(project_id, agency, planned_end, status, (restore,), site))
        return project_id

    def inputs(self) -> dict[str, Any]:
        ids, lon, lat, households, polygons = zip(*self.settlements, strict=True) if self.settlements else ((),) * 5
        settlements = Settlements(
            ids=ids,
            lon=np.array(lon),
            lat=np.array(lat),
            centre_lon=np.full(len(ids), DISTRICT_CENTRE[0]),
            centre_lat=np.full(len(ids), DISTRICT_CENTRE[1]),
            households=np.array(households, dtype=float),
            polygons=np.array(polygons, dtype=object) if any(p is not None for p in polygons) else None,
        )
        hazards = Hazards(
            ids=[row[0] for row in self.hazards],
            polygons=[row[1] for row in self.hazards],
            active=[row[2] for row in self.hazards],
            expected_clearance=[row[3] for row in self.hazards],
        )
        facilities = Facilities(
            ids=[row[0] for row in self.facilities],
            kinds=[row[1] for row in self.facilities],
            lon=[row[2] for row in self.facilities],
            lat=[row[3] for row in self.facilities],
            working=[row[4] for row in self.facilities],
        )
        services = Services(
            ids=[row[0] for row in self.services],
            settlement_ids=[row[1] for row in self.services],
            kinds=[row[2] for row in self.services],
            statuses=[row[3] for row in self.services],
            capacity=np.full(len(self.services), np.nan),
            as_of=[row[4] for row in self.services],
            facilities=facilities,
        )
        housing = Housing(
            ids=[row[0] for row in self.housing],
            settlement_ids=[row[1] for row in self.housing],
            units_total=[row[2] for row in self.housing],
            damaged=[row[3] for row in self.housing],
            habitable=[row[4] for row in self.housing],
        )
        return {
            "settlements": settlements,
            "hazards": hazards,
            "services": services,
            "housing": housing,
            "projects": Projects.of(self.projects, dict(self.delays)),
        }

    def evaluate(self, criteria: CriteriaSet | None = None, **options: Any) -> dict[str, Readiness]:
        inputs = self.inputs()
        today = options.pop("today", TODAY)
        results = evaluate(**inputs, criteria=criteria or default_criteria(), today=today, **options)
        return {result.settlement_id: result for result in results}

    def copy(self) -> World:
        return dataclasses.replace(
            self,
            settlements=list(self.settlements),
            hazards=list(self.hazards),
            services=list(self.services),
            facilities=list(self.facilities),
            housing=list(self.housing),
            projects=list(self.projects),
            delays=dict(self.delays),
        )


STATUSES = ("working", "working", "working", "partial", "not_working", "unknown")
KINDS = ("water", "electricity", "gas", "heating", "school", "health_post")


def random_world(seed: int, settlements: int = 40, *, span_m: float = 30_000.0) -> World:
    """A seeded world: settlements over a square of ``span_m``, with hazards, services, housing and projects."""
    rng = np.random.default_rng(seed)
    world = World(delays={"agency-a": 20.0, "agency-b": 75.0, "agency-c": -10.0})
    for number in range(settlements):
        east, north = rng.uniform(0, span_m, 2)
        polygon = square(east, north, float(rng.uniform(400, 900))) if rng.random() < 0.15 else None
        settlement_id = world.settlement(
            f"s{number:03d}", east, north, households=float(rng.integers(10, 300)), polygon=polygon, good=False
        )
        for kind in KINDS:
            if rng.random() < 0.85:
                when = TODAY - dt.timedelta(days=int(rng.integers(0, 400)))
                world.service(settlement_id, kind, str(rng.choice(STATUSES)), when)
        if rng.random() < 0.9:
            world.house(settlement_id, habitable=float(rng.integers(0, 200)))
        for hazard in range(int(rng.integers(0, 4))):
            offset = rng.normal(0, 400, 2)
            clears = TODAY + dt.timedelta(days=int(rng.integers(10, 900))) if rng.random() < 0.7 else None
            world.hazard(
                f"h-{settlement_id}-{hazard}",
                square(east + offset[0], north + offset[1], float(rng.uniform(50, 400))),
                active=bool(rng.random() < 0.75),
                clears=clears,
            )
        for project in range(int(rng.integers(0, 3))):
            kind = str(rng.choice([*KINDS, "housing"]))
            site = square(east + 300, north, 200.0) if rng.random() < 0.3 else None
            world.project(
                f"p-{settlement_id}-{project}",
                f"s{int(rng.integers(0, number + 1)):03d}",
                kind,
                TODAY + dt.timedelta(days=int(rng.integers(-60, 700))),
                units=float(rng.integers(5, 80)) if kind == "housing" else 0.0,
                agency=str(rng.choice(["agency-a", "agency-b", "agency-c", "agency-d"])),
                status=str(rng.choice(["planned", "ongoing", "ongoing", "completed", "suspended"])),
                site=site,
            )
    for number in range(settlements // 10):
        east, north = rng.uniform(0, span_m, 2)
        world.facility(
            f"f{number}", str(rng.choice(["school", "health_post"])), east, north, working=bool(rng.random() < 0.8)
        )
    return world
