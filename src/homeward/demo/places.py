"""The demo gazetteer: the country, its real districts and towns, and invented villages."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from homeward.demo.bulk import existing_values, insert_new, record_bulk_load
from homeward.demo.keys import demo_uuid
from homeward.demo.names import NameBank
from homeward.demo.region import NameSpec, Region
from homeward.demo.scales import Scale, scales_up_to
from homeward.demo.towns import Town, region_towns
from homeward.demo.villages import Village, district_villages, village_counts
from homeward.engines.matching.scripts import detect_script
from homeward.engines.matching.transliteration import to_armenian, to_cyrillic, to_latin
from homeward.places.choices import NameKind, NameLanguage, PlaceLevel, PlaceSource, Script
from homeward.places.models import Place, PlaceName

Progress = Callable[[str, int, int], None]
NameRow = tuple[str, str, str, str]


@dataclass(frozen=True)
class Settlement:
    """A settlement people can come from, as the people generator needs it."""

    code: str
    id: uuid.UUID
    district_id: uuid.UUID
    population: int


@dataclass
class Gazetteer:
    """The ids of the loaded places, and which settlements each scale includes."""

    country_id: uuid.UUID
    district_ids: dict[str, uuid.UUID]
    towns: list[Settlement] = field(default_factory=list)
    villages: dict[str, list[Settlement]] = field(default_factory=dict)

    def settlements(self, counts: dict[str, int]) -> list[Settlement]:
        """The towns, and the first ``counts[district]`` villages of each district."""
        chosen = list(self.towns)
        for district_code, villages in self.villages.items():
            chosen.extend(villages[: counts.get(district_code, 0)])
        return chosen


@dataclass(frozen=True)
class PlaceCounts:
    countries: int
    districts: int
    towns: int
    villages: int
    place_names: int


def _row_names(names: tuple[NameSpec, ...]) -> list[NameRow]:
    return [(name.text, name.language, detect_script(name.text) or Script.LATIN, name.kind) for name in names]


def _village_names(village: Village, language: str) -> list[NameRow]:
    return [
        (village.name, language, Script.LATIN, NameKind.OFFICIAL),
        (to_latin(village.name), NameLanguage.EN, Script.LATIN, NameKind.OFFICIAL),
        (to_cyrillic(village.name), NameLanguage.RU, Script.CYRILLIC, NameKind.OFFICIAL),
        (to_armenian(village.name), NameLanguage.HY, Script.ARMENIAN, NameKind.OFFICIAL),
    ]


def _town_names(town: Town) -> list[NameRow]:
    return [(name.text, name.language, name.script, name.kind) for name in town.names]


def _counts(region: Region) -> dict[str, int]:
    district_codes = [district.code for district in region.districts]
    settlements = Place.objects.filter(level=PlaceLevel.SETTLEMENT)
    return {
        "countries": Place.objects.filter(level=PlaceLevel.COUNTRY, code=region.country_code).count(),
        "districts": Place.objects.filter(level=PlaceLevel.DISTRICT, code__in=district_codes).count(),
        "towns": settlements.filter(source=PlaceSource.GEONAMES).count(),
        "villages": settlements.filter(is_synthetic=True).count(),
    }


def _insert_level(rows: list[Place]) -> dict[str, uuid.UUID]:
    insert_new(Place, rows)
    return existing_values(Place, "code", [row.code for row in rows], returning="id")


def _villages_for(region: Region, bank: NameBank, scale: Scale) -> list[Village]:
    tiers = [village_counts(region, tier.villages) for tier in scales_up_to(scale)]
    villages: list[Village] = []
    for district in region.districts:
        count = max(tier.get(district.code, 0) for tier in tiers)
        villages.extend(district_villages(region, district, bank, count))
    return villages


def _settlement_row(
    site: Town | Village,
    district_ids: dict[str, uuid.UUID],
    population: int | None,
    source: PlaceSource,
    **extra: object,
) -> Place:
    """A settlement row for a real town or a synthetic village, keyed by its code."""
    return Place(
        id=demo_uuid("place", site.code),
        level=PlaceLevel.SETTLEMENT,
        parent_id=district_ids[site.district_code],
        district_id=district_ids[site.district_code],
        code=site.code,
        name=site.name,
        latitude=site.latitude,
        longitude=site.longitude,
        population_pre_conflict=population,
        households_pre_conflict=site.households,
        source=source,
        **extra,
    )


def load_places(region: Region, bank: NameBank, scale: Scale, progress: Progress) -> tuple[Gazetteer, PlaceCounts]:
    """Create the places of ``region`` at ``scale`` that do not exist yet, and all their names.

    Rows are matched by code, so places loaded before (by this or another import) are kept as
    they are and reused as parents. Each of the two steps is one transaction.
    """
    towns = region_towns(region)
    villages = _villages_for(region, bank, scale)
    total = 1 + len(region.districts) + len(towns) + len(villages)
    names: dict[str, list[NameRow]] = {region.country_code: _row_names(region.country_names)}

    with transaction.atomic():
        before = _counts(region)
        country = Place(
            id=demo_uuid("place", region.country_code),
            level=PlaceLevel.COUNTRY,
            code=region.country_code,
            name=region.country_names[0].text,
            source=PlaceSource.ISO_3166_2,
        )
        country_id = _insert_level([country])[region.country_code]
        districts = []
        for spec in region.districts:
            district_id = demo_uuid("place", spec.code)
            districts.append(
                Place(
                    id=district_id,
                    level=PlaceLevel.DISTRICT,
                    parent_id=country_id,
                    district_id=district_id,
                    code=spec.code,
                    name=spec.names[0].text,
                    latitude=spec.latitude,
                    longitude=spec.longitude,
                    source=PlaceSource.ISO_3166_2,
                )
            )
            names[spec.code] = _row_names(spec.names)
        district_ids = _insert_level(districts)
        progress("Places", 1 + len(districts), total)

        settlements = []
        for town in towns:
            names[town.code] = _town_names(town)
            settlements.append(
                _settlement_row(town, district_ids, town.population, PlaceSource.GEONAMES, geonames_id=town.geonames_id)
            )
        for village in villages:
            names[village.code] = _village_names(village, region.language)
            settlements.append(
                _settlement_row(village, district_ids, village.population, PlaceSource.SYNTHETIC, is_synthetic=True)
            )
        settlement_ids = _insert_level(settlements)
        progress("Places", total, total)
        after = _counts(region)
        record_bulk_load(Place, sum(after.values()) - sum(before.values()), scale.name)

    place_ids = {region.country_code: country_id, **district_ids, **settlement_ids}
    created_names = _load_names(names, place_ids, scale, progress)

    gazetteer = Gazetteer(country_id=country_id, district_ids=district_ids)
    gazetteer.towns = [
        Settlement(town.code, settlement_ids[town.code], district_ids[town.district_code], town.population or 0)
        for town in towns
    ]
    for village in villages:
        gazetteer.villages.setdefault(village.district_code, []).append(
            Settlement(
                village.code, settlement_ids[village.code], district_ids[village.district_code], village.population
            )
        )
    counts = PlaceCounts(
        countries=after["countries"] - before["countries"],
        districts=after["districts"] - before["districts"],
        towns=after["towns"] - before["towns"],
        villages=after["villages"] - before["villages"],
        place_names=created_names,
    )
    return gazetteer, counts


def _load_names(
    names: dict[str, list[NameRow]], place_ids: dict[str, uuid.UUID], scale: Scale, progress: Progress
) -> int:
    rows = [
        PlaceName(
            id=demo_uuid("placename", code, text, language, kind),
            place_id=place_ids[code],
            text=text[:200],
            language=language,
            script=script,
            kind=kind,
        )
        for code, place_names in names.items()
        for text, language, script, kind in place_names
    ]
    with transaction.atomic():
        before = PlaceName.objects.count()
        insert_new(PlaceName, rows)
        created = PlaceName.objects.count() - before
        record_bulk_load(PlaceName, created, scale.name)
    progress("Place names", len(rows), len(rows))
    return created
