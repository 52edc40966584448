"""Registry writes: persons with names, documents, contacts and consent; bad input changes nothing."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from homeward.core.audit import verify_chain
from homeward.core.models import AuditEntry
from homeward.registry import services
from homeward.registry.choices import DatePrecision
from homeward.registry.inputs import ConsentInput, ContactInput, DocumentInput, NameInput, PartialDate, PersonInput
from homeward.registry.models import ConsentRecord, Contact, IdentityDocument, Person, PersonName
from homeward.registry.services import RegistryInputError

REGISTRY_MODELS = (Person, PersonName, IdentityDocument, Contact, ConsentRecord, AuditEntry)


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in REGISTRY_MODELS}


def person_input(world, **overrides) -> PersonInput:
    values = {
        "district_id": world.aghdam.pk,
        "given_name": "Aygün",
        "family_name": "Məmmədova",
        "patronymic": "Rauf qızı",
        "birth_date": dt.date(1980, 5, 17),
        "sex": "female",
        "origin_id": world.aghdam_village.pk,
    }
    values.update(overrides)
    return PersonInput(**values)


def refused(call, field: str) -> RegistryInputError:
    """Run ``call``; it must raise a RegistryInputError naming ``field`` and write nothing."""
    before = row_counts()
    with pytest.raises(RegistryInputError) as error:
        call()
    assert error.value.field == field, error.value
    assert row_counts() == before
    return error.value


@pytest.fixture
def caseworker(personas):
    return personas.caseworker_aghdam


@pytest.fixture
def person(world, caseworker):
    return services.create_person(caseworker, person_input(world))


def test_a_person_is_registered_with_names_documents_contacts_and_consent(world, caseworker):
    person = services.create_person(
        caseworker,
        person_input(
            world,
            place_of_birth_id=world.aghdam_village.pk,
            father_name="Rauf",
            mother_name="Leyla",
            names=(
                NameInput(kind="given", value="Айгюн", language="ru"),
                NameInput(kind="family", value="Mammadova", language="en", script="Latn"),
            ),
            documents=(DocumentInput(document_type="national_id", number="aa 1234567", issuer="DMX"),),
            contacts=(ContactInput(kind="phone", value="050 123 45 67"),),
            consents=(ConsentInput(purpose="registration", agreed="Keep my record for return planning."),),
        ),
    )
    person.refresh_from_db()
    assert person.created_by == caseworker
    assert person.place_of_birth == world.aghdam_village
    assert (person.father_name, person.mother_name) == ("Rauf", "Leyla")
    assert {(n.kind, n.value, n.language, n.script) for n in person.names.all()} == {
        ("given", "Айгюн", "ru", "Cyrl"),
        ("family", "Mammadova", "en", "Latn"),
    }
    document = person.documents.get()
    assert (document.document_type, document.number, document.issuer) == ("national_id", "AA1234567", "DMX")
    assert person.contacts.get().value == "+994501234567"
    assert person.consents.get().is_active


def test_audit_entries_name_no_one_and_hold_no_number_or_contact(world, caseworker):
    services.create_person(
        caseworker,
        person_input(
            world,
            father_name="Rauf",
            names=(NameInput(kind="given", value="Айгюн", language="ru"),),
            documents=(DocumentInput(document_type="passport", number="C01234567"),),
            contacts=(ContactInput(kind="email", value="aygun@example.org"),),
        ),
    )
    logged = json.dumps([[e.object_label, e.changes] for e in AuditEntry.objects.all()], ensure_ascii=False)
    for secret in ("Aygün", "Məmmədova", "Rauf", "Айгюн", "C01234567", "aygun@example.org", "1980-05-17"):
        assert secret not in logged
    assert "[redacted]" in logged
    assert verify_chain().ok


@pytest.mark.parametrize(
    ("given", "stored", "precision", "shown"),
    [
        (PartialDate(1980), dt.date(1980, 1, 1), DatePrecision.YEAR, "1980"),
        (PartialDate(1980, 5), dt.date(1980, 5, 1), DatePrecision.MONTH, "1980-05"),
        (PartialDate(1980, 5, 17), dt.date(1980, 5, 17), DatePrecision.DAY, "1980-05-17"),
        (dt.date(1980, 5, 17), dt.date(1980, 5, 17), DatePrecision.DAY, "1980-05-17"),
        (None, None, DatePrecision.DAY, ""),
    ],
)
def test_a_date_of_birth_may_be_partial(world, caseworker, given, stored, precision, shown):
    person = services.create_person(caseworker, person_input(world, birth_date=given))
    person.refresh_from_db()
    assert (person.birth_date, person.birth_date_precision, person.birth_date_shown) == (stored, precision, shown)


def test_partial_dates_are_parsed_from_text():
    assert PartialDate.parse("1980") == PartialDate(1980)
    assert PartialDate.parse("1980-05") == PartialDate(1980, 5)
    assert PartialDate.parse(" 1980-05-07 ") == PartialDate(1980, 5, 7)
    for text in ("80", "1980/05", "1980-05-07T00:00", "soon"):
        with pytest.raises(ValueError):
            PartialDate.parse(text)


def test_a_date_of_birth_in_the_future_is_refused_and_nothing_written(world, caseworker):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    error = refused(lambda: services.create_person(caseworker, person_input(world, birth_date=tomorrow)), "birth_date")
    assert "future" in error.message


@pytest.mark.parametrize("years_ahead", [1, 30])
def test_a_partial_date_of_birth_wholly_in_the_future_is_refused(world, caseworker, years_ahead):
    next_year = PartialDate(timezone.localdate().year + years_ahead)
    refused(lambda: services.create_person(caseworker, person_input(world, birth_date=next_year)), "birth_date")


def test_this_year_is_a_possible_partial_date_of_birth(world, caseworker):
    this_year = PartialDate(timezone.localdate().year)
    person = services.create_person(caseworker, person_input(world, birth_date=this_year))
    assert person.birth_date_shown == str(timezone.localdate().year)


@pytest.mark.parametrize("impossible", [PartialDate(1980, 2, 30), PartialDate(1980, 13), PartialDate(1980, None, 4)])
def test_an_impossible_date_of_birth_is_refused(world, caseworker, impossible):
    refused(lambda: services.create_person(caseworker, person_input(world, birth_date=impossible)), "birth_date")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"given_name": "  "}, "given_name"),
        ({"family_name": "x" * 101}, "family_name"),
        ({"sex": "other"}, "sex"),
        ({"district_id": "00000000-0000-0000-0000-000000000000"}, "district"),
    ],
)
def test_bad_person_fields_are_refused_naming_the_field(world, caseworker, overrides, field):
    refused(lambda: services.create_person(caseworker, person_input(world, **overrides)), field)


def test_a_settlement_is_not_a_district(world, caseworker):
    refused(
        lambda: services.create_person(caseworker, person_input(world, district_id=world.aghdam_village.pk)),
        "district",
    )


def test_one_bad_document_leaves_no_person_and_nothing_else_behind(world, caseworker):
    data = person_input(
        world,
        names=(NameInput(kind="given", value="Aygün", language="az"),),
        contacts=(ContactInput(kind="phone", value="+994 50 123 45 67"),),
        documents=(
            DocumentInput(document_type="passport", number="C01234567"),
            DocumentInput(document_type="national_id", number="not-a-number"),
        ),
    )
    error = refused(lambda: services.create_person(caseworker, data), "documents[1].number")
    assert "AA" in error.message  # the rule's description says what a number looks like


@pytest.mark.parametrize(
    ("document_type", "number"),
    [
        ("national_id", "AA123456"),
        ("national_id", "AZE1234"),
        ("passport", "1234567"),
        ("passport", "C0123"),
        ("birth_certificate", "12345"),
        ("residence_permit", "ABCD123456"),
    ],
)
def test_a_document_number_that_fails_its_types_rule_is_refused(person, caseworker, document_type, number):
    refused(
        lambda: services.add_identity_document(
            caseworker, person, DocumentInput(document_type=document_type, number=number)
        ),
        "number",
    )


@pytest.mark.parametrize(
    ("document_type", "number", "stored"),
    [
        ("national_id", "AA 1234567", "AA1234567"),
        ("national_id", "aze12345678", "AZE12345678"),
        ("passport", "c 0123 4567", "C01234567"),
        ("birth_certificate", "III-ƏB № 123456", "III-ƏB123456"),
        ("refugee_idp_card", "IDP-2021-0042", "IDP-2021-0042"),
        ("other", "any-Thing/42", "ANY-THING/42"),
    ],
)
def test_document_numbers_are_stored_in_canonical_form(person, caseworker, document_type, number, stored):
    document = services.add_identity_document(
        caseworker, person, DocumentInput(document_type=document_type, number=number)
    )
    document.refresh_from_db()
    assert document.number == stored


def test_a_document_number_is_unique_within_its_type_only(world, person, caseworker):
    other = services.create_person(caseworker, person_input(world, given_name="Rauf", sex="male"))
    services.add_identity_document(caseworker, person, DocumentInput(document_type="passport", number="C01234567"))
    error = refused(
        lambda: services.add_identity_document(
            caseworker, other, DocumentInput(document_type="passport", number="c0123 4567")
        ),
        "number",
    )
    assert "already registered" in error.message
    # the same number as another type of document is a different document
    services.add_identity_document(
        caseworker, other, DocumentInput(document_type="residence_permit", number="C01234567")
    )
    assert IdentityDocument.objects.count() == 2


def test_the_same_number_twice_in_one_registration_is_refused(world, caseworker):
    twice = (
        DocumentInput(document_type="passport", number="C01234567"),
        DocumentInput(document_type="passport", number="C01234567"),
    )
    refused(lambda: services.create_person(caseworker, person_input(world, documents=twice)), "documents[1].number")


def test_a_document_cannot_expire_before_it_was_issued(person, caseworker):
    data = DocumentInput(
        document_type="passport", number="C01234567", issued_on=dt.date(2020, 1, 1), expires_on=dt.date(2019, 1, 1)
    )
    refused(lambda: services.add_identity_document(caseworker, person, data), "expires_on")


def test_a_document_cannot_be_issued_in_the_future(person, caseworker):
    data = DocumentInput(
        document_type="passport", number="C01234567", issued_on=timezone.localdate() + dt.timedelta(days=3)
    )
    refused(lambda: services.add_identity_document(caseworker, person, data), "issued_on")


def test_an_unknown_document_type_is_refused(person, caseworker):
    refused(
        lambda: services.add_identity_document(caseworker, person, DocumentInput(document_type="visa", number="X1")),
        "document_type",
    )


@pytest.mark.parametrize(
    ("written", "e164"),
    [
        ("050 123 45 67", "+994501234567"),
        ("(012) 555-12-34", "+994125551234"),
        ("+994 55 765 43 21", "+994557654321"),
        ("+7 916 123-45-67", "+79161234567"),
        ("00994501234567", "+994501234567"),
    ],
)
def test_phone_numbers_are_stored_in_e164(person, caseworker, written, e164):
    contact = services.add_contact(caseworker, person, ContactInput(kind="phone", value=written))
    contact.refresh_from_db()
    assert contact.value == e164


def test_the_default_region_reads_national_numbers(person, caseworker, settings):
    settings.HOMEWARD_PHONE_REGION = "RU"
    contact = services.add_contact(caseworker, person, ContactInput(kind="phone", value="8 (916) 123-45-67"))
    assert contact.value == "+79161234567"


@pytest.mark.parametrize("bad", ["call me", "", "12", "+994 50 123", "050 123 45 67 89 00", "+999 123 456 789"])
def test_an_unparseable_or_invalid_phone_number_is_refused_naming_the_field(person, caseworker, bad):
    error = refused(lambda: services.add_contact(caseworker, person, ContactInput(kind="phone", value=bad)), "value")
    assert "phone number" in error.message


def test_a_bad_phone_number_in_a_registration_names_its_place(world, caseworker):
    data = person_input(world, contacts=(ContactInput(kind="phone", value="+994 50 123"),))
    refused(lambda: services.create_person(caseworker, data), "contacts[0].value")


def test_e_mail_and_addresses_are_checked_and_tidied(person, caseworker):
    email = services.add_contact(caseworker, person, ContactInput(kind="email", value=" Aygun@Example.ORG "))
    address = services.add_contact(caseworker, person, ContactInput(kind="address", value="  Nizami küç. 5,\n  Ağdam "))
    assert email.value == "Aygun@example.org"
    assert address.value == "Nizami küç. 5, Ağdam"
    refused(lambda: services.add_contact(caseworker, person, ContactInput(kind="email", value="aygun@")), "value")
    refused(lambda: services.add_contact(caseworker, person, ContactInput(kind="fax", value="1")), "kind")


def test_the_same_contact_twice_is_refused(person, caseworker):
    services.add_contact(caseworker, person, ContactInput(kind="phone", value="050 123 45 67"))
    refused(
        lambda: services.add_contact(caseworker, person, ContactInput(kind="phone", value="+994501234567")), "value"
    )


def test_names_carry_a_language_and_a_script(person, caseworker):
    armenian = services.add_name(caseworker, person, NameInput(kind="family", value="Մամեդովա", language="hy"))
    assert armenian.script == "Armn"
    refused(lambda: services.add_name(caseworker, person, NameInput("given", "Aygün", "Azeri")), "language")
    refused(lambda: services.add_name(caseworker, person, NameInput("given", "Aygün", "az", "latin")), "script")
    refused(lambda: services.add_name(caseworker, person, NameInput("given", "艾君", "zh")), "script")
    refused(lambda: services.add_name(caseworker, person, NameInput("nickname", "Ayka", "az")), "kind")
    chinese = services.add_name(caseworker, person, NameInput("given", "艾君", "zh", "Hani"))
    assert chinese.script == "Hani"


def test_consent_is_withdrawn_but_kept(person, caseworker):
    consent = services.record_consent(
        caseworker, person, ConsentInput(purpose="data_sharing", agreed="Share my record with Partner NGO.")
    )
    services.withdraw_consent(caseworker, consent)
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert not consent.is_active
    error = refused(lambda: services.withdraw_consent(caseworker, consent), "withdrawn_at")
    assert "already" in error.message
    with pytest.raises(PermissionError):
        consent.delete()
    with pytest.raises(PermissionError):
        ConsentRecord.objects.filter(pk=consent.pk).delete()
    assert ConsentRecord.objects.filter(pk=consent.pk).exists()


def test_consent_cannot_be_given_in_the_future_or_withdrawn_before_it_was_given(person, caseworker):
    later = timezone.now() + dt.timedelta(hours=2)
    refused(
        lambda: services.record_consent(caseworker, person, ConsentInput("contact", "Call me.", given_at=later)),
        "given_at",
    )
    given = timezone.now() - dt.timedelta(days=2)
    consent = services.record_consent(caseworker, person, ConsentInput("contact", "Call me.", given_at=given))
    refused(
        lambda: services.withdraw_consent(caseworker, consent, at=given - dt.timedelta(days=1)),
        "withdrawn_at",
    )
    refused(lambda: services.record_consent(caseworker, person, ConsentInput("marketing", "Spam me.")), "purpose")


def test_a_caseworker_cannot_register_or_change_persons_outside_their_districts(world, personas, person):
    lachin = personas.caseworker_lachin
    before = row_counts()
    with pytest.raises(PermissionDenied):
        services.create_person(lachin, person_input(world))
    with pytest.raises(PermissionDenied):
        services.add_contact(lachin, person, ContactInput(kind="phone", value="050 123 45 67"))
    with pytest.raises(PermissionDenied):
        services.create_person(personas.planner, person_input(world))
    assert row_counts() == before


def test_the_system_may_register_without_a_user(world):
    person = services.create_person(None, person_input(world))
    assert person.created_by is None
    assert AuditEntry.objects.filter(object_id=str(person.pk), origin="system").exists()
