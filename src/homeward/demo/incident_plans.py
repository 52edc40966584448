"""Invented explosive-ordnance incidents near the demo hazardous areas, never naming anyone.

Incidents are numbered per district. Each scale is a tier, as for households: the incidents
that bring a district up to its count at that scale lie near that scale's areas, and incident *n*
of a district comes from its own random stream, so it is the same whatever scale is loaded.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from homeward.demo.hazard_plans import DATA_UNTIL, PlannedArea
from homeward.demo.hazard_shapes import metres_to_degrees
from homeward.demo.keys import demo_uuid
from homeward.mineaction.choices import ActivityAtTime, AgeBand, CasualtyOutcome, EOType, Sex

INCIDENT_ID_PREFIX = "SYN-INC-"
INCIDENTS_FROM = dt.date(2020, 12, 1)
INCIDENT_SOURCE = "Demo Mine Action Centre incident log"
# Incidents per hazardous area of a district. Smaller scales get more per area, so that even the
# small scale shows a few in every district; the national one has about 7 per district a year.
INCIDENTS_PER_AREA = {"small": 0.15, "district": 0.045, "national": 0.024}
ACTIVITIES = (
    (ActivityAtTime.AGRICULTURE, 30),
    (ActivityAtTime.TRAVEL, 12),
    (ActivityAtTime.HOUSEHOLD, 15),
    (ActivityAtTime.RECONSTRUCTION, 12),
    (ActivityAtTime.DEMINING, 8),
    (ActivityAtTime.PLAYING, 5),
    (ActivityAtTime.HANDLING, 6),
    (ActivityAtTime.OTHER, 5),
    (ActivityAtTime.UNKNOWN, 7),
)
AGE_BANDS = ((AgeBand.ADULT, 76), (AgeBand.CHILD, 10), (AgeBand.OLDER, 9), (AgeBand.UNKNOWN, 5))
CasualtyCell = tuple[str, str, str, int]  # sex, age band, outcome, count


@dataclass(frozen=True)
class PlannedIncident:
    external_id: str
    occurred_on: dt.date
    longitude: float
    latitude: float
    place_id: uuid.UUID
    district_id: uuid.UUID
    device_type: str
    activity_at_time: str
    casualties: tuple[CasualtyCell, ...]

    @property
    def id(self) -> uuid.UUID:
        return demo_uuid("incident", self.external_id)


def _casualty(rng: random.Random, activity: str) -> tuple[str, str, str]:
    if activity == ActivityAtTime.PLAYING:
        age = AgeBand.CHILD
    elif activity == ActivityAtTime.DEMINING:
        age = AgeBand.ADULT
    else:
        age = rng.choices([band for band, _ in AGE_BANDS], weights=[weight for _, weight in AGE_BANDS])[0]
    male_share = 0.7 if age == AgeBand.CHILD else 0.88
    sex = Sex.UNKNOWN if rng.random() < 0.02 else Sex.MALE if rng.random() < male_share else Sex.FEMALE
    killed_share = 0.5 if activity == ActivityAtTime.HANDLING else 0.3
    outcome = CasualtyOutcome.KILLED if rng.random() < killed_share else CasualtyOutcome.INJURED
    return str(sex), str(age), str(outcome)


def _casualties(rng: random.Random, activity: str) -> tuple[CasualtyCell, ...]:
    """Mostly one person, mostly an adult man; counted by sex, age band and outcome, never named."""
    people = rng.choices((1, 2, 3, 4), weights=(70, 18, 8, 4))[0]
    cells = Counter(_casualty(rng, activity) for _ in range(people))
    return tuple(sorted((sex, age, outcome, count) for (sex, age, outcome), count in cells.items()))


def plan_incident(seed: str, district_code: str, number: int, areas: Sequence[PlannedArea]) -> PlannedIncident:
    """Incident ``number`` of a district, within about one area's reach of one of ``areas``."""
    rng = random.Random(f"{seed}:incident:{district_code}:{number}")
    area = rng.choice(areas)
    span = (DATA_UNTIL - INCIDENTS_FROM).days
    # More incidents in the first years after the conflict, when people first went back.
    occurred_on = INCIDENTS_FROM + dt.timedelta(days=int(span * rng.random() ** 1.5))
    distance = area.outline.reach_m * rng.uniform(0.0, 1.2)
    bearing = rng.uniform(0.0, 2 * math.pi)
    centre_lat = area.outline.centre_lat
    d_lon, d_lat = metres_to_degrees(centre_lat, distance * math.sin(bearing), distance * math.cos(bearing))
    activity = rng.choices([kind for kind, _ in ACTIVITIES], weights=[weight for _, weight in ACTIVITIES])[0]
    device_type = rng.choice(area.eo_types) if rng.random() < 0.85 else EOType.UNKNOWN
    return PlannedIncident(
        external_id=f"{INCIDENT_ID_PREFIX}{district_code}-{number:04d}",
        occurred_on=occurred_on,
        longitude=round(area.outline.centre_lon + d_lon, 6),
        latitude=round(centre_lat + d_lat, 6),
        place_id=area.site.settlement.id,
        district_id=area.site.settlement.district_id,
        device_type=str(device_type),
        activity_at_time=str(activity),
        casualties=_casualties(rng, activity),
    )


def plan_incidents(
    seed: str, tiers: Sequence[tuple[str, Mapping[str, Sequence[PlannedArea]]]]
) -> list[PlannedIncident]:
    """The incidents of every tier, ``(scale name, {district code: that scale's areas in it})``, smallest first."""
    counts: dict[str, int] = {}
    incidents: list[PlannedIncident] = []
    for scale, by_district in tiers:
        rate = INCIDENTS_PER_AREA.get(scale, min(INCIDENTS_PER_AREA.values()))
        for district_code in sorted(by_district):
            areas = by_district[district_code]
            before = counts.get(district_code, 0)
            counts[district_code] = max(before, round(rate * len(areas)))
            incidents.extend(
                plan_incident(seed, district_code, number, areas)
                for number in range(before + 1, counts[district_code] + 1)
            )
    return incidents
