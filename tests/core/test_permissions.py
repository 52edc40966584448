"""The policy, read as sentences: who may do what to which record."""

import pytest

from homeward.core.models import AuditEntry
from homeward.core.permissions import POLICY, Action, Domain, may
from homeward.core.roles import Role
from homeward.places.models import Place
from homeward.registry.models import Person


def test_every_role_has_a_policy():
    assert set(POLICY) == set(Role)


@pytest.mark.parametrize(
    ("persona", "action", "domain", "allowed"),
    [
        ("analyst", Action.CHANGE, Domain.MINE_ACTION, True),
        ("analyst", Action.CHANGE, Domain.RECOVERY, False),
        ("planner", Action.CHANGE, Domain.RECOVERY, True),
        ("planner", Action.VIEW, Domain.REGISTRY, False),
        ("coordinator", Action.CHANGE, Domain.RETURNS, True),
        ("caseworker_aghdam", Action.CREATE, Domain.CASES, True),
        ("caseworker_aghdam", Action.DECIDE, Domain.CASES, True),
        ("supervisor", Action.DECIDE, Domain.CASES, True),
        ("partner", Action.CREATE, Domain.AID, True),
        ("partner", Action.VIEW, Domain.REGISTRY, False),
        ("auditor", Action.VIEW, Domain.AUDIT, True),
        ("auditor", Action.VIEW, Domain.REGISTRY, False),
        ("auditor", Action.CHANGE, Domain.CASES, False),
        ("administrator", Action.CHANGE, Domain.ACCOUNTS, True),
        ("administrator", Action.VIEW, Domain.REGISTRY, False),
        ("resident", Action.VIEW, Domain.PORTAL, True),
        ("resident", Action.VIEW, Domain.PLACES, False),
    ],
)
def test_role_policy(personas, persona, action, domain, allowed):
    assert may(getattr(personas, persona), action, domain) is allowed


def test_a_caseworker_sees_persons_of_their_district_only(personas, person_in_aghdam, person_in_lachin):
    assert may(personas.caseworker_aghdam, Action.VIEW, person_in_aghdam)
    assert not may(personas.caseworker_aghdam, Action.VIEW, person_in_lachin)
    assert may(personas.caseworker_lachin, Action.VIEW, person_in_lachin)


def test_a_supervisor_covers_each_of_their_districts(personas, person_in_aghdam, person_in_lachin):
    assert may(personas.supervisor, Action.VIEW, person_in_aghdam)
    assert not may(personas.supervisor, Action.VIEW, person_in_lachin)


def test_a_deactivated_user_may_do_nothing(personas):
    personas.analyst.is_active = False
    assert not may(personas.analyst, Action.VIEW, Domain.MINE_ACTION)


def test_anonymous_may_do_nothing(db):
    from django.contrib.auth.models import AnonymousUser

    assert not may(AnonymousUser(), Action.VIEW, Place)


def test_partner_reach_stops_at_its_agency(personas, world):
    from homeward.core.permissions import Scope, within_scope

    own = Scope(agency_id=world.partner_ngo.pk)
    other = Scope(agency_id=world.other_ngo.pk)
    assert within_scope(personas.partner, own)
    assert not within_scope(personas.partner, other)


def test_residents_reach_only_what_they_own(personas):
    from homeward.core.permissions import Scope, within_scope

    assert within_scope(personas.resident, Scope(owner_id=personas.resident.pk))
    assert not within_scope(personas.resident, Scope(owner_id=personas.caseworker_aghdam.pk))
    assert not within_scope(personas.resident, Scope())


PAGES = {
    "/": {"all"},
    "/places/": {
        "administrator",
        "analyst",
        "planner",
        "coordinator",
        "caseworker_aghdam",
        "supervisor",
        "partner",
        "auditor",
    },
    "/registry/persons/": {"caseworker_aghdam", "supervisor"},
    "/audit/": {"administrator", "auditor"},
    "/accounts/users/": {"administrator", "auditor"},
    "/admin/": {"administrator"},
}
PERSONA_NAMES = [
    "administrator",
    "analyst",
    "planner",
    "coordinator",
    "caseworker_aghdam",
    "supervisor",
    "partner",
    "auditor",
    "resident",
]


@pytest.mark.parametrize("path", list(PAGES))
@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_pages_open_exactly_for_the_roles_that_may_see_them(personas, as_user, path, persona):
    allowed = PAGES[path] == {"all"} or persona in PAGES[path]
    response = as_user(getattr(personas, persona)).get(path)
    if allowed:
        assert response.status_code == 200, (persona, path, response.status_code)
    else:
        assert response.status_code in (302, 403, 404), (persona, path, response.status_code)


def test_the_admin_asks_the_same_permission_module(personas, as_user, person_in_aghdam):
    client = as_user(personas.administrator)
    assert client.get("/admin/accounts/agency/").status_code == 200
    # Administrators manage accounts, not personal data: the registry is not theirs to read.
    assert client.get("/admin/registry/person/").status_code == 403
    assert client.get(f"/admin/registry/person/{person_in_aghdam.pk}/change/").status_code in (302, 403, 404)
    assert not may(personas.administrator, Action.VIEW, Person)
    assert may(personas.auditor, Action.VIEW, AuditEntry)
