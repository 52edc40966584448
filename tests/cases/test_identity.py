"""Who is the applicant: candidates among registered persons with their reasons, linking one, or
registering the applicant as a new person."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from homeward.cases import identity, selectors, services
from homeward.cases.identity import ApplicantData, RegistryNameMatcher, normalise_name
from homeward.cases.services import ActionRefused, CaseError
from homeward.core.models import AuditEntry
from homeward.registry.models import Person
from tests.cases.test_services import set_up_casework
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

BORN = dt.date(1980, 5, 17)


@pytest.fixture
def casework(world, personas):
    return set_up_casework(world, personas)


def person(world, given="Aygün", family="Məmmədova", born=BORN, patronymic="", district=None) -> Person:
    return PersonFactory(
        given_name=given,
        family_name=family,
        patronymic=patronymic,
        birth_date=born,
        district=district or world.aghdam,
    )


@pytest.mark.parametrize(
    ("written", "compared"),
    [
        ("  Aygün   Məmmədova ", "aygun məmmədova"),
        ("İSA", "isa"),
        ("Şəkər", "səkər"),
        ("Çingiz Ağayev", "cingiz agayev"),
        ("Ａｙｇｕｎ", "aygun"),  # full-width letters, NFKC
        ("Артём", "артем"),
        ("Անի", "անի"),
    ],
)
def test_names_are_compared_case_folded_without_diacritics_and_with_single_spaces(written, compared):
    assert normalise_name(written) == compared


def test_the_same_name_and_birth_date_is_the_strongest_candidate(world):
    exact = person(world)
    loose = person(world, given="AYGUN", family="Məmmədova")
    other_birthday = person(world, born=dt.date(1991, 1, 1))
    person(world, given="Leyla")
    person(world, patronymic="Rauf qızı")

    found = RegistryNameMatcher().candidates(ApplicantData("Aygün", "Məmmədova", "Elçin qızı", BORN))

    assert [(c.person_id, c.reasons) for c in found] == [
        (exact.pk, ("exact name and birth date",)),
        (loose.pk, ("same normalised name and birth date",)),
        (other_birthday.pk, ("exact name", "different birth date")),
    ]


def test_without_a_birth_date_only_the_exact_name_is_looked_for(world):
    exact = person(world)
    person(world, given="aygün")

    found = RegistryNameMatcher().candidates(ApplicantData("Aygün", "Məmmədova"))

    assert [(c.person_id, c.reasons) for c in found] == [(exact.pk, ("exact name", "no birth date to compare"))]


def test_the_whole_registry_is_searched_in_one_statement_that_finds_what_the_orm_finds(world):
    for given, family, born in [
        ("Aygün", "Məmmədova", BORN),
        ("AYGUN", "Məmmədova", BORN),
        ("Leyla", "Həsənova", BORN),
        ("Aygün", "Məmmədova", None),
        *(("Aygün", "Məmmədova", dt.date(1990, 1, day)) for day in range(1, 6)),
    ]:
        person(world, given=given, family=family, born=born)
    applicants = [
        ApplicantData("Aygün", "Məmmədova", "", BORN),
        ApplicantData("Aygün", "Məmmədova"),
        ApplicantData("Leyla", "Həsənova", "", dt.date(2001, 2, 3)),
        ApplicantData("Nobody", "Known", "", BORN),
    ]
    for limit in (2, 20):
        for applicant in applicants:
            whole = RegistryNameMatcher(limit=limit)
            with CaptureQueriesContext(connection) as queries:
                found = whole.candidates(applicant)
            assert len(queries.captured_queries) == 1
            # The same search through the ORM (a queryset narrows it to every person here).
            assert found == RegistryNameMatcher(Person.objects.all(), limit=limit).candidates(applicant)
            assert all(isinstance(candidate.person_id, uuid.UUID) for candidate in found)
    # Five with the exact name and another birth date, one without: at most twice the limit are read.
    assert len(RegistryNameMatcher(limit=2).candidates(ApplicantData("Aygün", "Məmmədova", "", BORN))) == 2


def test_the_matcher_satisfies_the_interface():
    matcher: identity.IdentityMatcher = RegistryNameMatcher()
    assert matcher.candidates(ApplicantData("Nobody", "Known")) == []


def test_submission_stores_the_candidates_with_their_reasons(casework, world):
    registered = person(world)

    application = casework.submitted()

    assert application.identity_candidates == [{"person": str(registered.pk), "reasons": ["exact name and birth date"]}]


def test_a_caseworker_sees_only_candidates_in_their_districts_and_the_read_is_audited(casework, world, personas):
    here = person(world)
    person(world, district=world.lachin)
    application = casework.submitted()

    shown = selectors.identity_candidates_for(personas.caseworker_aghdam, application)

    assert [(p.pk, c.reasons) for p, c in shown] == [(here.pk, ("exact name and birth date",))]
    entry = AuditEntry.objects.filter(action="read", object_type="registry.person").latest("sequence")
    assert entry.changes == {"ids": [str(here.pk)]}


def test_linking_a_person(casework, world, personas):
    registered = person(world)
    application = casework.submitted()

    services.link_person(application, registered.pk, actor=personas.caseworker_aghdam)

    application.refresh_from_db()
    assert application.person == registered


def test_a_person_outside_the_caseworkers_districts_cannot_be_linked(casework, world, personas):
    elsewhere = person(world, district=world.lachin)
    application = casework.submitted()

    with pytest.raises(Http404):
        services.link_person(application, elsewhere.pk, actor=personas.caseworker_aghdam)

    application.refresh_from_db()
    assert application.person is None


def test_registering_the_applicant_as_a_new_person(casework, personas, world):
    application = casework.submitted(patronymic="Elçin qızı")

    services.create_person_from_application(application, actor=personas.caseworker_aghdam)

    created = Person.objects.get()
    assert application.person == created
    assert (created.given_name, created.family_name, created.patronymic, created.birth_date, created.district) == (
        "Aygün",
        "Məmmədova",
        "Elçin qızı",
        BORN,
        world.aghdam,
    )
    with pytest.raises(CaseError) as again:
        services.create_person_from_application(application, actor=personas.caseworker_aghdam)
    assert again.value.field == "person"
    assert Person.objects.count() == 1


def test_a_caseworker_outside_the_district_cannot_register_the_applicant(casework, personas):
    application = casework.submitted()

    with pytest.raises(ActionRefused):
        services.create_person_from_application(application, actor=personas.caseworker_lachin)
    assert not Person.objects.exists()
