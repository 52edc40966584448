"""The demo's casework offices: one of each kind the region lists in every district, with synthetic
caseworkers, a supervisor and, in some districts, a mobile team.

They are few, so they go through the ordinary saves and the accounts service, each audited. Office
staff are synthetic users named ``agm.migration.caseworker1``, ``agm.migration.supervisor`` and so on,
with the demo password like every demo user; the region's demo users join the offices of their agency
and districts (see :func:`homeward.demo.users.ensure_demo_users`).
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password

from homeward.accounts.models import Agency, User
from homeward.accounts.services import create_user, ensure_agency
from homeward.cases.models import MobileTeam, Office, ServiceType
from homeward.core.roles import Role
from homeward.demo.errors import DemoDataError
from homeward.demo.keys import demo_uuid
from homeward.demo.names import FEMALE, MALE, NameBank
from homeward.demo.region import CaseOfficeSpec, DistrictSpec, Region
from homeward.demo.users import DEMO_PASSWORD

MOBILE_TEAM_SIZE = 2


@dataclass
class OfficeStaff:
    """A demo office's people: its caseworkers in the order they joined, its supervisor, its mobile team."""

    office_id: uuid.UUID
    agency_id: uuid.UUID
    supervisor: Any
    caseworkers: list[Any] = field(default_factory=list)
    team_id: Any = None
    team_members: list[Any] = field(default_factory=list)


@dataclass(frozen=True)
class OfficeCounts:
    offices: int = 0
    mobile_teams: int = 0
    staff: int = 0


def staff_username(district_code: str, office_key: str, role: str, number: int = 0) -> str:
    """``agm.migration.caseworker3``, ``agm.migration.supervisor``: the demo's synthetic office staff."""
    return f"{district_code.split('-', 1)[-1].lower()}.{office_key}.{role}{number or ''}"


def office_id(district_code: str, office_key: str) -> uuid.UUID:
    return demo_uuid("case-office", district_code, office_key)


def _english_name(district: DistrictSpec) -> str:
    return next((name.text for name in district.names if name.language == "en"), district.code)


class _Staffing:
    """Creates the users an office needs, unless they exist; counts the ones it created.

    Every one gets the demo password, hashed once: hashing it for each would take a tenth of a
    second per user, and the password is public anyway.
    """

    def __init__(self, usernames: list[str], bank: NameBank) -> None:
        self.existing = {user.username: user for user in User.objects.filter(username__in=usernames)}
        self.bank = bank
        self.created = 0
        self._password = ""

    def user(self, username: str, role: str, agency: Agency, district_id: Any) -> Any:
        user = self.existing.get(username)
        if user is not None:
            if user.role != role or user.agency_id != agency.pk:
                raise DemoDataError(f"user {username!r} exists but is not a {role} of {agency.name}")
            return user.pk
        rng = random.Random(username)
        sex = rng.choice((MALE, FEMALE))
        created = create_user(
            username=username,
            password=None,
            role=role,
            agency=agency,
            district_ids=[district_id],
            first_name=self.bank.given_name(rng, sex),
            last_name=self.bank.family_name(rng).for_sex(sex),
        )
        self._password = self._password or make_password(DEMO_PASSWORD)
        created.password = self._password
        created.save(update_fields=["password"])
        self.created += 1
        return created.pk


def _services_decided(spec: CaseOfficeSpec) -> list[Any]:
    services = ServiceType.objects.filter(responsible_agency__in=spec.decides).order_by("code")
    return list(services.values_list("pk", flat=True))


def ensure_offices(
    region: Region, district_ids: dict[str, Any], caseworkers: int, bank: NameBank
) -> tuple[dict[uuid.UUID, OfficeStaff], OfficeCounts]:
    """Every office of the region's kinds in every district, with ``caseworkers`` caseworkers, a
    supervisor and, where the region says so, a mobile team; made sure to exist.

    An office handles the services of the authorities its kind ``decides`` that exist when it is
    created. Returns the staff of each office by office id, and what was created. Run again with
    more caseworkers, it adds the missing ones to the offices.
    """
    agencies = {spec.code: spec for spec in region.agencies}
    office_agencies = {
        code: ensure_agency(code=code, name=agencies[code].name, kind=agencies[code].kind)
        for code in dict.fromkeys(spec.agency for spec in region.case_offices)
    }
    keys = [(district, spec) for district in region.districts for spec in region.case_offices]
    roles = [("supervisor", 0), *(("caseworker", number) for number in range(1, caseworkers + 1))]
    staffing = _Staffing(
        [staff_username(district.code, spec.key, role, number) for district, spec in keys for role, number in roles],
        bank,
    )
    offices = Office.objects.in_bulk([office_id(district.code, spec.key) for district, spec in keys])
    teams = {team.office_id: team for team in MobileTeam.objects.filter(office_id__in=list(offices))}
    created_offices = created_teams = 0
    staff: dict[uuid.UUID, OfficeStaff] = {}
    for district, spec in keys:
        district_id = district_ids[district.code]
        agency = office_agencies[spec.agency]
        key = office_id(district.code, spec.key)
        username = staff_username(district.code, spec.key, "supervisor")
        supervisor = staffing.user(username, Role.SUPERVISOR, agency, district_id)
        crew = OfficeStaff(office_id=key, agency_id=agency.pk, supervisor=supervisor)
        for number in range(1, caseworkers + 1):
            username = staff_username(district.code, spec.key, "caseworker", number)
            crew.caseworkers.append(staffing.user(username, Role.CASEWORKER, agency, district_id))
        office = offices.get(key)
        if office is None:
            office = Office(id=key, name=spec.name.format(district=_english_name(district)), agency=agency)
            office.save()
            office.districts.set([district_id])
            office.services.set(_services_decided(spec))
            office.supervisors.set([supervisor])
            created_offices += 1
        office.members.add(*crew.caseworkers)
        team = teams.get(key)
        if team is None and district.code in spec.mobile_districts:
            team = MobileTeam(
                id=demo_uuid("mobile-team", district.code, spec.key),
                name=spec.mobile_team.format(district=_english_name(district)),
                office=office,
            )
            team.save()
            team.members.set(crew.caseworkers[:MOBILE_TEAM_SIZE])
            created_teams += 1
        if team is not None:
            crew.team_id = team.pk
            crew.team_members = list(crew.caseworkers[:MOBILE_TEAM_SIZE])
        staff[key] = crew
    return staff, OfficeCounts(created_offices, created_teams, staffing.created)
