"""``load_demo``: the whole demo data set for one scale, safe to run again."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from homeward.demo.casework import CaseworkCounts, load_casework
from homeward.demo.mineaction import MineActionCounts, load_mine_action
from homeward.demo.names import load_name_bank
from homeward.demo.people import Tier, load_people
from homeward.demo.places import load_places
from homeward.demo.recovery import RecoveryCounts, load_recovery
from homeward.demo.region import load_region
from homeward.demo.scales import get_scale, scales_up_to
from homeward.demo.villages import village_counts

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class DemoSummary:
    """How many rows of each kind one run of :func:`load_demo` created."""

    scale: str
    region: str
    countries: int
    districts: int
    towns: int
    villages: int
    place_names: int
    households: int
    persons: int
    mine_action: MineActionCounts
    recovery: RecoveryCounts
    casework: CaseworkCounts
    seconds: float

    @property
    def created(self) -> int:
        return (
            self.countries
            + self.districts
            + self.towns
            + self.villages
            + self.place_names
            + self.households
            + self.persons
            + self.mine_action.created
            + self.recovery.created
            + self.casework.created
        )

    def __str__(self) -> str:
        return (
            f"created {self.countries} country, {self.districts} districts, {self.towns} towns, "
            f"{self.villages} villages, {self.place_names} place names, {self.households} households, "
            f"{self.persons} persons, {self.mine_action.hazardous_areas} hazardous areas, "
            f"{self.mine_action.release_activities} land release activities, "
            f"{self.mine_action.incidents} EO incidents, {self.recovery.service_observations} service observations, "
            f"{self.recovery.housing_observations} housing observations, "
            f"{self.recovery.projects} reconstruction projects, {self.casework.offices} casework offices, "
            f"{self.casework.applications} applications, {self.casework.escalations} escalations "
            f"in {self.seconds:.1f} s"
        )


def _silent(step: str, done: int, total: int) -> None:
    return None


def load_demo(scale: str = "small", *, progress: Progress | None = None, region: str | None = None) -> DemoSummary:
    """Load the demo data of ``scale`` (small, district or national) for the deployment region.

    Deterministic and idempotent: every row has a key derived from its natural key, so a second
    run creates nothing, and a larger scale adds only the rows the smaller ones lack. Each step
    (places, place names, households and persons, mine action, recovery, casework) is one transaction
    and writes one ``bulk_load`` audit entry per model it added rows to in bulk. Casework dates count
    back from today, and its last act is to escalate the overdue applications.
    ``progress(step, done, total)`` is called as each step advances. Raises
    :class:`~homeward.demo.errors.DemoDataError` for an unknown scale or region.
    """
    chosen = get_scale(scale)
    report = progress or _silent
    started = time.perf_counter()
    deployment = load_region(region)
    bank = load_name_bank(deployment.name_bank)
    gazetteer, place_counts = load_places(deployment, bank, chosen, report)
    tiers = [(tier, gazetteer.settlements(village_counts(deployment, tier.villages))) for tier in scales_up_to(chosen)]
    people_tiers = [Tier.of(tier.persons, settlements) for tier, settlements in tiers]
    people = load_people(bank, people_tiers, f"homeward-demo:{deployment.key}:households", chosen.name, report)
    hazard_seed = f"homeward-demo:{deployment.key}:mineaction"
    mine_action = load_mine_action(gazetteer, tiers, hazard_seed, chosen, report)
    recovery = load_recovery(
        gazetteer,
        tiers,
        f"homeward-demo:{deployment.key}:recovery",
        chosen,
        report,
        agencies=deployment.agencies,
        hazard_seed=hazard_seed,
    )
    casework = load_casework(
        deployment,
        gazetteer.district_ids,
        tiers,
        people.tier_households,
        f"homeward-demo:{deployment.key}:casework",
        chosen,
        bank,
        report,
    )
    return DemoSummary(
        scale=chosen.name,
        region=deployment.key,
        countries=place_counts.countries,
        districts=place_counts.districts,
        towns=place_counts.towns,
        villages=place_counts.villages,
        place_names=place_counts.place_names,
        households=people.households,
        persons=people.persons,
        mine_action=mine_action,
        recovery=recovery,
        casework=casework,
        seconds=round(time.perf_counter() - started, 2),
    )
