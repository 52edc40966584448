"""Reconstruction projects as forecast inputs: what each restores where, when it should end, who runs it.

Columns like the other inputs (:meth:`Projects.of` builds them from :class:`Project` rows): one
row per project, and one *restore* row per (project, settlement, kind) it restores.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from operator import itemgetter
from typing import TypeAlias

import numpy as np
import numpy.typing as npt
from shapely.geometry.base import BaseGeometry

from homeward.engines.geo import GeometryArray
from homeward.engines.readiness.inputs import (
    KIND_CODE,
    BoolArray,
    Dates,
    FloatArray,
    IndexArray,
    InputError,
    codes_of,
    dates_of,
    floats_of,
    geometries_of,
    strings_of,
)
from homeward.engines.readiness.vocabulary import FORECAST_STATUSES, HOUSING, ProjectStatus

# Mean historical delay in days (actual end - planned end) per agency id.
AgencyDelays: TypeAlias = Mapping[str, float]
# Restore kinds are the service kinds' codes, then housing.
RESTORE_CODE: dict[str, int] = {**KIND_CODE, HOUSING: len(KIND_CODE)}
RESTORE_KINDS = len(RESTORE_CODE)
STATUS_CODE = {status.value: code for code, status in enumerate(ProjectStatus)}
FORECAST_CODES = np.array([STATUS_CODE[status] for status in sorted(FORECAST_STATUSES)], dtype=np.int8)


@dataclass(frozen=True)
class Restore:
    """What a project restores: service ``kind`` (or ``"housing"``) of one settlement; ``units`` for housing."""

    settlement_id: str
    kind: str
    units: float = 0.0


@dataclass(frozen=True)
class Project:
    """One reconstruction project as a row; ``site`` (WGS 84) is where the work happens, if known."""

    id: str
    agency_id: str
    planned_end: dt.date
    status: str
    restores: tuple[Restore, ...]
    site: BaseGeometry | None = None


@dataclass(frozen=True, eq=False)
class Projects:
    """The projects as columns, and each agency's mean historical delay that forecasts add to planned ends.

    ``restore_project`` gives the project row of each restore row.
    """

    ids: Sequence[str]
    agency_ids: Sequence[str]
    planned_end: Dates
    statuses: Sequence[str]
    restore_project: IndexArray
    restore_settlement_ids: Sequence[str]
    restore_kinds: Sequence[str]
    restore_units: FloatArray
    sites: GeometryArray | None = None
    agency_delays: AgencyDelays = field(default_factory=dict)
    status_codes: npt.NDArray[np.int8] = field(init=False, repr=False)
    restore_codes: npt.NDArray[np.int8] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        ids = strings_of("projects.ids", self.ids)
        size = len(ids)
        object.__setattr__(self, "ids", ids)
        object.__setattr__(self, "agency_ids", strings_of("projects.agency_ids", self.agency_ids, size))
        planned_end = dates_of("projects.planned_end", self.planned_end, size)
        object.__setattr__(self, "planned_end", planned_end)
        if np.isnat(planned_end).any():
            row = int(np.flatnonzero(np.isnat(planned_end))[0])
            raise InputError("projects.planned_end", "is required", row=row)
        object.__setattr__(self, "statuses", strings_of("projects.statuses", self.statuses, size))
        object.__setattr__(self, "status_codes", codes_of("projects.statuses", self.statuses, STATUS_CODE))
        project = np.asarray(self.restore_project, dtype=np.intp).reshape(-1)
        restores = len(project)
        outside = np.flatnonzero((project < 0) | (project >= size))
        if len(outside):
            raise InputError("projects.restore_project", "names no project", row=int(outside[0]))
        object.__setattr__(self, "restore_project", project)
        settlement_ids = strings_of("projects.restore_settlement_ids", self.restore_settlement_ids, restores)
        object.__setattr__(self, "restore_settlement_ids", settlement_ids)
        object.__setattr__(self, "restore_kinds", strings_of("projects.restore_kinds", self.restore_kinds, restores))
        object.__setattr__(self, "restore_codes", codes_of("projects.restore_kinds", self.restore_kinds, RESTORE_CODE))
        units = floats_of("projects.restore_units", self.restore_units, restores)
        if (units < 0).any():
            raise InputError("projects.restore_units", "must not be negative", row=int(np.flatnonzero(units < 0)[0]))
        object.__setattr__(self, "restore_units", units)
        if self.sites is not None:
            object.__setattr__(self, "sites", geometries_of("projects.sites", self.sites, size))

    @classmethod
    def of(cls, projects: Iterable[Project], agency_delays: AgencyDelays | None = None) -> Projects:
        """Projects from rows."""
        items = list(projects)
        restores = [(row, restore) for row, project in enumerate(items) for restore in project.restores]
        sites = [project.site for project in items]
        return cls(
            ids=[project.id for project in items],
            agency_ids=[project.agency_id for project in items],
            planned_end=[project.planned_end for project in items],
            statuses=[project.status for project in items],
            restore_project=np.array([row for row, _ in restores], dtype=np.intp),
            restore_settlement_ids=[restore.settlement_id for _, restore in restores],
            restore_kinds=[restore.kind for _, restore in restores],
            restore_units=np.array([restore.units for _, restore in restores], dtype=np.float64),
            sites=np.array(sites, dtype=object) if any(site is not None for site in sites) else None,
            agency_delays=dict(agency_delays or {}),
        )

    def __len__(self) -> int:
        return len(self.ids)

    @cached_property
    def index(self) -> dict[str, int]:
        return {value: row for row, value in enumerate(self.ids)}

    def delay_days(self) -> FloatArray:
        """Each project's agency's mean delay, never below 0: a forecast never promises earlier than planned."""
        delays = self.agency_delays
        # Agencies are few: each one's delay is looked up once.
        agencies = dict.fromkeys(self.agency_ids)
        known = {agency: max(0.0, delays.get(agency, 0.0)) for agency in agencies}
        if len(self.agency_ids) > 1:
            return np.array(itemgetter(*self.agency_ids)(known), dtype=np.float64)
        return np.array([known[agency] for agency in self.agency_ids], dtype=np.float64)

    def forecastable(self) -> BoolArray:
        """Projects whose planned end a forecast can go by: planned or ongoing."""
        return np.isin(self.status_codes, FORECAST_CODES)


def agency_delays(history: Iterable[tuple[str, dt.date, dt.date]]) -> dict[str, float]:
    """Mean delay in days per agency from past projects given as ``(agency_id, planned_end, actual_end)``."""
    delays: dict[str, list[float]] = {}
    for agency_id, planned_end, actual_end in history:
        delays.setdefault(agency_id, []).append(float((actual_end - planned_end).days))
    return {agency_id: statistics.fmean(values) for agency_id, values in delays.items()}
