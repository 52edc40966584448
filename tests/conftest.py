"""Personas: one named user per role and scope, so permission tests read like sentences."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client
from django.utils import translation

from homeward.accounts.models import Agency, User
from homeward.places.models import Place
from tests.factories import AgencyFactory, PersonFactory, PlaceFactory, UserFactory

PASSWORD = "correct horse battery"


@dataclass
class World:
    country: Place
    aghdam: Place
    lachin: Place
    fuzuli: Place
    aghdam_village: Place
    lachin_village: Place
    migration_service: Agency
    partner_ngo: Agency
    other_ngo: Agency


@pytest.fixture
def world(db: None) -> World:
    country = PlaceFactory(level="country", code="AZ", name="Azərbaycan", source="iso3166-2")
    districts = {}
    for code, name in [("AZ-AGM", "Ağdam"), ("AZ-LAC", "Laçın"), ("AZ-FUZ", "Füzuli")]:
        district = PlaceFactory(level="district", code=code, name=name, parent=country, source="iso3166-2")
        district.district = district
        district.save()
        districts[code] = district
    return World(
        country=country,
        aghdam=districts["AZ-AGM"],
        lachin=districts["AZ-LAC"],
        fuzuli=districts["AZ-FUZ"],
        aghdam_village=PlaceFactory(
            code="T-AGM-1", name="Qaraçay", parent=districts["AZ-AGM"], district=districts["AZ-AGM"]
        ),
        lachin_village=PlaceFactory(
            code="T-LAC-1", name="Mişni", parent=districts["AZ-LAC"], district=districts["AZ-LAC"]
        ),
        migration_service=AgencyFactory(code="migration", name="State Migration Service", kind="government"),
        partner_ngo=AgencyFactory(code="ngo-a", name="Partner NGO", kind="ngo"),
        other_ngo=AgencyFactory(code="ngo-b", name="Other NGO", kind="ngo"),
    )


@dataclass
class Personas:
    administrator: User
    analyst: User
    planner: User
    coordinator: User
    caseworker_aghdam: User
    caseworker_lachin: User
    supervisor: User
    partner: User
    auditor: User
    resident: User


@pytest.fixture
def personas(world: World) -> Personas:
    def make(username: str, role: str, **kwargs: object) -> User:
        return UserFactory(username=username, role=role, **kwargs)

    return Personas(
        administrator=make("admin", "administrator", all_districts=True, is_staff=True, is_superuser=True),
        analyst=make("analyst", "mine_action_analyst", all_districts=True),
        planner=make("planner", "reconstruction_planner", all_districts=True),
        coordinator=make("coordinator", "return_coordinator", all_districts=True),
        caseworker_aghdam=make(
            "caseworker.aghdam", "caseworker", agency=world.migration_service, districts=[world.aghdam]
        ),
        caseworker_lachin=make(
            "caseworker.lachin", "caseworker", agency=world.migration_service, districts=[world.lachin]
        ),
        supervisor=make(
            "supervisor", "supervisor", agency=world.migration_service, districts=[world.aghdam, world.fuzuli]
        ),
        partner=make("partner", "partner", agency=world.partner_ngo, all_districts=True),
        auditor=make("auditor", "auditor", all_districts=True),
        resident=make("resident", "resident"),
    )


@pytest.fixture
def person_in_aghdam(world: World):
    return PersonFactory(district=world.aghdam, origin=world.aghdam_village)


@pytest.fixture
def person_in_lachin(world: World):
    return PersonFactory(district=world.lachin, origin=world.lachin_village)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def as_user():
    return client_for


@pytest.fixture(autouse=True)
def _isolated_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.AXES_ENABLED = True
    settings.PASSWORD_HASHERS = ["tests.hashers.QuickArgon2PasswordHasher"]
    yield
    # A request activates its user's language for the thread and nothing puts it back: without this,
    # a test's messages would come out in the language of whichever page the test before it asked for.
    translation.deactivate()
