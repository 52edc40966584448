"""Registry API: persons with their names, identity documents, contacts and consent.

Every read of a person is audited and limited to the caller's districts. Look-ups by document or
phone number are POSTs, so the number never appears in a URL (or an access log).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from homeward.places.selectors import districts_for, settlement_by_code
from homeward.registry import selectors, services
from homeward.registry.choices import Sex
from homeward.registry.contact_values import InvalidContact
from homeward.registry.inputs import ConsentInput, ContactInput, DocumentInput, NameInput, PartialDate, PersonInput
from homeward.registry.models import ConsentRecord, Contact, IdentityDocument, Person, PersonName

router = Router(tags=["registry"])


class ErrorOut(Schema):
    detail: str
    field: str = ""


class PersonOut(Schema):
    id: uuid.UUID
    given_name: str
    family_name: str
    patronymic: str
    birth_date: dt.date | None
    birth_date_precision: str
    sex: str
    district: str
    is_synthetic: bool

    @staticmethod
    def resolve_district(person: Person) -> str:
        return person.district.code


class NameOut(Schema):
    id: uuid.UUID
    kind: str
    value: str
    language: str
    script: str


class DocumentOut(Schema):
    id: uuid.UUID
    document_type: str
    number: str
    issuer: str
    issued_on: dt.date | None
    expires_on: dt.date | None


class ContactOut(Schema):
    id: uuid.UUID
    kind: str
    value: str


class ConsentOut(Schema):
    id: uuid.UUID
    purpose: str
    agreed: str
    given_at: dt.datetime
    withdrawn_at: dt.datetime | None


class PersonDetailOut(PersonOut):
    birth_date_text: str
    origin: str | None
    place_of_birth: str | None
    place_of_birth_text: str
    father_name: str
    mother_name: str
    names: list[NameOut]
    documents: list[DocumentOut]
    contacts: list[ContactOut]
    consents: list[ConsentOut]

    @staticmethod
    def resolve_birth_date_text(person: Person) -> str:
        return person.birth_date_shown

    @staticmethod
    def resolve_origin(person: Person) -> str | None:
        return person.origin.code if person.origin else None

    @staticmethod
    def resolve_place_of_birth(person: Person) -> str | None:
        return person.place_of_birth.code if person.place_of_birth else None

    @staticmethod
    def resolve_names(person: Person) -> list[PersonName]:
        return list(person.names.all())

    @staticmethod
    def resolve_documents(person: Person) -> list[IdentityDocument]:
        return list(person.documents.all())

    @staticmethod
    def resolve_contacts(person: Person) -> list[Contact]:
        return list(person.contacts.all())

    @staticmethod
    def resolve_consents(person: Person) -> list[ConsentRecord]:
        return list(person.consents.all())


class NameIn(Schema):
    kind: str
    value: str
    language: str
    script: str = ""


class DocumentIn(Schema):
    document_type: str
    number: str
    issuer: str = ""
    issued_on: dt.date | None = None
    expires_on: dt.date | None = None


class ContactIn(Schema):
    kind: str
    value: str


class ConsentIn(Schema):
    purpose: str
    agreed: str
    given_at: dt.datetime | None = None


class PersonIn(Schema):
    district: str
    given_name: str
    family_name: str
    patronymic: str = ""
    birth_date: str | None = None
    sex: str = Sex.UNKNOWN
    origin: str | None = None
    place_of_birth: str | None = None
    place_of_birth_text: str = ""
    father_name: str = ""
    mother_name: str = ""
    names: list[NameIn] = []
    documents: list[DocumentIn] = []
    contacts: list[ContactIn] = []
    consents: list[ConsentIn] = []


class DocumentLookupIn(Schema):
    document_type: str
    number: str


class PhoneLookupIn(Schema):
    number: str


def _settlement_id(field: str, code: str | None) -> uuid.UUID | None:
    if not code:
        return None
    settlement = settlement_by_code(code)
    if settlement is None:
        raise services.RegistryInputError(field, f"no settlement has the code {code}")
    return settlement.pk


def _person_input(request: HttpRequest, payload: PersonIn) -> PersonInput:
    district = districts_for(request.user).filter(code=payload.district).first()
    if district is None:
        raise services.RegistryInputError("district", f"no district has the code {payload.district}")
    birth_date = None
    if payload.birth_date:
        try:
            birth_date = PartialDate.parse(payload.birth_date)
        except ValueError:
            raise services.RegistryInputError("birth_date", "write a date as YYYY, YYYY-MM or YYYY-MM-DD") from None
    return PersonInput(
        district_id=district.pk,
        given_name=payload.given_name,
        family_name=payload.family_name,
        patronymic=payload.patronymic,
        birth_date=birth_date,
        sex=payload.sex,
        origin_id=_settlement_id("origin", payload.origin),
        place_of_birth_id=_settlement_id("place_of_birth", payload.place_of_birth),
        place_of_birth_text=payload.place_of_birth_text,
        father_name=payload.father_name,
        mother_name=payload.mother_name,
        names=tuple(NameInput(**name.dict()) for name in payload.names),
        documents=tuple(DocumentInput(**document.dict()) for document in payload.documents),
        contacts=tuple(ContactInput(**contact.dict()) for contact in payload.contacts),
        consents=tuple(ConsentInput(**consent.dict()) for consent in payload.consents),
    )


@router.post(
    "/persons",
    response={201: PersonDetailOut, 422: ErrorOut},
    summary="Register a person with names, documents, contacts and consent (all or nothing)",
)
def create_person(request: HttpRequest, payload: PersonIn) -> Any:
    person = services.create_person(request.user, _person_input(request, payload))
    return Status(201, selectors.get_person_for_user(request.user, person.pk, purpose="API create", details=True))


@router.post(
    "/persons/find-by-document",
    response={200: PersonDetailOut, 404: ErrorOut},
    summary="The person in your districts holding an identity document (the find is audited)",
)
def find_by_document(request: HttpRequest, payload: DocumentLookupIn) -> Any:
    person = selectors.find_by_document(
        request.user, payload.document_type, payload.number, purpose="API find by document"
    )
    if person is None:
        return Status(404, ErrorOut(detail="No person in your districts holds this document."))
    return person


@router.post(
    "/persons/find-by-phone",
    response={200: list[PersonOut], 422: ErrorOut},
    summary="The persons in your districts with a phone number (the find is audited)",
)
def find_by_phone(request: HttpRequest, payload: PhoneLookupIn) -> Any:
    try:
        return selectors.find_by_phone(request.user, payload.number, purpose="API find by phone")
    except InvalidContact as error:
        return Status(422, ErrorOut(detail=str(error), field="number"))


@router.get("/persons/{person_id}", response=PersonDetailOut, summary="One person (the read is audited)")
def get_person(request: HttpRequest, person_id: uuid.UUID) -> Person:
    return selectors.get_person_for_user(request.user, person_id, purpose="API read", details=True)


def _person(request: HttpRequest, person_id: uuid.UUID) -> Person:
    return selectors.get_person_for_user(request.user, person_id, purpose="API change")


@router.post("/persons/{person_id}/names", response={201: NameOut, 422: ErrorOut}, summary="Add a spelling of a name")
def add_name(request: HttpRequest, person_id: uuid.UUID, payload: NameIn) -> Any:
    return Status(201, services.add_name(request.user, _person(request, person_id), NameInput(**payload.dict())))


@router.post(
    "/persons/{person_id}/documents",
    response={201: DocumentOut, 422: ErrorOut},
    summary="Add an identity document (the number must fit its type and be new within it)",
)
def add_document(request: HttpRequest, person_id: uuid.UUID, payload: DocumentIn) -> Any:
    person = _person(request, person_id)
    return Status(201, services.add_identity_document(request.user, person, DocumentInput(**payload.dict())))


@router.post(
    "/persons/{person_id}/contacts",
    response={201: ContactOut, 422: ErrorOut},
    summary="Add a phone number, e-mail or postal address",
)
def add_contact(request: HttpRequest, person_id: uuid.UUID, payload: ContactIn) -> Any:
    person = _person(request, person_id)
    return Status(201, services.add_contact(request.user, person, ContactInput(**payload.dict())))


@router.post(
    "/persons/{person_id}/consents",
    response={201: ConsentOut, 422: ErrorOut},
    summary="Record consent given for a purpose",
)
def record_consent(request: HttpRequest, person_id: uuid.UUID, payload: ConsentIn) -> Any:
    person = _person(request, person_id)
    return Status(201, services.record_consent(request.user, person, ConsentInput(**payload.dict())))


@router.post(
    "/consents/{consent_id}/withdraw",
    response={200: ConsentOut, 422: ErrorOut},
    summary="Withdraw consent (the record is kept)",
)
def withdraw_consent(request: HttpRequest, consent_id: uuid.UUID) -> Any:
    consent = selectors.consent_for_user(request.user, consent_id)
    return services.withdraw_consent(request.user, consent)
