"""The demo data: real districts and towns, marked synthetic villages and people, demo users."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import uuid

import pycountry
import pytest
from django.db import connections, transaction
from django.utils import timezone

from homeward.accounts.models import User
from homeward.core.audit import verify_chain
from homeward.core.models import AuditAction, AuditEntry
from homeward.core.roles import Role
from homeward.demo import DEMO_PASSWORD, DemoDataError, DemoDataMissing, ensure_demo_users, load_demo
from homeward.demo.bulk import column_converter, insert_rows
from homeward.demo.keys import DEMO_NAMESPACE, demo_uuid
from homeward.demo.names import load_name_bank
from homeward.demo.people import AGE_REFERENCE_DATE, SEX_VALUES, Tier, plan_households
from homeward.demo.places import Settlement, load_places
from homeward.demo.region import load_region
from homeward.demo.scales import SCALES
from homeward.demo.towns import classify, town_names
from homeward.demo.villages import district_villages, village_counts
from homeward.places.models import Place, PlaceName
from homeward.registry.choices import Sex
from homeward.registry.models import Household, Person

DISTRICT_CODES = {
    "AZ-AGM",
    "AZ-FUZ",
    "AZ-CAB",
    "AZ-ZAN",
    "AZ-QBI",
    "AZ-LAC",
    "AZ-KAL",
    "AZ-SUS",
    "AZ-XCI",
    "AZ-XVD",
    "AZ-XA",
}
SMALL = next(scale for scale in SCALES if scale.name == "small")


@pytest.fixture
def small(db):
    return load_demo("small")


def row_counts() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in (Place, PlaceName, Household, Person, AuditEntry))


def digest() -> str:
    rows = [
        *sorted(Place.objects.values_list("id", "code", "name", "latitude", "longitude", "population_pre_conflict")),
        *sorted(PlaceName.objects.values_list("id", "text", "language", "kind")),
        *sorted(Household.objects.values_list("id", "reference", "origin__code")),
        *sorted(Person.objects.values_list("id", "given_name", "family_name", "patronymic", "birth_date", "sex")),
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_small_scale_loads_every_district_with_its_iso_name(small):
    districts = Place.objects.filter(level="district")
    assert {district.code for district in districts} == DISTRICT_CODES
    for district in districts:
        assert district.name == pycountry.subdivisions.get(code=district.code).name
        assert district.district_id == district.id
        assert district.parent.code == "AZ"
        assert not district.is_synthetic
    assert Place.objects.get(code="AZ-SUS").name == "Şuşa"
    assert Place.objects.get(code="AZ-AGM").names.filter(language="en", text="Aghdam").exists()


def test_real_towns_land_in_their_districts(small):
    expected = {147105: "AZ-SUS", 148619: "AZ-AGM", 148106: "AZ-FUZ", 146970: "AZ-XA", 147625: "AZ-LAC"}
    for geonames_id, district_code in expected.items():
        town = Place.objects.get(geonames_id=geonames_id)
        assert town.district.code == district_code
        assert town.parent_id == town.district_id
        assert (town.level, town.source, town.is_synthetic) == ("settlement", "geonames", False)
        assert town.households_pre_conflict == round(town.population_pre_conflict / 4.5)
    assert small.towns == Place.objects.filter(source="geonames").count() >= 20


def test_real_towns_carry_their_names_in_several_scripts(small):
    names = PlaceName.objects.filter(place__source="geonames")
    assert names.filter(script="Armn", language="hy").exists()
    assert names.filter(script="Cyrl", language="ru").exists()
    shusha = Place.objects.get(geonames_id=147105)
    assert shusha.display_name("az") == "Şuşa"
    assert shusha.display_name("ru") == "Шуша"
    assert shusha.display_name("en") == "Shusha"
    assert shusha.names.filter(text="Շուշի", language="hy").exists()
    assert not names.filter(text__startswith="http").exists()


def test_synthetic_rows_are_all_marked_as_such(small):
    villages = Place.objects.filter(is_synthetic=True)
    assert villages.count() == small.villages == SMALL.villages
    assert all(code.startswith("DEMO-") for code in villages.values_list("code", flat=True))
    assert set(villages.values_list("source", flat=True)) == {"synthetic"}
    assert not Place.objects.filter(code__startswith="DEMO-", is_synthetic=False).exists()
    assert Person.objects.count() == small.persons == SMALL.persons
    assert not Person.objects.filter(is_synthetic=False).exists()
    assert not Household.objects.exclude(reference__startswith="DEMO-HH-").exists()
    assert not Household.objects.filter(is_synthetic=False).exists()


def test_villages_have_a_name_in_each_script_and_lie_near_their_district_centre(small):
    region = load_region()
    for village in Place.objects.filter(is_synthetic=True).select_related("district"):
        scripts = set(village.names.values_list("language", "script"))
        assert {("az", "Latn"), ("ru", "Cyrl"), ("hy", "Armn"), ("en", "Latn")} <= scripts
        assert 40 <= village.population_pre_conflict <= 4000
        assert 1 <= village.households_pre_conflict <= village.population_pre_conflict
        centre = region.district(village.district.code)
        km = math.dist(
            (village.latitude * 111.32, village.longitude * 111.32 * math.cos(math.radians(centre.latitude))),
            (centre.latitude * 111.32, centre.longitude * 111.32 * math.cos(math.radians(centre.latitude))),
        )
        assert km <= centre.radius_km + 0.1


def test_a_second_run_creates_nothing_and_changes_nothing(small):
    before = row_counts()
    fingerprint = digest()
    again = load_demo("small")
    assert again.created == 0
    assert row_counts() == before
    assert digest() == fingerprint


def test_the_same_rows_come_out_of_two_fresh_loads(db):
    fingerprints = []
    for _ in range(2):
        with transaction.atomic():
            load_demo("small")
            fingerprints.append(digest())
            transaction.set_rollback(True)
        assert Person.objects.count() == 0
    assert fingerprints[0] == fingerprints[1]


def test_a_larger_scale_starts_with_the_rows_of_the_smaller_one():
    region = load_region()
    bank = load_name_bank(region.name_bank)
    district = region.district("AZ-KAL")
    few = district_villages(region, district, bank, 3)
    many = district_villages(region, district, bank, 30)
    assert many[:3] == few
    assert len({village.name for village in many}) == 30

    settlements = [Settlement(f"S{i}", demo_uuid("test", i), demo_uuid("test", "d"), 100 + i) for i in range(5)]
    small_tier = Tier.of(30, settlements[:2])
    larger_tier = Tier.of(200, settlements)
    small_run = list(plan_households(bank, [small_tier], "seed"))
    larger_run = list(plan_households(bank, [small_tier, larger_tier], "seed"))
    assert larger_run[: len(small_run)] == small_run
    assert sum(len(household.members) for household in small_run) == 30
    assert sum(len(household.members) for household in larger_run) == 200


def test_villages_are_shared_between_districts_by_weight():
    region = load_region()
    counts = village_counts(region, SMALL.villages)
    assert sum(counts.values()) == SMALL.villages
    assert counts["AZ-KAL"] > counts["AZ-XA"]


def test_persons_have_no_field_for_ethnicity_religion_or_politics():
    forbidden = ("ethnic", "religio", "nationality", "politic", "race", "faith", "tribe", "clan")
    for model in (Person, Household):
        for field in model._meta.get_fields():
            assert not any(word in field.name.lower() for word in forbidden), field.name


def test_persons_and_households_are_plausible(small):
    households = Household.objects.prefetch_related("members")
    for household in households:
        members = list(household.members.all())
        assert 1 <= len(members) <= 7
        for person in members:
            age = (AGE_REFERENCE_DATE - person.birth_date).days / 365.25
            assert 0 <= age <= 91
            assert person.sex in {"male", "female"}
            assert person.patronymic.endswith(" oğlu" if person.sex == "male" else " qızı")
            assert person.origin_id == household.origin_id
            assert person.district_id == household.district_id == household.origin.district_id
    assert Person.objects.filter(birth_date__gt=dt.date(2006, 1, 1)).exists()
    assert Person.objects.filter(sex="male").exists() and Person.objects.filter(sex="female").exists()


def test_each_bulk_insert_leaves_one_audit_entry_per_model_and_the_chain_holds(small):
    entries = AuditEntry.objects.filter(action=AuditAction.BULK_LOAD)
    by_type = {entry.object_type: entry.changes for entry in entries}
    assert by_type == {
        "places.place": {"created": 1 + 11 + small.towns + small.villages, "scale": "small"},
        "places.placename": {"created": small.place_names, "scale": "small"},
        "registry.household": {"created": small.households, "scale": "small"},
        "registry.person": {"created": small.persons, "scale": "small"},
        "mineaction.hazardousarea": {"created": small.mine_action.hazardous_areas, "scale": "small"},
        "mineaction.hazardousareastate": {"created": small.mine_action.area_states, "scale": "small"},
        "mineaction.landreleaseactivity": {"created": small.mine_action.release_activities, "scale": "small"},
        "mineaction.devicefind": {"created": small.mine_action.devices, "scale": "small"},
        "mineaction.incident": {"created": small.mine_action.incidents, "scale": "small"},
        "mineaction.casualtycount": {"created": small.mine_action.casualty_counts, "scale": "small"},
        "recovery.serviceobservation": {"created": small.recovery.service_observations, "scale": "small"},
        "recovery.housingobservation": {"created": small.recovery.housing_observations, "scale": "small"},
        "recovery.project": {"created": small.recovery.projects, "scale": "small"},
        "recovery.projectrestores": {"created": small.recovery.project_restores, "scale": "small"},
        "recovery.milestone": {"created": small.recovery.milestones, "scale": "small"},
        "recovery.project_settlements": {"created": small.recovery.project_settlements, "scale": "small"},
        "cases.application": {"created": small.casework.applications, "scale": "small"},
        "cases.transition": {"created": small.casework.transitions, "scale": "small"},
        "cases.decision": {"created": small.casework.decisions, "scale": "small"},
        "cases.message": {"created": small.casework.messages, "scale": "small"},
        "cases.informationrequest": {"created": small.casework.information_requests, "scale": "small"},
        "cases.originalseen": {"created": small.casework.originals_seen, "scale": "small"},
    }
    assert verify_chain().ok


def test_progress_is_reported_for_each_step(db):
    calls = []
    load_demo("small", progress=lambda step, done, total: calls.append((step, done, total)))
    steps = {step for step, _, _ in calls}
    assert steps == {"Places", "Place names", "Households and persons", "Mine action", "Recovery", "Casework"}
    assert ("Households and persons", SMALL.persons, SMALL.persons) in calls
    assert all(0 <= done <= total for _, done, total in calls)


def test_an_unknown_scale_is_refused_by_name(db):
    with pytest.raises(DemoDataError, match="small, district, national"):
        load_demo("galactic")


def test_one_demo_user_per_role_with_the_promised_scope(small):
    logins = ensure_demo_users()
    assert [login.username for login in logins] == [
        "admin",
        "analyst",
        "planner",
        "coordinator",
        "caseworker",
        "supervisor",
        "partner",
        "auditor",
        "resident",
    ]
    assert {login.role for login in logins} == set(Role.values)
    assert {login.password for login in logins} == {DEMO_PASSWORD}
    users = {user.username: user for user in User.objects.prefetch_related("districts").select_related("agency")}
    assert users["admin"].is_superuser and users["admin"].all_districts
    assert all(users[name].all_districts for name in ("analyst", "planner", "coordinator", "auditor", "partner"))
    assert {d.code for d in users["caseworker"].districts.all()} == {"AZ-AGM"}
    assert {d.code for d in users["supervisor"].districts.all()} == {"AZ-AGM", "AZ-FUZ"}
    assert not users["caseworker"].all_districts
    assert users["partner"].agency.kind == "ngo"
    assert users["partner"].agency.name.endswith(" (demo)")
    assert users["resident"].agency is None and users["resident"].role == "resident"
    assert all(user.check_password(DEMO_PASSWORD) for user in users.values())


def test_demo_users_can_be_ensured_again_and_get_their_password_back(small):
    ensure_demo_users()
    caseworker = User.objects.get(username="caseworker")
    caseworker.set_password("something-else-entirely")
    caseworker.save(update_fields=["password"])
    count = User.objects.count()
    ensure_demo_users()
    assert User.objects.count() == count
    assert User.objects.get(username="caseworker").check_password(DEMO_PASSWORD)


def test_demo_users_need_the_districts_loaded_first(db):
    with pytest.raises(DemoDataMissing, match="load the demo data first"):
        ensure_demo_users()
    assert not User.objects.exists()


def test_alternate_names_are_sorted_by_script_and_noise_is_dropped():
    assert classify("Шуша").language == "ru"
    assert classify("Շուշի").script == "Armn"
    assert classify("Şuşa").language == "az"
    assert classify("Choucha").language == "other"
    for noise in ("ZZE", "http://example.org", "shwshy", "شوشی", "Khojaly District", "A1"):
        assert classify(noise) is None
    local, names = town_names("Shusha", ["Şuşa", "Шуша", "Суша", "Շուշի", "FZL"])
    assert local == "Şuşa"
    official = {(name.language, name.text) for name in names if name.kind == "official"}
    assert official >= {("en", "Shusha"), ("az", "Şuşa"), ("ru", "Шуша")}


def test_the_fast_insert_stores_what_the_orm_reads_back(small):
    region = load_region()
    bank = load_name_bank(region.name_bank)
    gazetteer, _ = load_places(region, bank, SMALL, lambda step, done, total: None)
    tiers = [Tier.of(SMALL.persons, gazetteer.settlements(village_counts(region, SMALL.villages)))]
    planned = list(plan_households(bank, tiers, f"homeward-demo:{region.key}:households"))
    assert Household.objects.count() == len(planned)
    for expected in (planned[0], planned[len(planned) // 2], planned[-1]):
        household = Household.objects.get(pk=expected.id)
        assert isinstance(household.id, uuid.UUID)
        assert (household.reference, household.origin_id, household.district_id) == (
            expected.reference,
            expected.origin.id,
            expected.origin.district_id,
        )
        assert household.is_synthetic and household.row_version == 1 and household.created_by_id is None
        assert timezone.is_aware(household.created_at) and timezone.is_aware(household.updated_at)
        assert abs(timezone.now() - household.created_at) < dt.timedelta(minutes=10)
        persons = Person.objects.filter(household=household).select_related("household")
        assert {person.id for person in persons} == {expected.person_id(i) for i in range(len(expected.members))}
        for index, member in enumerate(expected.members):
            person = Person.objects.select_related("household").get(pk=expected.person_id(index))
            assert person.household == household and person.household.reference == expected.reference
            assert (person.given_name, person.family_name, person.patronymic, person.sex) == (
                member.given_name,
                member.family_name,
                member.patronymic,
                SEX_VALUES[member.sex],
            )
            assert type(person.birth_date) is dt.date and person.birth_date == member.birth_date
            assert (person.origin_id, person.district_id) == (expected.origin.id, expected.origin.district_id)
            assert person.is_synthetic and timezone.is_aware(person.created_at)
    assert Person.objects.filter(birth_date=planned[0].members[0].birth_date).exists()


def test_column_converters_give_what_the_orm_would_save():
    connection = connections["default"]
    key, day = uuid.UUID("12345678-1234-5678-1234-567812345678"), dt.date(1987, 6, 5)
    moment = dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    columns = {
        "id": [[key, demo_uuid("test", 1)], [key, str(key)]],
        "household_id": [[key], [key, None], [key.hex]],
        "birth_date": [[day, dt.date(1900, 1, 1)], [day, None], [moment]],
        "given_name": [["Əli", ""], ["Əli", Sex.MALE], [7]],
        "is_synthetic": [[True, False], [True, 1]],
        "row_version": [[1, 2]],
        "created_at": [[moment]],
    }
    fields = {field.attname: field for field in Person._meta.concrete_fields}
    for name, samples in columns.items():
        convert = column_converter(fields[name], connection)
        for column in samples:
            expected = [fields[name].get_db_prep_save(value, connection) for value in column]
            assert list(convert(column)) == expected, (name, column)
            assert [type(value) for value in convert(column)] == [type(value) for value in expected], (name, column)


def test_insert_rows_fills_in_the_fields_it_is_not_given(small):
    district = Place.objects.get(code="AZ-AGM")
    before = Household.objects.count()
    rows = [(f"TEST-{n}", district.id, district.id) for n in range(3)]
    for _ in range(2):
        insert_rows(Household, ["reference", "origin_id", "district_id"], rows)
    assert Household.objects.count() == before + 3
    added = list(Household.objects.filter(reference__startswith="TEST-"))
    assert len({household.id for household in added}) == 3
    assert all(not household.is_synthetic and household.row_version == 1 for household in added)
    assert all(timezone.is_aware(household.created_at) for household in added)


def test_demo_keys_are_uuid5_of_the_natural_key():
    for kind, key in [("person", ("DEMO-HH-0000001", 0)), ("place", ("AZ-SUS",)), ("placename", ("Ş", "az", 1.5))]:
        expected = uuid.uuid5(DEMO_NAMESPACE, "|".join((kind, *(str(part) for part in key))))
        assert demo_uuid(kind, *key) == expected
        assert demo_uuid(kind, *key).version == 5
    assert demo_uuid("person", "DEMO-HH-0000001", 0) == uuid.UUID("5b74cf1b-6f96-534b-a082-66b18413255e")
