"""Everything one evaluation needs, worked out once (vectorised) and shared by the criteria's evaluators."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import numpy.typing as npt
import shapely

from homeward.engines.readiness.columnwise import iso_dates, pick
from homeward.engines.readiness.criteria import CriteriaSet
from homeward.engines.readiness.facts import FactColumns
from homeward.engines.readiness.households import ExpectedHouseholds
from homeward.engines.readiness.inputs import (
    KIND_CODE,
    NO_DATE,
    SERVICE_KINDS,
    STATUS_CODE,
    DateArray,
    FloatArray,
    Hazards,
    Housing,
    IndexArray,
    Services,
    Settlements,
    date_array,
)
from homeward.engines.readiness.messages import ParamValue
from homeward.engines.readiness.projects import RESTORE_CODE, RESTORE_KINDS, Projects
from homeward.engines.readiness.reach import Reach
from homeward.engines.readiness.residential import hazard_pairs
from homeward.engines.readiness.roads import RoadNetwork
from homeward.engines.readiness.vocabulary import ServiceStatus

WORKING = STATUS_CODE[ServiceStatus.WORKING]
# datetime64 as int64: NaT is the smallest value; "no date" in a latest-of must sort last instead.
NEVER = np.iinfo(np.int64).max


def _last_of_groups(keys: npt.NDArray[np.int64], order_keys: tuple[npt.NDArray[np.int64], ...]) -> IndexArray:
    """Positions (into ``keys``) of the last element of each key group when sorted by ``order_keys``, by key."""
    found = _last_by_maximum(keys, order_keys)
    if found is not None:
        return found
    order = np.lexsort((np.arange(len(keys)), *order_keys, keys))
    ordered = keys[order]
    last = np.r_[ordered[1:] != ordered[:-1], True] if len(ordered) else np.empty(0, dtype=np.bool_)
    return order[last].astype(np.intp)


def _last_by_maximum(keys: npt.NDArray[np.int64], order_keys: tuple[npt.NDArray[np.int64], ...]) -> IndexArray | None:
    """:func:`_last_of_groups` without sorting, for small keys and at most one order key of a small span:
    the last of a group is its largest (order, position), found by ``np.maximum.at``. ``None`` otherwise."""
    count = len(keys)
    if not count or len(order_keys) > 1:
        return None
    low, high = int(keys.min()), int(keys.max())
    if low < 0 or high >= max(1 << 16, 8 * count):
        return None
    rank = np.zeros(count, dtype=np.int64)
    if order_keys:
        order = order_keys[0]
        # NaT (the smallest int64) ranks first, then the dates from the earliest on.
        smallest = order == np.iinfo(np.int64).min
        rest = order[~smallest]
        base = int(rest.min(initial=0))
        span = int(rest.max(initial=0)) - base + 2
        if span * count >= 1 << 62:
            return None
        rank[~smallest] = rest - base + 1
    value = rank * count + np.arange(count, dtype=np.int64)
    best = np.full(high + 1, -1, dtype=np.int64)
    np.maximum.at(best, keys, value)
    found: IndexArray = (best[best >= 0] % count).astype(np.intp)
    return found


def latest_of(dates: DateArray, groups: IndexArray, count: int) -> DateArray:
    """Per group 0..count-1, the latest of its ``dates``; ``NaT`` if any of them is ``NaT`` or it has none."""
    values = dates.astype(np.int64)
    values[np.isnat(dates)] = NEVER
    latest = np.full(count, np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(latest, groups, values)
    result = latest.astype("datetime64[D]")
    result[(latest == NEVER) | (latest == np.iinfo(np.int64).min)] = NO_DATE
    return result


class ServiceQuotes:
    """Evidence for service records: the record's kind, status and date, and its capacity as the value."""

    def __init__(self, services: Services) -> None:
        self._services = services

    def facts(self, positions: IndexArray, records: IndexArray) -> FactColumns:
        """The evidence of each record (a row of the services), at the settlement positions given."""
        services = self._services
        rows = records.tolist()
        return FactColumns(
            positions.astype(np.intp),
            "service",
            "service_status",
            pick(services.ids, rows),
            services.capacity[records],
            varying=(
                ("service", pick(services.kinds, rows)),
                ("status", pick(services.statuses, rows)),
                ("as_of", iso_dates(date_array(services.as_of)[records])),
            ),
        )


@dataclass(frozen=True)
class Paths:
    """Forecast paths: restores of forecastable projects, sorted by (settlement, kind), then expected end."""

    keys: npt.NDArray[np.int64]
    ends: DateArray
    projects: IndexArray
    units: FloatArray

    def first(self, rows: IndexArray, kind: int) -> IndexArray:
        """For each settlement row, the index of its earliest path restoring ``kind``; -1 where none."""
        wanted = rows.astype(np.int64) * RESTORE_KINDS + kind
        at = np.searchsorted(self.keys, wanted)
        found = at < len(self.keys)
        found[found] = self.keys[at[found]] == wanted[found]
        return np.where(found, at, -1).astype(np.intp)

    def ends_at(self, paths: IndexArray) -> DateArray:
        """The expected end of each path; ``NaT`` for -1 (no path)."""
        if not len(self.ends):
            return np.full(len(paths), NO_DATE, dtype="datetime64[D]")
        return np.where(paths >= 0, self.ends[np.maximum(paths, 0)], NO_DATE)

    def span(self, rows: IndexArray, kind: int) -> tuple[IndexArray, IndexArray]:
        """For each settlement row, the range ``[first, after)`` of its paths restoring ``kind``, earliest first."""
        wanted = rows.astype(np.int64) * RESTORE_KINDS + kind
        first = np.searchsorted(self.keys, wanted, "left").astype(np.intp)
        return first, np.searchsorted(self.keys, wanted, "right").astype(np.intp)


@dataclass
class Context:
    """The inputs, the settlement ``rows`` being evaluated (``position`` i is ``rows[i]``), and shared lookups."""

    settlements: Settlements
    hazards: Hazards
    services: Services
    housing: Housing
    projects: Projects
    criteria: CriteriaSet
    rows: IndexArray
    today: dt.date
    reach: Reach
    roads: RoadNetwork
    households: ExpectedHouseholds
    evidence: bool = True
    _hits: dict[float, tuple[IndexArray, IndexArray]] = field(default_factory=dict)

    def check_references(self) -> None:
        """Map every record to its settlement now, so that one naming an unknown settlement is refused
        (:class:`InputError`) whichever criteria happen to read it."""
        _ = (self.latest_service, self.latest_housing, self.paths)

    @cached_property
    def today64(self) -> np.datetime64:
        return np.datetime64(self.today, "D")

    @cached_property
    def quotes(self) -> ServiceQuotes:
        return ServiceQuotes(self.services)

    @cached_property
    def latest_service(self) -> IndexArray:
        """``[settlement row, kind]``: the service record that counts (latest ``as_of``), -1 where there is none.

        For every settlement, not only those evaluated: a neighbour's school counts for reach.
        """
        services = self.services
        found = np.full((len(self.settlements), len(SERVICE_KINDS)), -1, dtype=np.intp)
        if not len(services.ids):
            return found
        where = self.settlements.rows_of(services.settlement_ids, "services.settlement_ids")
        keys = where.astype(np.int64) * len(SERVICE_KINDS) + services.kind_codes
        # NaT is the smallest int64, so a record without a date never outranks a dated one.
        last = _last_of_groups(keys, (date_array(services.as_of).astype(np.int64),))
        found[where[last], services.kind_codes[last]] = last
        return found

    @cached_property
    def service_status(self) -> npt.NDArray[np.int8]:
        """``[settlement row, kind]``: status code of the record that counts; -1 where there is none."""
        records = self.latest_service
        if not len(self.services.ids):
            return np.full(records.shape, -1, dtype=np.int8)
        return np.where(records >= 0, self.services.status_codes[np.maximum(records, 0)], -1).astype(np.int8)

    def working(self, kind: str) -> IndexArray:
        """Rows of the settlements whose record of ``kind`` that counts says it works."""
        return np.flatnonzero(self.service_status[:, KIND_CODE[kind]] == WORKING).astype(np.intp)

    @cached_property
    def latest_housing(self) -> IndexArray:
        """Per position, the housing record that counts (the last given), -1 where there is none."""
        found = np.full(len(self.rows), -1, dtype=np.intp)
        if not len(self.housing.ids):
            return found
        position = np.full(len(self.settlements), -1, dtype=np.intp)
        position[self.rows] = np.arange(len(self.rows), dtype=np.intp)
        where = position[self.settlements.rows_of(self.housing.settlement_ids, "housing.settlement_ids")]
        records = np.flatnonzero(where >= 0)
        last = records[_last_of_groups(where[records].astype(np.int64), ())]
        found[where[last]] = last
        return found

    def hazard_hits(self, buffer_m: float) -> tuple[IndexArray, IndexArray]:
        """``(position, hazard row)`` pairs: active areas meeting the residential area, sorted by position."""
        if buffer_m not in self._hits:
            self._hits[buffer_m] = hazard_pairs(self.settlements, self.hazards, self.rows, buffer_m)
        return self._hits[buffer_m]

    @cached_property
    def project_site_hazards(self) -> tuple[IndexArray, IndexArray]:
        """``(project row, hazard row)``: forecastable projects whose site meets an active hazardous area."""
        projects, hazards = self.projects, self.hazards
        empty = np.empty(0, dtype=np.intp)
        if projects.sites is None or not len(hazards.active_rows):
            return empty, empty
        rows = np.flatnonzero(projects.forecastable() & ~np.asarray(shapely.is_missing(projects.sites), dtype=np.bool_))
        site, hazard = hazards.active_tree.query(projects.sites[rows], predicate="intersects")
        return rows[site].astype(np.intp), hazards.active_rows[hazard]

    @cached_property
    def project_ends(self) -> DateArray:
        """When each project is expected to end: planned end + its agency's mean delay, not before today.

        A project whose site lies in an active hazardous area cannot end before that area is cleared;
        ``NaT`` for projects that are not planned or ongoing, or blocked by an area with no clearance date.
        """
        projects = self.projects
        delays = np.ceil(projects.delay_days()).astype("timedelta64[D]")
        ends: DateArray = np.maximum(date_array(projects.planned_end) + delays, self.today64)
        ends[~projects.forecastable()] = NO_DATE
        blocked, hazard = self.project_site_hazards
        if len(blocked):
            cleared = latest_of(date_array(self.hazards.expected_clearance)[hazard], blocked, len(projects))
            rows = np.unique(blocked)
            ends[rows] = np.where(np.isnat(cleared[rows]), NO_DATE, np.maximum(ends[rows], cleared[rows]))
        return ends

    @cached_property
    def paths(self) -> Paths:
        """Every restore of a project with an expected end, for forecast look-ups."""
        projects = self.projects
        settlement = self.settlements.rows_of(projects.restore_settlement_ids, "projects.restore_settlement_ids")
        ends = self.project_ends[projects.restore_project]
        keep = np.flatnonzero(~np.isnat(ends))
        keys = settlement[keep].astype(np.int64) * RESTORE_KINDS + projects.restore_codes[keep]
        order = np.lexsort((projects.restore_project[keep], ends[keep].astype(np.int64), keys))
        chosen = keep[order]
        return Paths(keys[order], ends[chosen], projects.restore_project[chosen], projects.restore_units[chosen])

    def earliest(self, rows: IndexArray, kinds: tuple[str, ...]) -> IndexArray:
        """For each settlement row, the path restoring any of ``kinds`` expected to end first; -1 where none."""
        paths = self.paths
        best = np.full(len(rows), -1, dtype=np.intp)
        for kind in kinds:
            found = paths.first(rows, RESTORE_CODE[kind])
            better = (found >= 0) & ((best < 0) | (paths.ends_at(found) < paths.ends_at(best)))
            best = np.where(better, found, best)
        return best

    def rows_restoring(self, kind: str) -> IndexArray:
        """Settlement rows with a path restoring ``kind``."""
        keys = self.paths.keys
        return np.unique(keys[keys % RESTORE_KINDS == RESTORE_CODE[kind]] // RESTORE_KINDS).astype(np.intp)

    @cached_property
    def site_waits(self) -> dict[int, str]:
        """Per project row whose site lies in active hazardous areas, their ids (its end waits for their clearance)."""
        blocked, hazard = self.project_site_hazards
        names: dict[int, list[str]] = {}
        for project, row in zip(blocked.tolist(), hazard.tolist(), strict=True):
            names.setdefault(project, []).append(self.hazards.ids[row])
        return {project: ", ".join(found) for project, found in names.items()}

    def project_facts(
        self,
        positions: IndexArray,
        paths: IndexArray,
        *,
        restores: tuple[str, ...] = (),
        units: FloatArray | None = None,
    ) -> FactColumns:
        """The project behind each path, at the settlement positions given: what it restores (the kinds, or
        ``units`` of housing per path), its planned end, its agency's mean delay (the value), its expected end
        and the areas its site waits for."""
        projects = self.projects
        rows = self.paths.projects[paths]
        found = rows.tolist()
        agencies = pick(projects.agency_ids, found) if found else []
        # Agencies are few: each one's delay is worked out once.
        delays = {agency: max(0.0, float(projects.agency_delays.get(agency, 0.0))) for agency in set(agencies)}
        late = pick(delays, agencies) if found else []
        waits = self.site_waits
        varying: list[tuple[str, Sequence[ParamValue]]] = [
            ("planned_end", iso_dates(date_array(projects.planned_end)[rows])),
            ("expected", iso_dates(self.paths.ends[paths])),
            ("agency", agencies),
            ("delay_days", [delay if delay > 0 else None for delay in late]),
            ("waits_for", [waits.get(row) for row in found]),
        ]
        if units is not None:
            varying.insert(0, ("units", units.tolist()))
        return FactColumns(
            positions,
            "project",
            "project_adds_housing" if units is not None else "project_restores",
            pick(projects.ids, found) if found else [],
            np.array(late, dtype=np.float64),
            () if units is not None else (("restores", restores),),
            tuple(varying),
        )
