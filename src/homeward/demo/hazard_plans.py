"""Invented hazardous areas around demo settlements, and the land release that followed, the same on every run.

Area *k* of a settlement, and everything that happened to it, comes from its own random
stream, so it is identical at every scale; a larger scale only gives a settlement more areas.
Released area follows the rules of :mod:`homeward.mineaction.services`: remaining is
``max(0, area - released)``, an area with any activity is under way, and one with no more than
``RELEASE_TOLERANCE`` of it left is released. Every date is on or before ``DATA_UNTIL``, fixed so
that the data does not depend on the day it is loaded.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from homeward.demo.hazard_shapes import Outline, centre_near, draw_shape, outline_at
from homeward.demo.keys import demo_uuid
from homeward.demo.places import Settlement
from homeward.demo.villages import SYNTHETIC_CODE_PREFIX
from homeward.mineaction.choices import DeviceCondition, EOType, HazardClassification, HazardStatus, ReleaseMethod
from homeward.mineaction.services import RELEASE_TOLERANCE

AREA_ID_PREFIX = "SYN-HA-"
ACTIVITY_ID_PREFIX = "SYN-LR-"
DATA_UNTIL = dt.date(2026, 10, 31)
RELEASE_FROM = dt.date(2021, 1, 11)
# (first day, last day, weight): most areas were recorded in the surveys right after the conflict.
RECORDED_PERIODS = (
    (dt.date(2020, 12, 1), dt.date(2020, 12, 31), 5),
    (dt.date(2021, 1, 1), dt.date(2021, 12, 31), 35),
    (dt.date(2022, 1, 1), dt.date(2022, 12, 31), 25),
    (dt.date(2023, 1, 1), dt.date(2023, 12, 31), 15),
    (dt.date(2024, 1, 1), dt.date(2024, 12, 31), 12),
    (dt.date(2025, 1, 1), dt.date(2025, 12, 31), 8),
)
CHA_SHARE = 0.4
OVERLAPPING_SHARE = 0.08
RELEASE_STARTED_SHARE = 0.6
# Towns were front lines and road junctions: they get twice a village's share of areas.
TOWN_WEIGHT = 2.0
EO_TYPE_WEIGHTS = (
    (EOType.AP_MINE, 35.0),
    (EOType.AT_MINE, 25.0),
    (EOType.UXO, 25.0),
    (EOType.CLUSTER, 12.0),
    (EOType.AXO, 6.0),
    (EOType.IED, 1.5),
)
# Invented organisations, named so that no one takes them for real ones.
SURVEY_TEAM = "Demo Survey Team"
RECORDING_ORGANISATIONS = (SURVEY_TEAM, "Demo Mine Action Centre")
CLEARANCE_ORGANISATIONS = ("Demo Demining Agency", "Demo Clearance Company", "Demo Battle Area Clearance Team")
# Per EO type: (model, shallowest and deepest depth in cm).
DEVICE_MODELS: dict[str, tuple[tuple[str, int, int], ...]] = {
    EOType.AP_MINE: (
        ("PMN-2", 0, 10),
        ("PMN-4", 0, 10),
        ("PMN", 0, 10),
        ("OZM-72", 0, 20),
        ("POMZ-2M", 0, 0),
        ("MON-50", 0, 0),
        ("PFM-1", 0, 3),
    ),
    EOType.AT_MINE: (("TM-62M", 5, 30), ("TM-62P3", 5, 30), ("TM-57", 5, 30), ("TM-83", 0, 0)),
    EOType.UXO: (
        ("122 mm projectile", 0, 80),
        ("152 mm projectile", 0, 100),
        ("82 mm mortar bomb", 0, 40),
        ("120 mm mortar bomb", 0, 60),
        ("PG-7 rocket", 0, 20),
        ("VOG-17 grenade", 0, 10),
    ),
    EOType.CLUSTER: (
        ("ShOAB-0.5 submunition", 0, 15),
        ("9N210 submunition", 0, 15),
        ("9N235 submunition", 0, 15),
        ("M095 DPICM submunition", 0, 10),
    ),
    EOType.AXO: (
        ("F-1 hand grenade", 0, 0),
        ("RGD-5 hand grenade", 0, 0),
        ("OG-7 round", 0, 0),
        ("125 mm tank round", 0, 0),
    ),
    EOType.IED: (("victim-operated IED", 0, 20),),
}
CONDITIONS = (DeviceCondition.FUZED, DeviceCondition.UNFUZED, DeviceCondition.DAMAGED, DeviceCondition.UNKNOWN)
CONDITION_WEIGHTS: dict[str, tuple[int, int, int, int]] = {
    EOType.AP_MINE: (70, 10, 12, 8),
    EOType.AT_MINE: (70, 10, 12, 8),
    EOType.UXO: (50, 5, 30, 15),
    EOType.CLUSTER: (55, 0, 30, 15),
    EOType.AXO: (10, 60, 20, 10),
    EOType.IED: (60, 10, 20, 10),
}
# Square metres released per device found, for the types found by the area rather than one by one.
M2_PER_DEVICE: dict[str, tuple[int, int]] = {
    EOType.AP_MINE: (400, 15_000),
    EOType.AT_MINE: (1_500, 30_000),
    EOType.CLUSTER: (1_500, 25_000),
}


@dataclass(frozen=True)
class Site:
    """A settlement with what the areas around it need: where it is and what it is called."""

    settlement: Settlement
    name: str
    longitude: float
    latitude: float

    @property
    def is_town(self) -> bool:
        return not self.settlement.code.startswith(SYNTHETIC_CODE_PREFIX)


@dataclass(frozen=True)
class PlannedArea:
    external_id: str
    site: Site
    classification: str
    eo_types: tuple[str, ...]
    recorded_on: dt.date
    organisation: str
    name: str
    outline: Outline

    @property
    def id(self) -> uuid.UUID:
        return demo_uuid("hazardousarea", self.external_id)


@dataclass(frozen=True)
class PlannedDevice:
    eo_type: str
    model: str
    depth_cm: int
    condition: str
    quantity_found: int
    quantity_destroyed: int


@dataclass(frozen=True)
class PlannedActivity:
    external_id: str
    method: str
    organisation: str
    started_on: dt.date
    completed_on: dt.date | None
    area_cancelled_m2: float
    area_reduced_m2: float
    area_cleared_m2: float
    beneficiaries: tuple[int, int, int, int]  # women, men, girls, boys
    devices: tuple[PlannedDevice, ...]

    @property
    def id(self) -> uuid.UUID:
        return demo_uuid("landrelease", self.external_id)

    @property
    def released_m2(self) -> float:
        return self.area_cancelled_m2 + self.area_reduced_m2 + self.area_cleared_m2


@dataclass(frozen=True)
class PlannedState:
    """One period of an area's history; ``activity`` is the index of the activity that began it."""

    valid_from: dt.date
    status: str
    remaining_m2: float
    activity: int | None


@dataclass(frozen=True)
class Release:
    """An area's land release: its activities, its history, and the figures they leave it with."""

    activities: tuple[PlannedActivity, ...]
    states: tuple[PlannedState, ...]
    released_m2: float
    remaining_m2: float
    status: str
    status_changed_on: dt.date | None


def hazard_count(seed: str, settlement: Settlement, per_settlement: float) -> int:
    """How many areas ``settlement`` has when each has ``per_settlement`` on average.

    Grows with ``per_settlement`` and never shrinks, so a larger scale keeps a smaller one's areas.
    """
    rng = random.Random(f"{seed}:weight:{settlement.code}")
    weight = rng.lognormvariate(-0.125, 0.5)
    if not settlement.code.startswith(SYNTHETIC_CODE_PREFIX):
        weight *= TOWN_WEIGHT
    return math.floor(per_settlement * weight + rng.random())


def _day_between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randint(0, (last - first).days))


def _eo_types(rng: random.Random) -> tuple[str, ...]:
    wanted = rng.choices((1, 2, 3), weights=(55, 35, 10))[0]
    chosen: list[str] = []
    while len(chosen) < wanted:
        kinds = [kind for kind, _ in EO_TYPE_WEIGHTS if kind not in chosen]
        weights = [weight for kind, weight in EO_TYPE_WEIGHTS if kind not in chosen]
        chosen.append(rng.choices(kinds, weights=weights)[0])
    return tuple(sorted(str(kind) for kind in chosen))


def plan_area(seed: str, site: Site, index: int) -> PlannedArea:
    """Area number ``index`` (from 1) near ``site``: SHAs are larger than CHAs, strips are long."""
    code = site.settlement.code
    rng = random.Random(f"{seed}:area:{code}:{index}")
    confirmed = rng.random() < CHA_SHARE
    classification = HazardClassification.CHA if confirmed else HazardClassification.SHA
    eo_types = _eo_types(rng)
    size = 10 ** (rng.triangular(3.4, 5.7, 4.3) if confirmed else rng.triangular(4.0, 6.3, 4.8))
    strip = size < 60_000 and rng.random() < 0.35
    aspect = rng.uniform(3.0, 8.0) if strip else rng.uniform(1.0, 2.0)
    turn = rng.uniform(0.0, math.pi)
    overlapping = not strip and rng.random() < OVERLAPPING_SHARE
    first, last, _ = rng.choices(RECORDED_PERIODS, weights=[weight for *_, weight in RECORDED_PERIODS])[0]
    recorded_on = _day_between(rng, first, last)
    organisation = rng.choice(RECORDING_ORGANISATIONS)
    shape = draw_shape(rng, size, aspect=aspect, turn=turn)
    lon, lat = centre_near(rng, site.longitude, site.latitude, shape.reach_m, overlapping=overlapping)
    return PlannedArea(
        external_id=f"{AREA_ID_PREFIX}{code}-{index:02d}",
        site=site,
        classification=classification,
        eo_types=eo_types,
        recorded_on=recorded_on,
        organisation=organisation,
        name=f"{site.name} {classification.upper()} {index}",
        outline=outline_at(shape, lon, lat),
    )


def plan_areas(seed: str, sites: Sequence[Site], per_settlement: float) -> list[PlannedArea]:
    """Every area of ``sites``, settlement by settlement, in a fixed order."""
    return [
        plan_area(seed, site, index)
        for site in sites
        for index in range(1, hazard_count(seed, site.settlement, per_settlement) + 1)
    ]


def _steps(rng: random.Random, area: PlannedArea, area_m2: float) -> list[tuple[str, float]]:
    """The methods an area's release goes through, each with the share of what is left it releases."""
    steps: list[tuple[str, float]] = []
    if area.classification == HazardClassification.SHA:
        if rng.random() < 0.2:
            return [(ReleaseMethod.NON_TECHNICAL_SURVEY, 1.0)]
        steps.append((ReleaseMethod.NON_TECHNICAL_SURVEY, rng.uniform(0.2, 0.75)))
        if rng.random() < 0.6:
            steps.append((ReleaseMethod.TECHNICAL_SURVEY, rng.uniform(0.2, 0.6)))
    elif rng.random() < 0.5:
        steps.append((ReleaseMethod.TECHNICAL_SURVEY, rng.uniform(0.1, 0.45)))
    left = area_m2 * math.prod(1 - share for _, share in steps)
    phases = 1 + (left > 40_000) + (left > 250_000) + (left > 1_000_000)
    steps.extend((ReleaseMethod.CLEARANCE, 1 / (phases - phase)) for phase in range(phases))
    return steps


def _duration(rng: random.Random, method: str, amount: float) -> int:
    if method == ReleaseMethod.NON_TECHNICAL_SURVEY:
        return rng.randint(1, 12)
    if method == ReleaseMethod.TECHNICAL_SURVEY:
        return min(180, max(3, round(amount / rng.uniform(1_500, 5_000))))
    return min(900, max(5, round(amount / rng.uniform(250, 1_200))))


def _devices(rng: random.Random, area: PlannedArea, method: str, amount: float) -> tuple[PlannedDevice, ...]:
    if method == ReleaseMethod.NON_TECHNICAL_SURVEY or amount <= 0:
        return ()
    chance = 0.8 if method == ReleaseMethod.CLEARANCE else 0.5
    sampling = 1 if method == ReleaseMethod.CLEARANCE else 4
    devices = []
    for eo_type in area.eo_types:
        if rng.random() >= chance:
            continue
        models = DEVICE_MODELS[eo_type]
        for model, shallowest, deepest in rng.sample(models, k=min(len(models), rng.randint(1, 2))):
            if eo_type in M2_PER_DEVICE:
                low, high = M2_PER_DEVICE[eo_type]
                found = min(5_000, round(amount / rng.uniform(low, high) / sampling))
            else:
                found = rng.randint(1, 12) if eo_type != EOType.IED else 1
            if found <= 0:
                continue
            destroyed = found if rng.random() < 0.9 else found - rng.randint(0, min(found, 3))
            condition = rng.choices(CONDITIONS, weights=CONDITION_WEIGHTS[eo_type])[0]
            devices.append(PlannedDevice(eo_type, model, rng.randint(shallowest, deepest), condition, found, destroyed))
    return tuple(devices)


def _beneficiaries(rng: random.Random, population: int, method: str) -> tuple[int, int, int, int]:
    share = rng.uniform(0.02, 0.2) * (0.4 if method == ReleaseMethod.NON_TECHNICAL_SURVEY else 1.0)
    total = round(max(population, 40) * share)
    adults = round(total * rng.uniform(0.55, 0.7))
    women = round(adults * rng.uniform(0.45, 0.55))
    girls = round((total - adults) * rng.uniform(0.42, 0.54))
    return women, adults - women, girls, total - adults - girls


def plan_release(seed: str, area: PlannedArea, area_m2: float) -> Release:
    """What was released of ``area`` (measured at ``area_m2``) up to ``DATA_UNTIL``, and its history.

    Areas whose release has not begun stay active; each activity starts after the previous one
    ends; one still running on ``DATA_UNTIL`` has no completion date and counts what it has done so far.
    """
    rng = random.Random(f"{seed}:release:{area.external_id}")
    activities: list[PlannedActivity] = []
    if rng.random() < RELEASE_STARTED_SHARE:
        cursor = max(RELEASE_FROM, area.recorded_on + dt.timedelta(days=rng.randint(30, 1_200)))
        released = 0
        for number, (method, share) in enumerate(_steps(rng, area, area_m2), start=1):
            if cursor > DATA_UNTIL:
                break
            amount = math.floor(area_m2 - released) if share >= 1 else math.floor((area_m2 - released) * share)
            days = _duration(rng, method, amount)
            ends = cursor + dt.timedelta(days=days)
            completed = ends if ends <= DATA_UNTIL else None
            if completed is None:
                # Still running: surveys report at the end, clearance counts what it has done so far.
                done = (DATA_UNTIL - cursor).days / days
                amount = math.floor(amount * done) if method == ReleaseMethod.CLEARANCE else 0
            organisation = (
                SURVEY_TEAM if method == ReleaseMethod.NON_TECHNICAL_SURVEY else rng.choice(CLEARANCE_ORGANISATIONS)
            )
            people = (
                _beneficiaries(rng, area.site.settlement.population, method) if completed and amount else (0, 0, 0, 0)
            )
            activities.append(
                PlannedActivity(
                    external_id=f"{ACTIVITY_ID_PREFIX}{area.external_id.removeprefix(AREA_ID_PREFIX)}-{number}",
                    method=method,
                    organisation=organisation,
                    started_on=cursor,
                    completed_on=completed,
                    area_cancelled_m2=float(amount) if method == ReleaseMethod.NON_TECHNICAL_SURVEY else 0.0,
                    area_reduced_m2=float(amount) if method == ReleaseMethod.TECHNICAL_SURVEY else 0.0,
                    area_cleared_m2=float(amount) if method == ReleaseMethod.CLEARANCE else 0.0,
                    beneficiaries=people,
                    devices=_devices(rng, area, method, amount),
                )
            )
            released += amount
            if completed is None:
                break
            cursor = completed + dt.timedelta(days=rng.randint(60, 900))
    return _history(area, area_m2, activities)


def _history(area: PlannedArea, area_m2: float, activities: Sequence[PlannedActivity]) -> Release:
    """The states the services would have appended as each activity was recorded."""
    states = [PlannedState(area.recorded_on, HazardStatus.ACTIVE, area_m2, None)]
    released, status, changed_on = 0.0, HazardStatus.ACTIVE, None
    for index, activity in enumerate(activities):
        now_released = released + activity.released_m2
        remaining = max(0.0, area_m2 - now_released)
        now_status = HazardStatus.RELEASED if remaining <= area_m2 * RELEASE_TOLERANCE else HazardStatus.IN_PROGRESS
        if (now_released, now_status) != (released, status):
            day = activity.completed_on or activity.started_on
            states.append(PlannedState(day, now_status, remaining, index))
            if now_status != status:
                changed_on = day
        released, status = now_released, now_status
    return Release(
        activities=tuple(activities),
        states=tuple(states),
        released_m2=released,
        remaining_m2=max(0.0, area_m2 - released),
        status=status,
        status_changed_on=changed_on,
    )
