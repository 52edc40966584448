"""Settlement readiness: ``engines.readiness.evaluate`` against a straightforward GeoPandas implementation.

Run from the repository root as ``python -m bench.readiness [--quick]``.

Data, all in memory and seeded, at a demo scale (``national``: the 26 GeoNames towns and 4,975
invented villages of the demo gazetteer, about 20,500 hazardous areas): settlements and
hazardous areas come from the demo generator's own pure functions (places, outlines and their
land release; no database is written). The demo has no recovery data yet, so services (nine
kinds, some with an older superseded record), facility points, housing figures and two
reconstruction projects per settlement (with agencies, delays and some sites) are generated
here with a seeded random stream. Towns get an invented residential polygon; villages use the
buffer around their point.

Timed, ours and the peer alternating after a warm-up, medians of the repetitions:

* full: ``assess`` of every settlement with the default criteria (statuses, scores, forecasts,
  and every criterion's evidence worked out: which records, figures, dates and ids each fact
  quotes; the facts stay in columns and a record is built when an answer is read) against the
  peer, which computes the statuses only, from GeoDataFrames: residential buffers (``to_crs`` +
  ``buffer``) ``sjoin``-ed to the active areas, the latest service record per kind by
  ``groupby``, ``sjoin_nearest`` to working schools and health posts, housing by ``groupby``,
  then the same score and status rule. Also timed and printed beside it: the full run plus every
  settlement's input digest (what the snapshot task works out before it reads the answers that
  changed), and the full run plus every settlement's record built (what reading them all costs);
* incremental (ours only): one active hazardous area moved 250 m, then ``affected_by_hazards``
  on its old and new outline and ``evaluate(only=...)`` on the settlements it returns.

Checked, not timed: every settlement's status is the same in ours and the peer's (the run fails
otherwise); the incremental results equal a full run's on the edited data, and no settlement
outside the affected ones changes between the full runs before and after the edit.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import datetime as dt
import functools
import json
import math
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from homeward.engines.readiness import (
    Assessment,
    CriteriaSet,
    Facilities,
    Hazards,
    Housing,
    Project,
    Projects,
    ReachParams,
    Readiness,
    ResidentialAreaParams,
    Restore,
    ServiceParams,
    Services,
    Settlements,
    affected_by_hazards,
    assess,
    default_criteria,
    evaluate,
    expected_clearance,
    with_hazard_geometry,
)

BENCH = "readiness"
PEER = "geopandas"
TODAY = dt.date(2026, 11, 24)
GOAL_FULL_S = 3.0
GOAL_FULL_RATIO = 0.5
GOAL_INCREMENTAL_S = 0.100
PROJECTS_PER_SETTLEMENT = 2
AGENCIES = 24
SERVICE_KINDS = (
    "water",
    "electricity",
    "gas",
    "heating",
    "school",
    "kindergarten",
    "health_post",
    "road_access",
    "mobile_coverage",
)
SERVICE_STATUSES = ("working", "partial", "not_working", "unknown")
SERVICE_STATUS_WEIGHTS = (65, 10, 20, 5)
PROJECT_STATUSES = ("planned", "ongoing", "completed", "cancelled", "suspended")
PROJECT_STATUS_WEIGHTS = (35, 40, 15, 5, 5)
RESTORE_KINDS = ("water", "electricity", "gas", "heating", "school", "kindergarten", "health_post", "housing")
RESTORE_KIND_WEIGHTS = (20, 20, 8, 8, 8, 4, 7, 25)
METRES_PER_DEGREE = 111_320.0


@dataclass(frozen=True)
class Inputs:
    settlements: Settlements
    hazards: Hazards
    services: Services
    housing: Housing
    projects: Projects
    criteria: CriteriaSet
    towns: int


def _setup_django() -> tempfile.TemporaryDirectory[str]:
    """The demo generator imports Django models; set Django up without touching any database."""
    data_dir = tempfile.TemporaryDirectory(prefix="homeward-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homeward.settings")
    os.environ.setdefault("HOMEWARD_DATA_DIR", data_dir.name)
    import django

    django.setup()
    return data_dir


def _offset(lon: float, lat: float, east_m: float, north_m: float) -> tuple[float, float]:
    return lon + east_m / (METRES_PER_DEGREE * math.cos(math.radians(lat))), lat + north_m / METRES_PER_DEGREE


def _blob(rng: random.Random, lon: float, lat: float, radius_m: float, sides: int = 16) -> shapely.Polygon:
    """An irregular star-shaped polygon of about ``radius_m`` around a point."""
    ring = []
    for index in range(sides):
        angle = 2 * math.pi * index / sides
        distance = radius_m * rng.uniform(0.75, 1.2)
        ring.append(_offset(lon, lat, distance * math.cos(angle), distance * math.sin(angle)))
    return shapely.Polygon(ring)


def demo_settlements_and_hazards(scale_name: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The demo's settlements and hazardous areas (with their land release) at ``scale_name``, in memory."""
    from homeward.demo.hazard_plans import DATA_UNTIL, Site, plan_areas, plan_release
    from homeward.demo.hazard_shapes import polygons_of
    from homeward.demo.keys import demo_uuid
    from homeward.demo.mineaction import HAZARDS_PER_SETTLEMENT
    from homeward.demo.names import load_name_bank
    from homeward.demo.places import Settlement, _villages_for
    from homeward.demo.region import load_region
    from homeward.demo.scales import get_scale
    from homeward.demo.towns import region_towns
    from homeward.engines.geo import areas_m2
    from homeward.mineaction.choices import OPEN_STATUSES

    region = load_region()
    scale = get_scale(scale_name)
    bank = load_name_bank(region.name_bank)
    centres = {district.code: (district.longitude, district.latitude) for district in region.districts}
    places: list[dict[str, Any]] = []
    sites = []
    for town in region_towns(region):
        places.append(
            {"code": town.code, "district": town.district_code, "lon": town.longitude, "lat": town.latitude,
             "households": float(town.households or 0), "population": town.population or 0, "town": True}
        )  # fmt: skip
    for village in _villages_for(region, bank, scale):
        places.append(
            {"code": village.code, "district": village.district_code, "lon": village.longitude,
             "lat": village.latitude, "households": float(village.households), "population": village.population,
             "town": False}
        )  # fmt: skip
    for place in places:
        place["centre"] = centres[place["district"]]
        settlement = Settlement(
            place["code"], demo_uuid("place", place["code"]), demo_uuid("place", place["district"]), place["population"]
        )
        sites.append(Site(settlement, place["code"], place["lon"], place["lat"]))
    # The loader's seed and areas per settlement, so these are the areas `homeward demo` loads.
    seed = f"homeward-demo:{region.key}:mineaction"
    areas = plan_areas(seed, sites, HAZARDS_PER_SETTLEMENT[scale.name])
    polygons = polygons_of([area.outline for area in areas])
    sizes = areas_m2(polygons)
    hazards = []
    for area, polygon, size in zip(areas, polygons, sizes, strict=True):
        release = plan_release(seed, area, float(size))
        started = [activity.started_on for activity in release.activities]
        days = (DATA_UNTIL - min(started)).days if started else 0
        hazards.append(
            {"id": area.external_id, "polygon": polygon, "active": release.status in OPEN_STATUSES,
             "remaining_m2": release.remaining_m2, "rate": release.released_m2 / days if days > 0 else 0.0}
        )  # fmt: skip
    return places, hazards


def build_inputs(places: list[dict[str, Any]], areas: list[dict[str, Any]], seed: int) -> Inputs:
    """The engine's inputs: demo settlements and areas, plus seeded services, facilities, housing and projects."""
    rng = random.Random(f"{BENCH}:{seed}")
    polygons = [
        _blob(rng, p["lon"], p["lat"], 300 + 8 * math.sqrt(p["population"])) if p["town"] else None for p in places
    ]
    settlements = Settlements(
        ids=[place["code"] for place in places],
        lon=np.array([place["lon"] for place in places]),
        lat=np.array([place["lat"] for place in places]),
        centre_lon=np.array([place["centre"][0] for place in places]),
        centre_lat=np.array([place["centre"][1] for place in places]),
        households=np.array([place["households"] for place in places]),
        polygons=np.array(polygons, dtype=object),
    )
    # Areas under way clear at the rate they have kept; half of those not begun are tasked, after a queue.
    remaining = np.array([area["remaining_m2"] for area in areas])
    rates = np.array([area["rate"] for area in areas])
    clearance = expected_clearance(remaining, rates, TODAY)
    for row, area in enumerate(areas):
        if area["active"] and area["rate"] <= 0 and rng.random() < 0.5:
            queue = dt.timedelta(days=rng.randint(30, 720))
            clearance[row] = expected_clearance([area["remaining_m2"]], [rng.uniform(300, 1500)], TODAY + queue)[0]
    hazards = Hazards(
        ids=[area["id"] for area in areas],
        polygons=np.array([area["polygon"] for area in areas], dtype=object),
        active=np.array([area["active"] for area in areas]),
        expected_clearance=clearance,
    )
    records: list[tuple[str, str, str, float, dt.date]] = []
    statuses, weights = SERVICE_STATUSES, SERVICE_STATUS_WEIGHTS
    for place in places:
        for kind in SERVICE_KINDS:
            big = place["town"] or place["population"] >= {"school": 250, "kindergarten": 500, "health_post": 800}.get(
                kind, 0
            )
            if not big or rng.random() < 0.04:
                continue
            if rng.random() < 0.15:
                older = TODAY - dt.timedelta(days=rng.randint(400, 700))
                records.append((place["code"], kind, rng.choices(statuses, weights)[0], math.nan, older))
            as_of = TODAY - dt.timedelta(days=rng.randint(0, 380))
            records.append((place["code"], kind, rng.choices(statuses, weights)[0], rng.uniform(10, 500), as_of))
    rng.shuffle(records)
    facility_rows: list[tuple[str, str, float, float, bool]] = []
    for place in places:
        extra = (2 if place["town"] else 1) if place["town"] or rng.random() < 0.02 else 0
        for _ in range(extra):
            kind = rng.choice(("school", "health_post"))
            lon, lat = _offset(place["lon"], place["lat"], rng.uniform(-2000, 2000), rng.uniform(-2000, 2000))
            facility_rows.append((f"FAC-{len(facility_rows)}", kind, lon, lat, rng.random() < 0.8))
    services = Services(
        ids=[f"SVC-{row}" for row in range(len(records))],
        settlement_ids=[record[0] for record in records],
        kinds=[record[1] for record in records],
        statuses=[record[2] for record in records],
        capacity=np.array([record[3] for record in records]),
        as_of=[record[4] for record in records],
        facilities=Facilities(
            ids=[row[0] for row in facility_rows],
            kinds=[row[1] for row in facility_rows],
            lon=np.array([row[2] for row in facility_rows]),
            lat=np.array([row[3] for row in facility_rows]),
            working=np.array([row[4] for row in facility_rows], dtype=bool),
        ),
    )
    housing_rows = []
    for place in places:
        if rng.random() < 0.03:
            continue
        total = round(place["households"] * rng.uniform(0.95, 1.3))
        damaged = round(total * rng.uniform(0.2, 0.95))
        housing_rows.append((f"HOU-{place['code']}", place["code"], total, damaged, total - damaged))
    housing = Housing(
        ids=[row[0] for row in housing_rows],
        settlement_ids=[row[1] for row in housing_rows],
        units_total=np.array([row[2] for row in housing_rows], dtype=float),
        damaged=np.array([row[3] for row in housing_rows], dtype=float),
        habitable=np.array([row[4] for row in housing_rows], dtype=float),
    )
    project_statuses, project_weights = PROJECT_STATUSES, PROJECT_STATUS_WEIGHTS
    restore_kinds, restore_weights = RESTORE_KINDS, RESTORE_KIND_WEIGHTS
    items: list[Project] = []
    for row, place in enumerate(places):
        for number in range(PROJECTS_PER_SETTLEMENT):
            restores = []
            for _ in range(rng.choice((1, 1, 2))):
                target = places[min(len(places) - 1, max(0, row + rng.randint(-3, 3)))] if rng.random() < 0.2 else place
                kind = rng.choices(restore_kinds, restore_weights)[0]
                units = float(rng.randint(5, 120)) if kind == "housing" else 0.0
                restores.append(Restore(target["code"], kind, units))
            site = None
            if rng.random() < 0.3:
                lon, lat = _offset(place["lon"], place["lat"], rng.uniform(-1000, 1000), rng.uniform(-1000, 1000))
                site = _blob(rng, lon, lat, rng.uniform(50, 200), sides=8)
            items.append(
                Project(
                    id=f"PRJ-{place['code']}-{number}",
                    agency_id=f"AGENCY-{rng.randrange(AGENCIES):02d}",
                    planned_end=TODAY + dt.timedelta(days=rng.randint(-120, 1000)),
                    status=rng.choices(project_statuses, project_weights)[0],
                    restores=tuple(restores),
                    site=site,
                )
            )
    delays = {f"AGENCY-{number:02d}": rng.uniform(-20, 200) for number in range(AGENCIES)}
    towns = sum(place["town"] for place in places)
    return Inputs(settlements, hazards, services, housing, Projects.of(items, delays), default_criteria(), towns)


def _fresh(value: Any) -> Any:
    """A shallow copy of an input without what it caches (indexes, trees), as a task loading it anew has."""
    copied = copy.copy(value)
    for name, attribute in vars(type(value)).items():
        if isinstance(attribute, functools.cached_property):
            copied.__dict__.pop(name, None)
    return copied


def fresh(inputs: Inputs) -> Inputs:
    """The same inputs with nothing derived from them yet, so that every timed run does all the work."""
    return dataclasses.replace(
        inputs,
        settlements=_fresh(inputs.settlements),
        hazards=_fresh(inputs.hazards),
        services=_fresh(inputs.services),
        housing=_fresh(inputs.housing),
        projects=_fresh(inputs.projects),
    )


def ours_full(inputs: Inputs, *, evidence: bool = True) -> Assessment:
    return assess(
        inputs.settlements,
        inputs.hazards,
        inputs.services,
        inputs.housing,
        inputs.projects,
        inputs.criteria,
        today=TODAY,
        evidence=evidence,
    )


# The peer ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeerFrames:
    """The same inputs as (Geo)DataFrames, the shape a GeoPandas implementation starts from."""

    settlements: gpd.GeoDataFrame
    hazards: gpd.GeoDataFrame
    services: pd.DataFrame
    facilities: gpd.GeoDataFrame
    housing: pd.DataFrame


def peer_frames(inputs: Inputs) -> PeerFrames:
    s = inputs.settlements
    settlements = gpd.GeoDataFrame(
        {"id": list(s.ids), "households": s.households, "polygon": s.polygons},
        geometry=gpd.points_from_xy(s.lon, s.lat),
        crs=4326,
    )
    h = inputs.hazards
    hazards = gpd.GeoDataFrame({"id": list(h.ids), "active": h.active}, geometry=h.polygons, crs=4326)
    v = inputs.services
    services = pd.DataFrame(
        {
            "settlement_id": list(v.settlement_ids),
            "kind": list(v.kinds),
            "status": list(v.statuses),
            "as_of": v.as_of,
        }
    )
    f = v.facilities
    facilities = gpd.GeoDataFrame(
        {"kind": list(f.kinds), "working": f.working}, geometry=gpd.points_from_xy(f.lon, f.lat), crs=4326
    )
    o = inputs.housing
    housing = pd.DataFrame({"settlement_id": list(o.settlement_ids), "habitable": o.habitable})
    return PeerFrames(settlements, hazards, services, facilities, housing)


def peer_statuses(frames: PeerFrames, criteria: CriteriaSet, today: dt.date, utm: pyproj.CRS) -> np.ndarray:
    """Each settlement's status under ``criteria``, the plain GeoPandas way: sjoin, sjoin_nearest, groupby.

    ``utm`` is the metric CRS (the region's UTM zone, what ``estimate_utm_crs()`` returns); it is
    passed in rather than estimated on every run, which would cost the peer 50 ms of CRS database look-ups.
    """
    settlements = frames.settlements
    points_utm = settlements.to_crs(utm)
    latest = (
        frames.services.sort_values("as_of", kind="stable", na_position="first")
        .groupby(["settlement_id", "kind"])
        .tail(1)
        .pivot(index="settlement_id", columns="kind", values="status")
        .reindex(index=settlements["id"], columns=list(SERVICE_KINDS))
    )
    latest.index = settlements.index
    outcomes = {}
    for criterion in criteria.criteria:
        params = criterion.params
        if isinstance(params, ResidentialAreaParams):
            circles = points_utm.buffer(params.buffer_m, quad_segs=8).to_crs(4326)
            areas = gpd.GeoDataFrame(
                geometry=settlements["polygon"].where(settlements["polygon"].notna(), circles), crs=4326
            )
            hits = gpd.sjoin(areas, frames.hazards[frames.hazards["active"]], predicate="intersects")
            outcome = np.where(areas.index.isin(hits.index), "not_met", "met")
        elif isinstance(params, ServiceParams):
            if not criterion.in_season(today.month):
                outcome = np.full(len(settlements), "met")
            else:
                status = latest[[kind.value for kind in params.services]]
                good = ["working", "partial"] if params.accept_partial else ["working"]
                met = status.isin(good).any(axis=1)
                known = (status.notna() & (status != "unknown")).any(axis=1)
                outcome = np.select([met, known], ["met", "not_met"], "unknown")
        elif isinstance(params, ReachParams):
            kind = params.facility.value
            working_here = latest[kind] == "working"
            candidates = pd.concat(
                [
                    frames.facilities.loc[
                        frames.facilities["working"] & (frames.facilities["kind"] == kind), ["geometry"]
                    ],
                    settlements.loc[working_here, ["geometry"]],
                ],
                ignore_index=True,
            ).to_crs(utm)
            nearest = gpd.sjoin_nearest(points_utm[["geometry"]], candidates, distance_col="distance")
            distance = nearest.groupby(level=0)["distance"].min().reindex(settlements.index, fill_value=np.inf)
            met = distance <= params.max_km * 1000
            outcome = np.select([met, latest[kind] == "unknown"], ["met", "unknown"], "not_met")
        elif criterion.key == "habitable_housing":
            habitable = (
                frames.housing.groupby("settlement_id")["habitable"].last().reindex(settlements["id"]).to_numpy()
            )
            required = params.min_share * settlements["households"].to_numpy()  # type: ignore[union-attr]
            unknown = np.isnan(habitable) | np.isnan(required)
            outcome = np.select([habitable >= required, unknown], ["met", "unknown"], "not_met")
        else:  # the road: no road network in the peer either
            outcome = np.full(len(settlements), "unknown")
        outcomes[criterion.key] = outcome
    table = pd.DataFrame(outcomes, index=settlements.index)
    weights = pd.Series({criterion.key: criterion.weight for criterion in criteria.criteria})
    required_keys = [criterion.key for criterion in criteria.criteria if criterion.required]
    met_weight = (table == "met").mul(weights).sum(axis=1)
    counted = weights.sum() if criteria.status.unknown == "not_met" else (table != "unknown").mul(weights).sum(axis=1)
    score = (met_weight / counted).fillna(0.0)
    blocked = (table[required_keys] == "not_met").any(axis=1)
    ready = ~blocked & (score >= criteria.status.ready_score) & (table[required_keys] == "met").all(axis=1)
    partly = ~blocked & ~ready & (score >= criteria.status.partly_score)
    return np.select([ready, partly], ["ready", "partly_ready"], "not_ready")


# Running ---------------------------------------------------------------------------------------


def _edit(inputs: Inputs, seed: int) -> tuple[str, shapely.Geometry, shapely.Geometry]:
    """A seeded active area that lies in some residential area, and its outline moved 250 m east."""
    rng = random.Random(f"{BENCH}:edit:{seed}")
    hazards = inputs.hazards
    touching = ours_full(inputs)
    candidates = sorted(
        {
            evidence.ref
            for result in touching
            for evidence in result.criterion("no_hazard_in_residential_area").evidence
            if evidence.kind == "hazard" and evidence.ref
        }
    )
    pool = candidates or [hazards.ids[row] for row in hazards.active_rows.tolist()]
    hazard_id = rng.choice(pool)
    old = hazards.polygons[hazards.index[hazard_id]]
    lat = shapely.centroid(old).y
    new = shapely.affinity.translate(old, xoff=250 / (METRES_PER_DEGREE * math.cos(math.radians(lat))))
    return hazard_id, old, new


def _timed(function: Callable[[], object]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def run(scale: str, repetitions: int, seed: int) -> dict[str, Any]:
    """Build the data, time ours and the peer alternately, check agreement, and return the result object."""
    start = time.perf_counter()
    places, areas = demo_settlements_and_hazards(scale)
    inputs = build_inputs(places, areas, seed)
    frames = peer_frames(inputs)
    build_s = time.perf_counter() - start

    utm = frames.settlements.estimate_utm_crs()
    if not utm.equals(inputs.settlements.crs):
        raise RuntimeError(f"the peer's UTM zone {utm} is not the engine's {inputs.settlements.crs}")

    def ours() -> object:
        return ours_full(fresh(inputs))

    def ours_bare() -> object:
        return ours_full(fresh(inputs), evidence=False)

    def ours_digests() -> object:
        start = fresh(inputs)
        return ours_full(start).digests(start.criteria.digest)

    def ours_read() -> object:
        return ours_full(fresh(inputs)).materialise()

    def peer() -> object:
        return peer_statuses(frames, inputs.criteria, TODAY, utm)

    hazard_id, old, new = _edit(inputs, seed)

    def incremental() -> list[Readiness]:
        start = fresh(inputs)
        edited = with_hazard_geometry(start.hazards, hazard_id, new)
        affected = affected_by_hazards(start.settlements, [old, new], start.criteria, projects=start.projects)
        return evaluate(
            start.settlements,
            edited,
            start.services,
            start.housing,
            start.projects,
            start.criteria,
            today=TODAY,
            only=affected,
        )

    full_times: list[float] = []
    bare_times: list[float] = []
    digest_times: list[float] = []
    read_times: list[float] = []
    peer_times: list[float] = []
    incremental_times: list[float] = []
    timed = [
        (ours, full_times),
        (peer, peer_times),
        (ours_bare, bare_times),
        (ours_digests, digest_times),
        (ours_read, read_times),
        (incremental, incremental_times),
    ]
    for function, _ in timed:
        function()
    for repetition in range(repetitions):
        for function, times in timed if repetition % 2 == 0 else timed[::-1]:
            times.append(_timed(function))

    results = ours_full(inputs).materialise()
    our_statuses = np.array([result.status.value for result in results])
    their_statuses = peer_statuses(frames, inputs.criteria, TODAY, utm)
    disagreements = np.flatnonzero(our_statuses != their_statuses)

    after = dataclasses.replace(inputs, hazards=with_hazard_geometry(inputs.hazards, hazard_id, new))
    full_after = ours_full(after).materialise()
    partial = incremental()
    affected = affected_by_hazards(inputs.settlements, [old, new], inputs.criteria, projects=inputs.projects)
    incremental_matches = partial == [full_after[row] for row in affected]
    changed = {row for row, (a, b) in enumerate(zip(results, full_after, strict=True)) if a != b}
    changes_outside = sorted(changed - set(affected))

    full_s = statistics.median(full_times)
    bare_s = statistics.median(bare_times)
    peer_s = statistics.median(peer_times)
    bare = ours_full(fresh(inputs), evidence=False).materialise()
    same_without_evidence = all(
        (a.status, a.score, a.earliest_ready, [c.expected_date for c in a.criteria])
        == (b.status, b.score, b.earliest_ready, [c.expected_date for c in b.criteria])
        for a, b in zip(results, bare, strict=True)
    )
    counts = Counter(our_statuses.tolist())
    criteria_counts = Counter(
        (criterion.key, criterion.outcome.value) for result in results for criterion in result.criteria
    )
    return {
        "bench": BENCH,
        "data": {
            "scale": scale,
            "settlements": len(inputs.settlements),
            "towns_with_polygons": inputs.towns,
            "hazardous_areas": len(inputs.hazards),
            "active_hazardous_areas": len(inputs.hazards.active_rows),
            "service_records": len(inputs.services.ids),
            "facilities": len(inputs.services.facilities.ids),
            "housing_records": len(inputs.housing.ids),
            "projects": len(inputs.projects),
            "criteria": len(inputs.criteria.criteria),
            "today": TODAY.isoformat(),
            "repetitions": repetitions,
            "seed": seed,
            "build_s": build_s,
        },
        "ours": {
            "full_s": full_s,
            "full_without_evidence_s": bare_s,
            "full_with_input_digests_s": statistics.median(digest_times),
            "full_with_every_record_read_s": statistics.median(read_times),
            "without_evidence_same_answers": same_without_evidence,
            "incremental_s": statistics.median(incremental_times),
            "incremental_affected_settlements": len(affected),
            "incremental_matches_full": bool(incremental_matches),
            "changes_outside_affected": len(changes_outside),
            "statuses": dict(sorted(counts.items())),
            "with_earliest_ready_date": sum(result.earliest_ready is not None for result in results),
            "criteria_outcomes": {f"{key}:{outcome}": n for (key, outcome), n in sorted(criteria_counts.items())},
        },
        "peers": {PEER: {"full_s": peer_s}},
        "ratios": {
            f"full_time_ours_over_{PEER}": full_s / peer_s,
            f"full_without_evidence_time_ours_over_{PEER}": bare_s / peer_s,
            f"full_with_input_digests_time_ours_over_{PEER}": statistics.median(digest_times) / peer_s,
            f"full_with_every_record_read_time_ours_over_{PEER}": statistics.median(read_times) / peer_s,
        },
        "agreement": 1.0 - len(disagreements) / max(1, len(results)),
        "disagreements": len(disagreements),
        "disagreeing_settlements": [inputs.settlements.ids[row] for row in disagreements[:10].tolist()],
    }


def _table(result: dict[str, Any]) -> str:
    data, ours, peer = result["data"], result["ours"], result["peers"][PEER]
    ratios = result["ratios"]
    rows = [
        ("full recomputation, with evidence", f"{ours['full_s']:.3f} s", f"{peer['full_s']:.3f} s", "<= 3 s"),
        ("  ratio ours / peer", f"{ratios[f'full_time_ours_over_{PEER}']:.2f}", "", "<= 0.5"),
        ("  + every settlement's input digest", f"{ours['full_with_input_digests_s']:.3f} s", "", ""),
        ("  ratio ours / peer", f"{ratios[f'full_with_input_digests_time_ours_over_{PEER}']:.2f}", "", ""),
        ("  + every settlement's record built", f"{ours['full_with_every_record_read_s']:.3f} s", "", ""),
        ("  ratio ours / peer", f"{ratios[f'full_with_every_record_read_time_ours_over_{PEER}']:.2f}", "", ""),
        (
            "full recomputation, evidence=False",
            f"{ours['full_without_evidence_s']:.3f} s",
            f"{peer['full_s']:.3f} s",
            "",
        ),
        ("  ratio ours / peer", f"{ratios[f'full_without_evidence_time_ours_over_{PEER}']:.2f}", "", "<= 0.5"),
        (
            f"incremental (1 area edited, {ours['incremental_affected_settlements']} settlements)",
            f"{ours['incremental_s'] * 1e3:.1f} ms",
            "-",
            "<= 100 ms",
        ),
        ("statuses that disagree", str(result["disagreements"]), "", "0"),
    ]
    header = ("figure", "ours", PEER, "goal")
    widths = [max(len(row[column]) for row in [header, *rows]) for column in range(4)]
    lines = [
        f"readiness: {data['settlements']} settlements (scale {data['scale']}, {data['towns_with_polygons']} with "
        f"polygons), {data['hazardous_areas']} hazardous areas ({data['active_hazardous_areas']} active), "
        f"{data['service_records']} service records, {data['facilities']} facilities, {data['housing_records']} "
        f"housing records, {data['projects']} projects; {data['criteria']} default criteria on {data['today']}; "
        f"median of {data['repetitions']} repetitions (data built in {data['build_s']:.1f} s)",
    ]
    for row in [header, *rows]:
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    lines.append(
        "statuses: " + ", ".join(f"{status} {count}" for status, count in ours["statuses"].items())
        + f"; {ours['with_earliest_ready_date']} with an earliest-ready date"
    )  # fmt: skip
    lines.append(
        f"incremental equals full run on the edited data: {ours['incremental_matches_full']}; "
        f"settlements changed outside the affected ones: {ours['changes_outside_affected']}"
    )

    def verdict(ok: bool) -> str:
        return "met" if ok else "NOT met"

    lines.append(
        f"without evidence: same statuses, scores and dates as with it: {ours['without_evidence_same_answers']}"
    )
    lines.append(
        f"goals: full <= 3 s {verdict(ours['full_s'] <= GOAL_FULL_S)}; <= 0.5 x peer with evidence "
        f"{verdict(ratios[f'full_time_ours_over_{PEER}'] <= GOAL_FULL_RATIO)}, without evidence "
        f"{verdict(ratios[f'full_without_evidence_time_ours_over_{PEER}'] <= GOAL_FULL_RATIO)}; incremental <= 100 ms "
        f"{'met' if ours['incremental_s'] <= GOAL_INCREMENTAL_S else 'NOT met'}; statuses agree "
        f"{'yes' if result['disagreements'] == 0 else 'NO: ' + ', '.join(result['disagreeing_settlements'])}"
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.readiness", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="district scale, 3 repetitions")
    parser.add_argument("--scale", help="demo scale: small, district or national (default national, quick district)")
    parser.add_argument("--repetitions", type=int, help="timed repetitions (default 7, quick 3)")
    parser.add_argument("--seed", type=int, default=20261124)
    args = parser.parse_args(argv)
    scale = args.scale or ("district" if args.quick else "national")
    repetitions = args.repetitions or (3 if args.quick else 7)
    data_dir = _setup_django()
    try:
        result = run(scale, repetitions, args.seed)
    finally:
        data_dir.cleanup()
    print(_table(result))
    print(json.dumps(result))
    ours = result["ours"]
    consistent = (
        ours["incremental_matches_full"]
        and not ours["changes_outside_affected"]
        and ours["without_evidence_same_answers"]
    )
    return 0 if result["disagreements"] == 0 and consistent else 1


if __name__ == "__main__":
    sys.exit(main())
