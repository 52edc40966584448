"""Demo agencies and one demo user per role, with a password printed for everyone to use."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from homeward.accounts.models import Agency, User
from homeward.accounts.services import create_user, ensure_agency, set_password
from homeward.cases.models import Office
from homeward.core.roles import Role
from homeward.demo.errors import DemoDataMissing
from homeward.demo.region import load_region
from homeward.places.choices import PlaceLevel
from homeward.places.models import Place

DEMO_PASSWORD = "homeward-demo"  # noqa: S105 - published on purpose: demo sign-ins only


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    label: str


@transaction.atomic
def ensure_demo_users(region: str | None = None) -> list[DemoLogin]:
    """Make sure the region's demo agencies and demo users exist, and return their sign-ins.

    Existing users keep their role and scope; only a password that is no longer
    :data:`DEMO_PASSWORD` is reset to it, so the printed sign-ins always work. The demo caseworker
    and supervisor join the casework offices of their agency and districts (as member, as
    supervisor), so that they find a queue and escalations on signing in. Raises
    :class:`DemoDataMissing` if the region's districts have not been loaded.
    """
    deployment = load_region(region)
    wanted = [district.code for district in deployment.districts]
    district_ids = dict(Place.objects.filter(level=PlaceLevel.DISTRICT, code__in=wanted).values_list("code", "id"))
    missing = sorted(set(wanted) - set(district_ids))
    if missing:
        raise DemoDataMissing(f"load the demo data first: districts {', '.join(missing)} do not exist")
    agencies: dict[str, Agency] = {
        spec.code: ensure_agency(code=spec.code, name=spec.name, kind=spec.kind) for spec in deployment.agencies
    }
    logins = []
    for spec in deployment.demo_users:
        user = User.objects.filter(username=spec.username).first()
        if user is None:
            user = create_user(
                username=spec.username,
                password=DEMO_PASSWORD,
                role=spec.role,
                agency=agencies[spec.agency] if spec.agency else None,
                district_ids=[district_ids[code] for code in spec.districts],
                all_districts=spec.all_districts,
                superuser=spec.superuser,
            )
        elif not user.check_password(DEMO_PASSWORD):
            set_password(user, DEMO_PASSWORD)
        join_offices(user)
        logins.append(DemoLogin(spec.username, DEMO_PASSWORD, spec.role, spec.label))
    return logins


def join_offices(user: User) -> int:
    """Make a demo caseworker a member, and a demo supervisor a supervisor, of every active office of
    their agency serving one of their districts; returns how many offices they were not in before."""
    if user.agency_id is None or user.role not in (Role.CASEWORKER, Role.SUPERVISOR):
        return 0
    offices = Office.objects.filter(agency_id=user.agency_id, is_active=True)
    if not user.all_districts:
        offices = offices.filter(districts__in=list(user.district_ids))
    joined = 0
    for office in offices.distinct().order_by("name"):
        people = office.members if user.role == Role.CASEWORKER else office.supervisors
        if not people.filter(pk=user.pk).exists():
            people.add(user)
            joined += 1
    return joined
