from __future__ import annotations

import datetime as dt
import uuid

from django.http import HttpRequest
from ninja import Router, Schema

from homeward.registry import selectors
from homeward.registry.models import Person

router = Router(tags=["registry"])


class PersonOut(Schema):
    id: uuid.UUID
    given_name: str
    family_name: str
    patronymic: str
    birth_date: dt.date | None
    sex: str
    district: str
    is_synthetic: bool

    @staticmethod
    def resolve_district(person: Person) -> str:
        return person.district.code


@router.get("/persons/{person_id}", response=PersonOut, summary="One person (the read is audited)")
def get_person(request: HttpRequest, person_id: uuid.UUID) -> Person:
    return selectors.get_person_for_user(request.user, person_id, purpose="API read")
