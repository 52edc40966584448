"""What-if inputs: copies of the inputs with one project later or one hazardous area cleared.

Evaluating with the copies answers "if project P slips three months" or "if area H is cleared"
without touching the originals (nor anything stored).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from homeward.engines.readiness.inputs import Hazards, InputError, date_array
from homeward.engines.readiness.projects import Projects


def with_project_delay(projects: Projects, project_id: str, days: int) -> Projects:
    """``projects`` with project ``project_id``'s planned end moved ``days`` later (earlier if negative)."""
    row = projects.index.get(project_id)
    if row is None:
        raise InputError("project_id", f"no project with id {project_id!r}")
    planned_end = date_array(projects.planned_end).copy()
    planned_end[row] += np.timedelta64(days, "D")
    return dataclasses.replace(projects, planned_end=planned_end)


def with_hazard_cleared(hazards: Hazards, hazard_id: str) -> Hazards:
    """``hazards`` with area ``hazard_id`` no longer active."""
    row = hazards.index.get(hazard_id)
    if row is None:
        raise InputError("hazard_id", f"no hazardous area with id {hazard_id!r}")
    active = hazards.active.copy()
    active[row] = False
    return dataclasses.replace(hazards, active=active)


def with_hazard_geometry(hazards: Hazards, hazard_id: str, polygon: object) -> Hazards:
    """``hazards`` with area ``hazard_id``'s polygon replaced (an edit or a survey's reduction)."""
    row = hazards.index.get(hazard_id)
    if row is None:
        raise InputError("hazard_id", f"no hazardous area with id {hazard_id!r}")
    polygons = np.array(hazards.polygons, dtype=object, copy=True)
    polygons[row] = polygon
    return dataclasses.replace(hazards, polygons=polygons)
