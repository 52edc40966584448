"""Reconstruction projects as an IATI Activity Standard 2.03 ``iati-activities`` document.

One ``iati-activity`` per project, with its children in the order the 2.03 schema requires. How
Homeward's vocabulary maps to the IATI codelists:

* reporting-org/@type and participating-org/@type (OrganisationType) from the agency kind:
  government 10 Government; international 40 Multilateral; un_agency 40 Multilateral;
  ngo 21 International NGO (an agency's kind does not say whether an NGO is international or
  national, 22; most NGOs in post-conflict reconstruction are international); anything else 90 Other.
* activity-status (ActivityStatus): planned 1 Pipeline/identification; under_way 2 Implementation;
  completed 3 Finalisation (physically complete; Homeward records no financial close, which 4 Closed
  would claim); cancelled 5 Cancelled; suspended 6 Suspended.
* sector, vocabulary 1 (OECD DAC CRS purpose codes, 5 digits):
  water 14020 Water supply and sanitation - large systems (settlement networks, not the household
  level "basic" 14030); energy 23630 Electric power transmission and distribution (centralised
  grids); heating 23620 District heating and cooling; roads 21020 Road transport; education 11120
  Education facilities and training; health 12230 Basic health infrastructure (clinics and health
  posts; 12220 is health care itself); housing 16040 Low-cost housing (building homes; 16030 is
  housing policy and administration); telecom 22020 Telecommunications; demining 15250 Removal of
  land mines and explosive remnants of war; other 99810 Sectors not specified.
* budget: the 2.03 ruleset allows a budget period of at most one year, so a project's budget is
  split into calendar-year periods covering its planned start to planned end, apportioned by days
  (type 1 Original, status 1 Indicative; the periods add up to the budget exactly).
* transaction: what has been spent, as one expenditure (type 4) dated the project's actual end, or
  else the day its record last changed (never after the document's date).

The recipient country and the languages are arguments: the region is data, not code.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pycountry
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from homeward.recovery.choices import ProjectStatus, RestoreKind, Sector

IATI_VERSION = "2.03"
WGS84 = "http://www.opengis.net/def/crs/EPSG/0/4326"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

ORGANISATION_TYPES: dict[str, str] = {
    "government": "10",
    "international": "40",
    "un_agency": "40",
    "ngo": "21",
}
OTHER_ORGANISATION_TYPE = "90"

ACTIVITY_STATUSES: dict[str, str] = {
    ProjectStatus.PLANNED: "1",
    ProjectStatus.UNDER_WAY: "2",
    ProjectStatus.COMPLETED: "3",
    ProjectStatus.CANCELLED: "5",
    ProjectStatus.SUSPENDED: "6",
}

DAC_SECTORS: dict[str, str] = {
    Sector.WATER: "14020",
    Sector.ENERGY: "23630",
    Sector.HEATING: "23620",
    Sector.ROADS: "21020",
    Sector.EDUCATION: "11120",
    Sector.HEALTH: "12230",
    Sector.HOUSING: "16040",
    Sector.TELECOM: "22020",
    Sector.DEMINING: "15250",
    Sector.OTHER: "99810",
}
SECTORS_NOT_SPECIFIED = "99810"
DAC_5_DIGIT_VOCABULARY = "1"

# Codelist values used below, named so the element-building code reads as the standard does.
_ROLE_FUNDING, _ROLE_ACCOUNTABLE, _ROLE_IMPLEMENTING = "1", "2", "4"
_PLANNED_START, _ACTUAL_START, _PLANNED_END, _ACTUAL_END = "1", "2", "3", "4"
_DESCRIPTION_GENERAL = "1"
_BUDGET_ORIGINAL, _BUDGET_INDICATIVE = "1", "1"
_EXPENDITURE = "4"
_REACH_ACTIVITY, _EXACTNESS_EXACT, _CLASS_POPULATED_PLACE = "1", "1", "2"

# The 2.03 ruleset: identifiers have no spaces and none of / & | ?
_IDENTIFIER_FORBIDDEN = re.compile(r"[\s/&|?]")
# Characters XML 1.0 cannot carry at all (ElementTree would write them and produce a broken file).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_CENT = Decimal("0.01")


class IatiError(ValueError):
    """Something that cannot be said in IATI as given; names the project or argument at fault."""


@dataclass(frozen=True)
class ReportingOrg:
    """The organisation publishing the activities: its IATI organisation identifier, name and agency kind."""

    ref: str
    name: str
    kind: str

    def __post_init__(self) -> None:
        if not self.ref or _IDENTIFIER_FORBIDDEN.search(self.ref):
            raise IatiError(
                _("the reporting organisation's IATI identifier %(ref)r is empty or has spaces or / & | ?")
                % {"ref": self.ref}
            )
        if not self.name.strip():
            raise IatiError(_("the reporting organisation needs a name"))

    @property
    def type_code(self) -> str:
        return organisation_type(self.kind)


def organisation_type(kind: str | None) -> str:
    """The IATI OrganisationType code for an agency kind (90 Other for one the mapping does not know)."""
    return ORGANISATION_TYPES.get(kind or "", OTHER_ORGANISATION_TYPE)


def iati_identifier(reporting_org: ReportingOrg, external_id: str) -> str:
    """The activity identifier: the reporting organisation's identifier, a hyphen, the project's external id."""
    if _IDENTIFIER_FORBIDDEN.search(external_id):
        raise IatiError(_("project %(id)r: an IATI identifier may not contain spaces or / & | ?") % {"id": external_id})
    return f"{reporting_org.ref}-{external_id}"


def budget_periods(start: dt.date, end: dt.date, amount: Decimal) -> list[tuple[dt.date, dt.date, Decimal]]:
    """``amount`` spread over calendar-year periods from ``start`` to ``end`` (inclusive) by days, summing exactly."""
    if end < start:
        raise IatiError(
            _("the planned end %(end)s is before the planned start %(start)s") % {"end": end, "start": start}
        )
    periods: list[tuple[dt.date, dt.date]] = []
    cursor = start
    while cursor <= end:
        period_end = min(end, dt.date(cursor.year, 12, 31))
        periods.append((cursor, period_end))
        cursor = period_end + dt.timedelta(days=1)
    total_days = (end - start).days + 1
    result: list[tuple[dt.date, dt.date, Decimal]] = []
    allotted = Decimal(0)
    for index, (first, last) in enumerate(periods):
        if index == len(periods) - 1:
            share = amount - allotted
        else:
            share = (amount * ((last - first).days + 1) / total_days).quantize(_CENT, rounding=ROUND_HALF_UP)
        allotted += share
        result.append((first, last, share))
    return result


def projects_to_iati(
    projects: Iterable[Any],
    *,
    reporting_org: ReportingOrg,
    generated_at: dt.datetime,
    recipient_country: str,
    language: str,
    place_name_language: str | None = None,
) -> bytes:
    """The projects as an IATI 2.03 ``iati-activities`` document, UTF-8 encoded.

    ``recipient_country`` is the ISO 3166-1 alpha-2 code of the country the projects are in (the
    gazetteer's country); ``language`` the ISO 639-1 code of the text staff entered (the activities'
    default ``xml:lang``); ``place_name_language`` that of settlement names, when known. Projects
    should come with their settlements and what they restore prefetched. Raises `IatiError` naming
    the project or argument that cannot be expressed, or when there is no project (the schema
    requires at least one activity).
    """
    if timezone.is_naive(generated_at):
        raise IatiError(_("generated_at must be timezone-aware"))
    country = recipient_country.strip().upper()
    if len(country) != 2 or pycountry.countries.get(alpha_2=country) is None:
        raise IatiError(_("%(code)r is not an ISO 3166-1 alpha-2 country code") % {"code": recipient_country})
    root = ET.Element("iati-activities", {"version": IATI_VERSION, "generated-datetime": _datetime(generated_at)})
    for project in projects:
        root.append(
            _activity(
                project,
                reporting_org=reporting_org,
                generated_at=generated_at,
                country=country,
                language=_language_code(language),
                place_name_language=_language_code(place_name_language) if place_name_language else None,
            )
        )
    if not len(root):
        raise IatiError(_("there are no projects to publish: an IATI file holds at least one activity"))
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _activity(
    project: Any,
    *,
    reporting_org: ReportingOrg,
    generated_at: dt.datetime,
    country: str,
    language: str,
    place_name_language: str | None,
) -> ET.Element:
    attributes = {_XML_LANG: language, "default-currency": project.currency}
    if getattr(project, "updated_at", None) is not None:
        # A record cannot have changed after the document that reports it was made.
        attributes["last-updated-datetime"] = _datetime(min(project.updated_at, generated_at))
    activity = ET.Element("iati-activity", attributes)
    _text(activity, "iati-identifier", iati_identifier(reporting_org, project.external_id))

    reporting = ET.SubElement(activity, "reporting-org", {"ref": reporting_org.ref, "type": reporting_org.type_code})
    _narrative(reporting, reporting_org.name)
    _narrative(ET.SubElement(activity, "title"), project.title)
    description = ET.SubElement(activity, "description", {"type": _DESCRIPTION_GENERAL})
    _narrative(description, _describe(project), language=_language_code(get_language() or language))

    _participating_orgs(activity, project, reporting_org)
    ET.SubElement(activity, "activity-status", {"code": ACTIVITY_STATUSES[project.status]})
    for date_type, day in (
        (_PLANNED_START, project.planned_start),
        (_ACTUAL_START, project.actual_start),
        (_PLANNED_END, project.planned_end),
        (_ACTUAL_END, project.actual_end),
    ):
        if day is not None:
            ET.SubElement(activity, "activity-date", {"type": date_type, "iso-date": day.isoformat()})
    ET.SubElement(activity, "recipient-country", {"code": country})
    _locations(activity, project, place_name_language)
    ET.SubElement(
        activity,
        "sector",
        {"vocabulary": DAC_5_DIGIT_VOCABULARY, "code": DAC_SECTORS.get(project.sector, SECTORS_NOT_SPECIFIED)},
    )

    for first, last, share in budget_periods(project.planned_start, project.planned_end, project.budget):
        budget = ET.SubElement(activity, "budget", {"type": _BUDGET_ORIGINAL, "status": _BUDGET_INDICATIVE})
        ET.SubElement(budget, "period-start", {"iso-date": first.isoformat()})
        ET.SubElement(budget, "period-end", {"iso-date": last.isoformat()})
        _value(budget, share, project.currency, first)

    if project.spent > 0:
        day = _spending_date(project, timezone.localdate(generated_at))
        transaction = ET.SubElement(activity, "transaction")
        ET.SubElement(transaction, "transaction-type", {"code": _EXPENDITURE})
        ET.SubElement(transaction, "transaction-date", {"iso-date": day.isoformat()})
        _value(transaction, project.spent, project.currency, day)
    return activity


def _participating_orgs(activity: ET.Element, project: Any, reporting_org: ReportingOrg) -> None:
    agency = project.implementing_agency
    if project.funder.strip():
        _narrative(ET.SubElement(activity, "participating-org", {"role": _ROLE_FUNDING}), project.funder)
    if agency is not None:
        implementing = ET.SubElement(
            activity, "participating-org", {"role": _ROLE_IMPLEMENTING, "type": organisation_type(agency.kind)}
        )
        _narrative(implementing, agency.name)
    if agency is None and not project.funder.strip():
        # The schema needs one participating organisation; the publisher answers for the activity.
        accountable = ET.SubElement(
            activity,
            "participating-org",
            {"role": _ROLE_ACCOUNTABLE, "ref": reporting_org.ref, "type": reporting_org.type_code},
        )
        _narrative(accountable, reporting_org.name)


def _locations(activity: ET.Element, project: Any, place_name_language: str | None) -> None:
    for settlement in sorted(project.settlements.all(), key=lambda place: place.code):
        location = ET.SubElement(activity, "location", {"ref": settlement.code})
        ET.SubElement(location, "location-reach", {"code": _REACH_ACTIVITY})
        _narrative(ET.SubElement(location, "name"), settlement.name, language=place_name_language)
        if settlement.latitude is not None and settlement.longitude is not None:
            point = ET.SubElement(location, "point", {"srsName": WGS84})
            _text(point, "pos", f"{settlement.latitude:.6f} {settlement.longitude:.6f}")
            ET.SubElement(location, "exactness", {"code": _EXACTNESS_EXACT})
        ET.SubElement(location, "location-class", {"code": _CLASS_POPULATED_PLACE})
    site = project.shape
    if site is not None and not site.is_empty:
        location = ET.SubElement(activity, "location", {"ref": f"{project.external_id}-site"})
        ET.SubElement(location, "location-reach", {"code": _REACH_ACTIVITY})
        _narrative(ET.SubElement(location, "name"), project.title)
        anchor = site.representative_point()
        point = ET.SubElement(location, "point", {"srsName": WGS84})
        _text(point, "pos", f"{anchor.y:.6f} {anchor.x:.6f}")


def _describe(project: Any) -> str:
    """A plain description from what is recorded: the sector, what the project restores and where."""
    parts = [str(Sector(project.sector).label) if project.sector in Sector.values else project.sector]
    restored = []
    for restore in project.restores.all():
        label = str(RestoreKind(restore.kind).label) if restore.kind in RestoreKind.values else restore.kind
        if restore.units:
            label = f"{label} +{restore.units}"
        restored.append(f"{label} ({restore.settlement.name})")
    if restored:
        parts.append(_("Restores: %(what)s") % {"what": "; ".join(restored)})
    parts.append(_("Progress: %(percent)d%%") % {"percent": project.progress})
    if project.blocked_by_hazards:
        parts.append(_("Blocked by hazardous areas: %(ids)s") % {"ids": ", ".join(project.blocked_by_hazards)})
    return ". ".join(parts) + "."


def _spending_date(project: Any, generated_on: dt.date) -> dt.date:
    day = project.actual_end
    if day is None and getattr(project, "updated_at", None) is not None:
        day = timezone.localdate(project.updated_at)
    return min(day or generated_on, generated_on)


def _value(parent: ET.Element, amount: Decimal, currency: str, value_date: dt.date) -> None:
    value = ET.SubElement(parent, "value", {"currency": currency, "value-date": value_date.isoformat()})
    value.text = format(Decimal(amount).quantize(_CENT), "f")


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = _xml_safe(text)
    return element


def _narrative(parent: ET.Element, text: str, *, language: str | None = None) -> ET.Element:
    narrative = _text(parent, "narrative", text)
    if language:
        narrative.set(_XML_LANG, language)
    return narrative


def _xml_safe(text: str) -> str:
    return _NOT_XML.sub("", str(text))


def _language_code(language: str) -> str:
    """ISO 639-1 from a Django language code ("en-us" -> "en")."""
    return language.replace("_", "-").split("-")[0].lower()


def _datetime(moment: dt.datetime) -> str:
    """In the deployment's time zone, so the offset shown agrees with the plain dates beside it."""
    return timezone.localtime(moment).replace(microsecond=0).isoformat()
