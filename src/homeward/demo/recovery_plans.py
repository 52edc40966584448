"""Invented services, housing and reconstruction projects of the demo settlements, the same on every run.

Everything about a settlement (its survey, which facilities it has, its housing, its projects)
comes from random streams of its own, and its only neighbour is a town or an earlier village of
its district, so a settlement's plan is identical at every scale. What is planned obeys the
rules of :mod:`homeward.recovery.services`: a completed project has actual dates and leaves a
``working`` observation (or habitable units) dated on its actual end, with the project set; no
later survey contradicts it; habitable and damaged units never exceed the total. Every date is
on or before ``DATA_UNTIL``.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from homeward.demo.hazard_plans import DATA_UNTIL
from homeward.demo.hazard_shapes import COORDINATE_DECIMALS, metres_to_degrees
from homeward.demo.keys import demo_uuid
from homeward.demo.places import Settlement
from homeward.demo.villages import KM_PER_DEGREE, SYNTHETIC_CODE_PREFIX
from homeward.recovery.choices import HOUSING, ProjectStatus, Sector, ServiceKind, ServiceStatus

PROJECT_ID_PREFIX = "SYN-PRJ-"
# Projects per settlement on average, at every scale (a settlement's projects do not depend on
# the scale); towns count three times. The national scale needs 10,000 of them.
PROJECTS_PER_SETTLEMENT = 2.1
TOWN_WEIGHT = 3.0
SURVEY_SOURCE = "Demo survey 2024"
SURVEY_PERIOD = (dt.date(2024, 3, 1), dt.date(2024, 10, 31))
BASELINE_SOURCE = "Demo rapid assessment 2021"
BASELINE_PERIOD = (dt.date(2021, 3, 1), dt.date(2021, 11, 30))
BASELINE_SHARE = 0.45
LATEST_PLANNED_END = dt.date(2028, 12, 20)
ALWAYS_PRESENT = (
    ServiceKind.WATER,
    ServiceKind.ELECTRICITY,
    ServiceKind.GAS,
    ServiceKind.HEATING,
    ServiceKind.ROAD_ACCESS,
    ServiceKind.MOBILE_COVERAGE,
)
# Share of villages with each facility; every town has all of them.
FACILITY_SHARE: dict[str, float] = {
    ServiceKind.SCHOOL: 0.25,
    ServiceKind.KINDERGARTEN: 0.2,
    ServiceKind.HEALTH_POST: 0.15,
}
# How likely each service works in a village where recovery has come furthest and no hazard is near.
WORKING_PROPENSITY: dict[str, float] = {
    ServiceKind.MOBILE_COVERAGE: 0.8,
    ServiceKind.ROAD_ACCESS: 0.6,
    ServiceKind.ELECTRICITY: 0.55,
    ServiceKind.WATER: 0.45,
    ServiceKind.SCHOOL: 0.5,
    ServiceKind.KINDERGARTEN: 0.4,
    ServiceKind.HEALTH_POST: 0.5,
    ServiceKind.GAS: 0.3,
    ServiceKind.HEATING: 0.25,
}
BROKEN = frozenset({ServiceStatus.NOT_WORKING, ServiceStatus.PARTIAL})
# Years projects were planned to start in, with weights: about 30 % are complete by DATA_UNTIL.
START_YEARS = ((2022, 5), (2023, 8), (2024, 13), (2025, 24), (2026, 30), (2027, 20))
CANCELLED_SHARE = 0.025
SUSPENDED_SHARE = 0.035
OVER_BUDGET_SHARE = 0.08
MILESTONES = (
    ("Design approved", 0.05),
    ("Contractor selected", 0.15),
    ("Works started", 0.25),
    ("Main works completed", 0.8),
    ("Handed over", 1.0),
)
# (funder, currency, weight); agencies funded by donors draw from the last two only.
FUNDERS = (
    ("Demo State Budget", "AZN", 62),
    ("Demo Reconstruction Fund", "AZN", 14),
    ("Demo Development Bank", "USD", 12),
    ("Demo European Grant Facility", "EUR", 7),
    ("Demo Humanitarian Pooled Fund", "USD", 5),
)
DONOR_FUNDERS = FUNDERS[-2:]
AZN_PER_UNIT = {"AZN": 1.0, "USD": 1.7, "EUR": 1.85}
SITE_OPTIONS = 6
# Share of sited projects whose site was chosen without regard to hazardous areas nearby;
# planners choose released ground for the others where they can.
NATURAL_SITE_SHARE = 0.15
Ring = tuple[tuple[float, float], ...]  # closed, in WGS 84


@dataclass(frozen=True)
class AgencyHabit:
    """How an agency's projects tend to end: days after the planned end on average, and spread."""

    mean_days: float
    spread_days: float
    donor_funded: bool = False


# Invented implementing agencies (the region file names them), each with a consistent habit.
AGENCY_HABITS = {
    "demo-water-utility": AgencyHabit(75, 60),
    "demo-energy-company": AgencyHabit(30, 45),
    "demo-roads-agency": AgencyHabit(160, 90),
    "demo-school-builder": AgencyHabit(20, 40),
    "demo-health-works": AgencyHabit(-10, 30),
    "demo-telecom": AgencyHabit(-25, 20),
    "demo-housing-fund": AgencyHabit(100, 70),
    "demo-shelter-ngo": AgencyHabit(-15, 35, donor_funded=True),
    "demo-reconstruction": AgencyHabit(60, 60),
    "demo-partner-ngo": AgencyHabit(5, 30, donor_funded=True),
}


@dataclass(frozen=True)
class Work:
    """A kind of project: what it restores, who does it, what it costs (AZN) and where it is built."""

    key: str
    sector: str
    kind: str
    title: str
    weight: float
    agencies: tuple[tuple[str, int], ...]
    budget_azn: tuple[float, float]
    months: tuple[int, int]
    site_share: float
    site_side_m: tuple[float, float]
    site_distance_m: tuple[float, float]
    spans_neighbour: bool = False


WORKS = (
    Work(
        "water", Sector.WATER, ServiceKind.WATER, "Water supply rehabilitation", 15,
        (("demo-water-utility", 80), ("demo-shelter-ngo", 20)), (200_000, 4_000_000), (8, 24),
        0.6, (40, 200), (100, 1_500), spans_neighbour=True,
    ),
    Work(
        "electricity", Sector.ENERGY, ServiceKind.ELECTRICITY, "Power line and substation repair", 9,
        (("demo-energy-company", 100),), (150_000, 6_000_000), (6, 24), 0.6, (30, 120), (100, 1_200),
        spans_neighbour=True,
    ),
    Work(
        "gas", Sector.ENERGY, ServiceKind.GAS, "Gas network restoration", 6,
        (("demo-energy-company", 100),), (100_000, 3_000_000), (6, 20), 0.5, (30, 100), (100, 1_200),
    ),
    Work(
        "heating", Sector.HEATING, ServiceKind.HEATING, "Heating plant repair", 6,
        (("demo-energy-company", 60), ("demo-shelter-ngo", 40)), (80_000, 1_500_000), (4, 14),
        0.6, (30, 80), (0, 600),
    ),
    Work(
        "roads", Sector.ROADS, ServiceKind.ROAD_ACCESS, "Road rehabilitation", 14,
        (("demo-roads-agency", 90), ("demo-reconstruction", 10)), (500_000, 25_000_000), (10, 36),
        0.4, (100, 400), (200, 2_000), spans_neighbour=True,
    ),
    Work(
        "school", Sector.EDUCATION, ServiceKind.SCHOOL, "School reconstruction", 6,
        (("demo-school-builder", 85), ("demo-partner-ngo", 15)), (400_000, 5_000_000), (10, 30),
        0.85, (50, 150), (0, 400),
    ),
    Work(
        "kindergarten", Sector.EDUCATION, ServiceKind.KINDERGARTEN, "Kindergarten reconstruction", 4,
        (("demo-school-builder", 80), ("demo-partner-ngo", 20)), (200_000, 2_000_000), (8, 20),
        0.85, (40, 100), (0, 400),
    ),
    Work(
        "health", Sector.HEALTH, ServiceKind.HEALTH_POST, "Health post reconstruction", 5,
        (("demo-health-works", 100),), (200_000, 2_500_000), (8, 20), 0.85, (30, 90), (0, 400),
    ),
    Work(
        "telecom", Sector.TELECOM, ServiceKind.MOBILE_COVERAGE, "Mobile mast installation", 3,
        (("demo-telecom", 100),), (100_000, 1_200_000), (3, 10), 0.8, (15, 40), (200, 1_500),
    ),
    Work(
        "housing", Sector.HOUSING, HOUSING, "Housing reconstruction", 14,
        (("demo-housing-fund", 70), ("demo-shelter-ngo", 20), ("demo-reconstruction", 10)),
        (35_000, 70_000), (10, 30), 0.8, (150, 500), (0, 600),
    ),
)  # fmt: skip
IMPLEMENTING_AGENCIES = tuple(sorted({code for work in WORKS for code, _ in work.agencies}))


@dataclass(frozen=True)
class RecoverySite:
    """A settlement with what its plan needs; ``exposure`` grows with the hazardous areas around it."""

    settlement: Settlement
    district_code: str
    name: str
    longitude: float | None
    latitude: float | None
    population: int
    households: int
    exposure: int
    neighbour: RecoverySite | None = None

    @property
    def is_town(self) -> bool:
        return not self.settlement.code.startswith(SYNTHETIC_CODE_PREFIX)


@dataclass(frozen=True)
class PlannedService:
    id: uuid.UUID
    settlement: Settlement
    kind: str
    status: str
    observed_on: dt.date
    source: str
    capacity: float | None
    capacity_unit: str
    project: str | None  # external id of the project that restored it


@dataclass(frozen=True)
class PlannedHousing:
    id: uuid.UUID
    settlement: Settlement
    units_total: int
    units_damaged: int
    units_habitable: int
    observed_on: dt.date
    source: str
    project: str | None


@dataclass(frozen=True)
class PlannedRestore:
    settlement: Settlement
    kind: str
    units: int = 0


@dataclass(frozen=True)
class PlannedProject:
    external_id: str
    title: str
    sector: str
    agency: str
    funder: str
    currency: str
    budget: Decimal
    spent: Decimal
    planned_start: dt.date
    planned_end: dt.date
    actual_start: dt.date | None
    actual_end: dt.date | None
    progress: int
    status: str
    district_id: uuid.UUID
    restores: tuple[PlannedRestore, ...]
    milestones: tuple[tuple[str, dt.date, dt.date | None], ...]
    # Squares the project could be built on, the first the natural choice; none for a project
    # without a site. One that avoids hazards is built on the first clear of open hazardous areas.
    site_options: tuple[Ring, ...]
    avoids_hazards: bool

    @property
    def id(self) -> uuid.UUID:
        return demo_uuid("project", self.external_id)

    @property
    def settlements(self) -> tuple[Settlement, ...]:
        return tuple(dict.fromkeys(restore.settlement for restore in self.restores))


@dataclass(frozen=True)
class SettlementPlan:
    services: tuple[PlannedService, ...]
    housing: tuple[PlannedHousing, ...]
    projects: tuple[PlannedProject, ...]


def project_count(seed: str, settlement: Settlement) -> int:
    """How many projects ``settlement`` has: ``PROJECTS_PER_SETTLEMENT`` on average, towns three times as many."""
    rng = random.Random(f"{seed}:projects:{settlement.code}")
    weight = rng.lognormvariate(-0.125, 0.5)
    if not settlement.code.startswith(SYNTHETIC_CODE_PREFIX):
        weight *= TOWN_WEIGHT
    return math.floor(PROJECTS_PER_SETTLEMENT * weight + rng.random())


def district_levels(seed: str, district_codes: Sequence[str]) -> dict[str, float]:
    """How far recovery has come in each district, from 0.15 to 0.85, spread evenly in a seeded order."""
    codes = sorted(district_codes)
    random.Random(f"{seed}:districts").shuffle(codes)
    last = max(1, len(codes) - 1)
    return {code: 0.15 + 0.7 * index / last for index, code in enumerate(codes)}


def with_neighbours(sites: Sequence[RecoverySite]) -> list[RecoverySite]:
    """``sites`` (towns first, then each district's villages in order), each village with its neighbour.

    A village's neighbour is the nearest town of its district or village before it there, so it
    exists at every scale that has the village.
    """
    result = list(sites)
    by_district: dict[str, list[int]] = {}
    for index, site in enumerate(sites):
        if site.longitude is not None and site.latitude is not None:
            by_district.setdefault(site.district_code, []).append(index)
    for members in by_district.values():
        lon = np.array([sites[i].longitude for i in members], dtype=np.float64)
        lat = np.array([sites[i].latitude for i in members], dtype=np.float64)
        x = lon * np.cos(np.radians(lat.mean())) * KM_PER_DEGREE
        y = lat * KM_PER_DEGREE
        distance = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])
        towns = np.array([sites[i].is_town for i in members])
        order = np.arange(len(members))
        # A village may lean on any town and on villages listed before it; towns lean on no one.
        allowed = towns[None, :] | (order[None, :] < order[:, None])
        allowed &= ~towns[:, None] & (order[None, :] != order[:, None])
        distance = np.where(allowed, distance, np.inf)
        nearest = distance.argmin(axis=1)
        for row, index in enumerate(members):
            if np.isfinite(distance[row, nearest[row]]):
                result[index] = _replace_neighbour(sites[index], sites[members[nearest[row]]])
    return result


def _replace_neighbour(site: RecoverySite, neighbour: RecoverySite) -> RecoverySite:
    return RecoverySite(
        site.settlement,
        site.district_code,
        site.name,
        site.longitude,
        site.latitude,
        site.population,
        site.households,
        site.exposure,
        neighbour,
    )


def survey_day(seed: str, settlement: Settlement) -> dt.date:
    """When the 2024 survey visited ``settlement``."""
    return _day_between(random.Random(f"{seed}:survey:{settlement.code}"), *SURVEY_PERIOD)


def _day_between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randint(0, (last - first).days))


def _shifted(day: dt.date, fraction: float, until: dt.date) -> dt.date:
    return day + dt.timedelta(days=round((until - day).days * fraction))


def _survey_status(rng: random.Random, site: RecoverySite, kind: str, level: float) -> str:
    propensity = WORKING_PROPENSITY[kind]
    if site.is_town:
        working = min(0.97, max(0.5, 0.72 + 0.25 * propensity + 0.08 * level - 0.01 * site.exposure))
    else:
        working = min(0.9, max(0.02, propensity * (0.35 + 0.9 * level) / (1 + 0.45 * site.exposure)))
    draw = rng.random()
    if draw < working:
        return str(ServiceStatus.WORKING)
    rest = (draw - working) / (1 - working)
    if rest < 0.3:
        return str(ServiceStatus.PARTIAL)
    return str(ServiceStatus.UNKNOWN if rest < 0.34 else ServiceStatus.NOT_WORKING)


def _baseline_status(rng: random.Random, site: RecoverySite) -> str:
    statuses = (ServiceStatus.WORKING, ServiceStatus.PARTIAL, ServiceStatus.NOT_WORKING, ServiceStatus.UNKNOWN)
    weights = (10, 40, 45, 5) if site.is_town else (0, 5, 75, 20)
    return str(rng.choices(statuses, weights=weights)[0])


def _capacity(site: RecoverySite, kind: str, status: str) -> tuple[float | None, str]:
    if status not in (ServiceStatus.WORKING, ServiceStatus.PARTIAL):
        return None, ""
    share = 1.0 if status == ServiceStatus.WORKING else 0.4
    if kind == ServiceKind.WATER:
        return round(site.households * 0.6 * share, 1), "m³/day"
    if kind == ServiceKind.ELECTRICITY:
        return round(site.households * 1.5 * share, 1), "kW"
    if kind == ServiceKind.SCHOOL:
        return float(max(10, round(site.population * 0.14 * share))), "pupils"
    if kind == ServiceKind.KINDERGARTEN:
        return float(max(5, round(site.population * 0.05 * share))), "places"
    return None, ""


@dataclass(frozen=True)
class _Housing:
    total: int
    damaged: int
    habitable: int


def _baseline_housing(rng: random.Random, site: RecoverySite, level: float) -> _Housing:
    total = max(3, round(site.households * 1.1 * rng.uniform(0.95, 1.1)))
    if site.is_town:
        share = rng.uniform(0.2, 0.6) * (1.3 - 0.6 * level)
    else:
        share = rng.uniform(0.6, 0.95) + 0.02 * site.exposure - 0.2 * (level - 0.5)
    damaged = round(total * min(1.0, max(0.05, share)))
    habitable = round((total - damaged) * rng.uniform(0.5, 0.95))
    return _Housing(total, damaged, habitable)


def _timing(rng: random.Random, work: Work, habit: AgencyHabit) -> tuple[dt.date, dt.date, dt.date, dt.date]:
    """Planned start and end, and when the project starts and would end at its agency's habitual pace."""
    year = rng.choices([year for year, _ in START_YEARS], weights=[weight for _, weight in START_YEARS])[0]
    planned_start = _day_between(rng, dt.date(year, 1, 10), dt.date(year, 12, 15))
    months = rng.randint(*work.months)
    planned_end = min(LATEST_PLANNED_END, planned_start + dt.timedelta(days=round(months * 30.4)))
    start = planned_start + dt.timedelta(
        days=max(-10, round(rng.gauss(habit.mean_days * 0.3, habit.spread_days * 0.3)))
    )
    end = planned_end + dt.timedelta(days=round(rng.gauss(habit.mean_days, habit.spread_days)))
    return planned_start, planned_end, start, max(end, start + dt.timedelta(days=45))


def _money(amount: float) -> Decimal:
    return Decimal(round(amount, 2)).quantize(Decimal("0.01"))


def _site_options(rng: random.Random, site: RecoverySite, work: Work) -> tuple[Ring, ...]:
    """Where the project could be built: ``SITE_OPTIONS`` small squares near ``site``, or none if it has no site."""
    sited = rng.random() < work.site_share
    draws = [
        (rng.uniform(*work.site_side_m), rng.uniform(*work.site_distance_m), rng.uniform(0, 2 * math.pi))
        for _ in range(SITE_OPTIONS)
    ]
    if not sited or site.longitude is None or site.latitude is None:
        return ()
    return tuple(_square(site.longitude, site.latitude, *draw) for draw in draws)


def _square(longitude: float, latitude: float, side: float, distance: float, bearing: float) -> Ring:
    d_lon, d_lat = metres_to_degrees(latitude, distance * math.sin(bearing), distance * math.cos(bearing))
    lon, lat = longitude + d_lon, latitude + d_lat
    half_lon, half_lat = metres_to_degrees(lat, side / 2, side / 2)
    corners = ((-1, -1), (1, -1), (1, 1), (-1, 1), (-1, -1))
    return tuple(
        (round(lon + east * half_lon, COORDINATE_DECIMALS), round(lat + north * half_lat, COORDINATE_DECIMALS))
        for east, north in corners
    )


class _SettlementPlanner:
    """Plans one settlement: survey, facilities, housing, projects, in that order from one stream."""

    def __init__(self, seed: str, site: RecoverySite, level: float) -> None:
        self.seed, self.site, self.level = seed, site, level
        self.rng = random.Random(f"{seed}:settlement:{site.settlement.code}")
        self.surveyed_on = survey_day(seed, site.settlement)
        self.taken_days = {self.surveyed_on}

    def plan(self) -> SettlementPlan:
        rng, site = self.rng, self.site
        kinds = [str(kind) for kind in ALWAYS_PRESENT]
        kinds += [str(kind) for kind, share in FACILITY_SHARE.items() if rng.random() < share or site.is_town]
        surveyed = {kind: _survey_status(rng, site, kind, self.level) for kind in kinds}
        baseline = {kind: _baseline_status(rng, site) for kind in kinds if rng.random() < BASELINE_SHARE}
        baseline_on = _day_between(rng, *BASELINE_PERIOD)
        housing = _baseline_housing(rng, site, self.level)
        projects = self._projects(surveyed, housing)
        return SettlementPlan(
            services=tuple(self._services(kinds, surveyed, baseline, baseline_on, projects)),
            housing=tuple(self._housing(housing, baseline_on, projects)),
            projects=tuple(projects),
        )

    def _projects(self, surveyed: Mapping[str, str], housing: _Housing) -> list[PlannedProject]:
        claimed: set[str] = set()
        projects = []
        for number in range(1, project_count(self.seed, self.site.settlement) + 1):
            weights = []
            for work in WORKS:
                if work.kind == HOUSING:
                    weights.append(work.weight * (0.5 + 2 * housing.damaged / housing.total))
                elif work.kind not in surveyed or work.kind in claimed:
                    weights.append(0.0)
                else:
                    weights.append(work.weight * (2.0 if surveyed[work.kind] in BROKEN else 0.25))
            work = self.rng.choices(WORKS, weights=weights)[0]
            claimed.add(work.kind)
            projects.append(self._project(number, work, housing))
        return projects

    def _project(self, number: int, work: Work, housing: _Housing) -> PlannedProject:
        site = self.site
        external_id = f"{PROJECT_ID_PREFIX}{site.settlement.code}-{number:02d}"
        rng = random.Random(f"{self.seed}:project:{external_id}")
        agency = rng.choices([code for code, _ in work.agencies], weights=[weight for _, weight in work.agencies])[0]
        habit = AGENCY_HABITS[agency]
        funders = DONOR_FUNDERS if habit.donor_funded else FUNDERS
        funder, currency, _ = rng.choices(funders, weights=[weight for *_, weight in funders])[0]
        planned_start, planned_end, start, end = _timing(rng, work, habit)
        # No two of a settlement's records on one day: the latest must be plain to see.
        while end in self.taken_days:
            end += dt.timedelta(days=1)
        self.taken_days.add(end)
        fate = rng.random()
        status, stop = ProjectStatus.PLANNED, None
        if fate < CANCELLED_SHARE:
            status = ProjectStatus.CANCELLED
            stop = _shifted(start, rng.uniform(0.0, 0.3), end) if start <= DATA_UNTIL else None
        elif start > DATA_UNTIL:
            status = ProjectStatus.PLANNED
        elif fate < CANCELLED_SHARE + SUSPENDED_SHARE:
            status, stop = ProjectStatus.SUSPENDED, _shifted(start, rng.uniform(0.1, 0.7), min(end, DATA_UNTIL))
        elif end <= DATA_UNTIL:
            status, stop = ProjectStatus.COMPLETED, end
        else:
            status, stop = ProjectStatus.UNDER_WAY, DATA_UNTIL
        if stop is not None and stop > DATA_UNTIL:
            stop = DATA_UNTIL
        started = stop is not None
        progress = 0
        if stop is not None:
            progress = 100 if status == ProjectStatus.COMPLETED else self._progress(start, end, stop)
        units = 0
        if work.kind == HOUSING:
            units = max(1, round(max(housing.damaged, 4) * rng.uniform(0.1, 0.35)))
            low, high = (cost * units for cost in work.budget_azn)
        else:
            low, high = work.budget_azn
        budget = math.exp(rng.uniform(math.log(low), math.log(high))) / AZN_PER_UNIT[currency]
        budget = round(budget, -2) or 100.0
        spent = budget * self._spending(rng, status, progress)
        restores = [PlannedRestore(site.settlement, str(work.kind), units)]
        neighbour = site.neighbour
        if work.spans_neighbour and neighbour is not None and rng.random() < 0.3:
            restored_on = end if status == ProjectStatus.COMPLETED else None
            # The neighbour's survey must not come after what the project restored there.
            if restored_on is None or restored_on > survey_day(self.seed, neighbour.settlement):
                restores.append(PlannedRestore(neighbour.settlement, str(work.kind)))
        title = f"{work.title}, {site.name}"
        if len(restores) > 1 and neighbour is not None:
            title = f"{work.title}, {site.name} – {neighbour.name}"
        return PlannedProject(
            external_id=external_id,
            title=title,
            sector=str(work.sector),
            agency=agency,
            funder=funder,
            currency=currency,
            budget=_money(budget),
            spent=_money(spent),
            planned_start=planned_start,
            planned_end=planned_end,
            actual_start=start if started else None,
            actual_end=end if status == ProjectStatus.COMPLETED else None,
            progress=progress,
            status=str(status),
            district_id=site.settlement.district_id,
            restores=tuple(restores),
            milestones=self._milestones(rng, planned_start, planned_end, start, end, stop),
            site_options=_site_options(rng, site, work),
            avoids_hazards=rng.random() >= NATURAL_SITE_SHARE,
        )

    @staticmethod
    def _progress(start: dt.date, end: dt.date, stop: dt.date) -> int:
        return min(97, max(3, round(100 * (stop - start).days / max(1, (end - start).days))))

    @staticmethod
    def _spending(rng: random.Random, status: str, progress: int) -> float:
        """Spent as a share of the budget; a few projects overrun it."""
        if status == ProjectStatus.PLANNED:
            return 0.05 if rng.random() < 0.3 else 0.0
        overrun = rng.random() < (OVER_BUDGET_SHARE if status == ProjectStatus.COMPLETED else OVER_BUDGET_SHARE / 2)
        if overrun and progress >= 60:
            return rng.uniform(1.02, 1.35)
        done = progress / 100
        if status == ProjectStatus.COMPLETED:
            return rng.uniform(0.86, 1.0)
        if status == ProjectStatus.CANCELLED:
            return done * rng.uniform(0.5, 1.0)
        return min(1.0, done * rng.uniform(0.85, 1.2))

    @staticmethod
    def _milestones(
        rng: random.Random,
        planned_start: dt.date,
        planned_end: dt.date,
        start: dt.date,
        end: dt.date,
        stop: dt.date | None,
    ) -> tuple[tuple[str, dt.date, dt.date | None], ...]:
        chosen = sorted(rng.sample(range(len(MILESTONES)), rng.randint(1, 4)))
        milestones = []
        for index in chosen:
            title, fraction = MILESTONES[index]
            reached = _shifted(start, fraction, end)
            done = reached if stop is not None and reached <= stop else None
            milestones.append((title, _shifted(planned_start, fraction, planned_end), done))
        return tuple(milestones)

    def _services(
        self,
        kinds: Sequence[str],
        surveyed: Mapping[str, str],
        baseline: Mapping[str, str],
        baseline_on: dt.date,
        projects: Sequence[PlannedProject],
    ) -> list[PlannedService]:
        site, code = self.site, self.site.settlement.code
        completed_by_survey = {
            restore.kind
            for project in projects
            if project.actual_end is not None and project.actual_end <= self.surveyed_on
            for restore in project.restores
            if restore.settlement == site.settlement
        }
        services = []
        for kind in kinds:
            if kind in baseline:
                status = baseline[kind]
                capacity, unit = _capacity(site, kind, status)
                key = demo_uuid("serviceobservation", code, kind, "baseline")
                services.append(
                    PlannedService(
                        key, site.settlement, kind, status, baseline_on, BASELINE_SOURCE, capacity, unit, None
                    )
                )
            status = str(ServiceStatus.WORKING) if kind in completed_by_survey else surveyed[kind]
            capacity, unit = _capacity(site, kind, status)
            key = demo_uuid("serviceobservation", code, kind, "survey")
            services.append(
                PlannedService(
                    key, site.settlement, kind, status, self.surveyed_on, SURVEY_SOURCE, capacity, unit, None
                )
            )
        for project in projects:
            if project.actual_end is None:
                continue
            for restore in project.restores:
                if restore.kind == HOUSING:
                    continue
                restored = site if restore.settlement == site.settlement or site.neighbour is None else site.neighbour
                capacity, unit = _capacity(restored, restore.kind, ServiceStatus.WORKING)
                services.append(
                    PlannedService(
                        demo_uuid("serviceobservation", restore.settlement.code, restore.kind, project.external_id),
                        restore.settlement,
                        restore.kind,
                        str(ServiceStatus.WORKING),
                        project.actual_end,
                        f"completion of project {project.external_id}",
                        capacity,
                        unit,
                        project.external_id,
                    )
                )
        return services

    def _housing(
        self, state: _Housing, baseline_on: dt.date, projects: Sequence[PlannedProject]
    ) -> list[PlannedHousing]:
        """The housing history, replayed in date order as the services would have recorded it."""
        rng, site, code = self.rng, self.site, self.site.settlement.code
        records = []
        if rng.random() < BASELINE_SHARE:
            records.append(
                PlannedHousing(
                    demo_uuid("housingobservation", code, "baseline"),
                    site.settlement,
                    state.total,
                    state.damaged,
                    state.habitable,
                    baseline_on,
                    BASELINE_SOURCE,
                    None,
                )
            )
        repaired_share, settled_share = rng.uniform(0.0, 0.12) * (0.5 + self.level), rng.uniform(0.0, 0.5) * self.level
        events: list[tuple[dt.date, int, PlannedProject | None]] = [(self.surveyed_on, 0, None)]
        events += [
            (project.actual_end, 1, project)
            for project in projects
            if project.actual_end is not None and project.restores[0].kind == HOUSING
        ]
        total, damaged, habitable = state.total, state.damaged, state.habitable
        for day, _, project in sorted(events, key=lambda event: (event[0], event[1])):
            if project is None:
                repaired = round(damaged * repaired_share)
                damaged, habitable = damaged - repaired, habitable + repaired
                habitable += round((total - damaged - habitable) * settled_share)
                key, source, restored_by = demo_uuid("housingobservation", code, "survey"), SURVEY_SOURCE, None
            else:
                units = project.restores[0].units
                habitable, damaged = min(total, habitable + units), max(0, damaged - units)
                key = demo_uuid("housingobservation", code, project.external_id)
                source, restored_by = f"completion of project {project.external_id}", project.external_id
            records.append(PlannedHousing(key, site.settlement, total, damaged, habitable, day, source, restored_by))
        return records


def plan_settlement(seed: str, site: RecoverySite, level: float) -> SettlementPlan:
    """``site``'s observations and projects; ``level`` is how far recovery has come in its district."""
    return _SettlementPlanner(seed, site, level).plan()


def plan_recovery(seed: str, sites: Sequence[RecoverySite], levels: Mapping[str, float]) -> list[SettlementPlan]:
    """The plans of ``sites`` (with their neighbours set), in the order given."""
    return [plan_settlement(seed, site, levels[site.district_code]) for site in sites]
