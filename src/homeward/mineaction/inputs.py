"""Validated values the mine action services accept, whatever they came from (form, API, file)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from shapely.geometry.base import BaseGeometry

from homeward.mineaction.choices import (
    ActivityAtTime,
    DeviceCondition,
    EOType,
    HazardStatus,
)


@dataclass(frozen=True)
class HazardInput:
    external_id: str
    classification: str
    geometry: BaseGeometry
    recorded_on: dt.date
    name: str = ""
    status: str = HazardStatus.ACTIVE
    eo_types: tuple[str, ...] = ()
    survey_reference: str = ""
    organisation: str = ""
    split_from: str = ""
    is_synthetic: bool = False
    feature: int = 0


@dataclass(frozen=True)
class DeviceInput:
    eo_type: str = EOType.UNKNOWN
    model: str = ""
    depth_cm: int | None = None
    condition: str = DeviceCondition.UNKNOWN
    quantity_found: int = 1
    quantity_destroyed: int = 0


@dataclass(frozen=True)
class ReleaseInput:
    external_id: str
    hazard_external_id: str
    method: str
    started_on: dt.date
    completed_on: dt.date | None = None
    organisation: str = ""
    area_cancelled_m2: float = 0.0
    area_reduced_m2: float = 0.0
    area_cleared_m2: float = 0.0
    beneficiaries_women: int = 0
    beneficiaries_men: int = 0
    beneficiaries_girls: int = 0
    beneficiaries_boys: int = 0
    devices: tuple[DeviceInput, ...] = ()
    geometry: BaseGeometry | None = None
    is_synthetic: bool = False
    feature: int = 0

    @property
    def released_m2(self) -> float:
        return self.area_cancelled_m2 + self.area_reduced_m2 + self.area_cleared_m2


@dataclass(frozen=True)
class CasualtyInput:
    sex: str
    age_band: str
    outcome: str
    count: int


@dataclass(frozen=True)
class IncidentInput:
    external_id: str
    occurred_on: dt.date
    latitude: float
    longitude: float
    device_type: str = EOType.UNKNOWN
    activity_at_time: str = ActivityAtTime.UNKNOWN
    source: str = ""
    casualties: tuple[CasualtyInput, ...] = field(default_factory=tuple)
    is_synthetic: bool = False
    feature: int = 0
