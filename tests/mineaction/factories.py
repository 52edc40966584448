"""Mine action records for tests, written through the services so history and derived fields are right."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from unittest import mock

from django.utils import timezone

from homeward.mineaction import figures, services
from homeward.mineaction.inputs import CasualtyInput, DeviceInput, HazardInput, IncidentInput, ReleaseInput
from homeward.mineaction.models import HazardousArea, Incident, LandReleaseActivity
from tests.mineaction.geodata import AGHDAM, square


@contextmanager
def recorded_at(when: dt.datetime) -> Iterator[None]:
    """Make the services stamp what they write (history states, status dates) with ``when``."""
    with mock.patch("django.utils.timezone.now", return_value=when):
        yield


def days_ago(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def hazard(
    external_id: str = "HA-0001",
    *,
    at: tuple[float, float] = AGHDAM,
    side_m: float = 100.0,
    classification: str = "cha",
    status: str = "active",
    name: str = "",
    eo_types: Sequence[str] = ("ap_mine",),
    recorded_on: dt.date = dt.date(2023, 5, 1),
) -> HazardousArea:
    return services.record_hazardous_area(
        HazardInput(
            external_id=external_id,
            classification=classification,
            status=status,
            geometry=square(at[0], at[1], side_m),
            recorded_on=recorded_on,
            name=name,
            eo_types=tuple(eo_types),
        )
    )


def release(
    area: HazardousArea,
    external_id: str,
    *,
    method: str = "clearance",
    cancelled_m2: float = 0.0,
    reduced_m2: float = 0.0,
    cleared_m2: float = 0.0,
    started_on: dt.date = dt.date(2024, 3, 4),
    completed_on: dt.date | None = dt.date(2024, 3, 28),
    devices: Sequence[DeviceInput] = (),
) -> LandReleaseActivity:
    return services.record_release_activity(
        ReleaseInput(
            external_id=external_id,
            hazard_external_id=area.external_id,
            method=method,
            started_on=started_on,
            completed_on=completed_on,
            area_cancelled_m2=cancelled_m2,
            area_reduced_m2=reduced_m2,
            area_cleared_m2=cleared_m2,
            devices=tuple(devices),
        )
    )


def incident(
    external_id: str = "INC-0001",
    *,
    at: tuple[float, float] = AGHDAM,
    occurred_on: dt.date = dt.date(2024, 2, 10),
    device_type: str = "ap_mine",
    casualties: Sequence[tuple[str, str, str, int]] = (("male", "18-59", "injured", 1),),
) -> Incident:
    return services.record_incident(
        IncidentInput(
            external_id=external_id,
            occurred_on=occurred_on,
            longitude=at[0],
            latitude=at[1],
            device_type=device_type,
            casualties=tuple(CasualtyInput(sex=s, age_band=a, outcome=o, count=n) for s, a, o, n in casualties),
        )
    )


def compute_figures() -> int:
    """What the background task does after each write; pages only read its result."""
    return figures.recompute()
