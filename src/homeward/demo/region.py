"""The deployment region the demo data describes, read from a JSON file in ``demo/regions/``.

A region file names the country, its districts (ISO 3166-2 codes, GeoNames admin1 codes,
approximate centres, names), the demo agencies, the casework offices each district has, and the
demo users. Official names of the
country and districts come from ``pycountry`` at load time, so the file only adds what ISO
does not say.
"""

from __future__ import annotations

import gettext
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pycountry
from django.conf import settings

from homeward.demo.errors import DemoDataError
from homeward.places.choices import NameKind, NameLanguage

REGIONS_DIR = Path(__file__).resolve().parent / "regions"


@dataclass(frozen=True)
class NameSpec:
    text: str
    language: str
    kind: str = NameKind.OFFICIAL


@dataclass(frozen=True)
class DistrictSpec:
    code: str
    geonames_admin1: str
    latitude: float
    longitude: float
    weight: float
    radius_km: float
    names: tuple[NameSpec, ...]


@dataclass(frozen=True)
class AgencySpec:
    code: str
    name: str
    kind: str


@dataclass(frozen=True)
class CaseOfficeSpec:
    """One kind of casework office, opened in every district.

    ``name`` and ``mobile_team`` are templates with ``{district}``; ``decides`` lists the
    responsible authorities (``ServiceType.responsible_agency``) whose services the office
    handles; the districts in ``mobile_districts`` also get a mobile team.
    """

    key: str
    agency: str
    name: str
    mobile_team: str
    decides: tuple[str, ...]
    mobile_districts: tuple[str, ...] = ()


@dataclass(frozen=True)
class DemoUserSpec:
    username: str
    role: str
    label: str
    agency: str | None = None
    districts: tuple[str, ...] = ()
    all_districts: bool = False
    superuser: bool = False


@dataclass(frozen=True)
class Region:
    key: str
    label: str
    country_code: str
    country_names: tuple[NameSpec, ...]
    language: str
    name_bank: str
    geonames_country: str
    geonames_min_population: int
    districts: tuple[DistrictSpec, ...]
    agencies: tuple[AgencySpec, ...]
    demo_users: tuple[DemoUserSpec, ...]
    case_offices: tuple[CaseOfficeSpec, ...] = ()

    def district(self, code: str) -> DistrictSpec:
        for district in self.districts:
            if district.code == code:
                return district
        raise DemoDataError(f"region {self.key!r} has no district {code!r}")


def available_regions() -> list[str]:
    """The keys of the region files shipped with Homeward."""
    return sorted(path.stem for path in REGIONS_DIR.glob("*.json"))


def default_region_key() -> str:
    """``settings.HOMEWARD_DEMO_REGION`` if set, else the one region file there is."""
    configured = getattr(settings, "HOMEWARD_DEMO_REGION", "")
    if configured:
        return str(configured)
    regions = available_regions()
    if len(regions) != 1:
        raise DemoDataError(f"choose a demo region: {', '.join(regions) or 'none found'}")
    return regions[0]


def _translated(domain: str, language: str, text: str) -> str | None:
    try:
        translation = gettext.translation(domain, pycountry.LOCALES_DIR, languages=[language])
    except OSError:
        return None
    translated = translation.gettext(text)
    return translated if translated != text else None


def _iso_names(domain: str, iso_name: str, first_language: str) -> list[NameSpec]:
    names = [NameSpec(iso_name, first_language)]
    for language in NameLanguage.values:
        if language in (first_language, NameLanguage.OTHER):
            continue
        translated = _translated(domain, language, iso_name)
        if translated:
            names.append(NameSpec(translated, language))
    return names


def _names(raw: list[dict[str, Any]]) -> list[NameSpec]:
    return [NameSpec(item["text"], item["language"], item.get("kind", NameKind.OFFICIAL)) for item in raw]


def _merged(iso: list[NameSpec], extra: list[NameSpec]) -> tuple[NameSpec, ...]:
    official_languages = {name.language for name in iso if name.kind == NameKind.OFFICIAL}
    merged: dict[tuple[str, str], NameSpec] = {}
    for name in [*iso, *extra]:
        if name.kind == NameKind.OFFICIAL and name in extra and name.language in official_languages:
            name = NameSpec(name.text, name.language, NameKind.VARIANT)
        merged.setdefault((name.text, name.language), name)
    return tuple(merged.values())


def _country_names(code: str, language: str, extra: list[NameSpec]) -> tuple[NameSpec, ...]:
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        raise DemoDataError(f"{code!r} is not an ISO 3166-1 country code")
    local = _translated("iso3166-1", language, country.name) or country.name
    iso = _iso_names("iso3166-1", country.name, "en")
    iso = [NameSpec(local, language), *(name for name in iso if name.language != language)]
    return _merged(iso, extra)


def _case_office(raw: dict[str, Any], agencies: set[str], districts: set[str]) -> CaseOfficeSpec:
    if raw["agency"] not in agencies:
        raise ValueError(f"case office {raw['key']!r} names an agency the region does not list: {raw['agency']!r}")
    unknown = sorted(set(raw.get("mobile_districts", ())) - districts)
    if unknown:
        raise ValueError(f"case office {raw['key']!r} has mobile teams in unknown districts {unknown}")
    return CaseOfficeSpec(
        key=raw["key"],
        agency=raw["agency"],
        name=raw["name"],
        mobile_team=raw["mobile_team"],
        decides=tuple(raw["decides"]),
        mobile_districts=tuple(raw.get("mobile_districts", ())),
    )


def _district(raw: dict[str, Any], language: str, default_radius: float) -> DistrictSpec:
    subdivision = pycountry.subdivisions.get(code=raw["code"])
    if subdivision is None:
        raise DemoDataError(f"{raw['code']!r} is not an ISO 3166-2 subdivision code")
    latitude, longitude = raw["centre"]
    return DistrictSpec(
        code=raw["code"],
        geonames_admin1=raw["geonames_admin1"],
        latitude=float(latitude),
        longitude=float(longitude),
        weight=float(raw.get("weight", 1)),
        radius_km=float(raw.get("radius_km", default_radius)),
        names=_merged(_iso_names("iso3166-2", subdivision.name, language), _names(raw.get("names", []))),
    )


@cache
def load_region(key: str | None = None) -> Region:
    """The region described by ``regions/<key>.json``; raises :class:`DemoDataError` if unusable."""
    key = key or default_region_key()
    path = REGIONS_DIR / f"{key}.json"
    if not path.is_file():
        raise DemoDataError(f"no demo region {key!r}; available: {', '.join(available_regions())}")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        language = raw["language"]
        country = raw["country"]
        radius = float(raw.get("synthetic_radius_km", 25))
        agency_codes = {item["code"] for item in raw["agencies"]}
        district_codes = {item["code"] for item in raw["districts"]}
        return Region(
            key=raw["key"],
            label=raw["label"],
            country_code=country["code"],
            country_names=_country_names(country["code"], language, _names(country.get("names", []))),
            language=language,
            name_bank=raw["name_bank"],
            geonames_country=raw["geonames"]["country_code"],
            geonames_min_population=int(raw["geonames"]["min_city_population"]),
            districts=tuple(_district(item, language, radius) for item in raw["districts"]),
            agencies=tuple(AgencySpec(item["code"], item["name"], item["kind"]) for item in raw["agencies"]),
            demo_users=tuple(
                DemoUserSpec(
                    username=item["username"],
                    role=item["role"],
                    label=item.get("label", item["username"]),
                    agency=item.get("agency"),
                    districts=tuple(item.get("districts", ())),
                    all_districts=bool(item.get("all_districts", False)),
                    superuser=bool(item.get("superuser", False)),
                )
                for item in raw["demo_users"]
            ),
            case_offices=tuple(
                _case_office(item, agency_codes, district_codes) for item in raw.get("case_offices", ())
            ),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise DemoDataError(f"region file {path.name} is malformed: {error!r}") from error
