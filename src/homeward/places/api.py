from __future__ import annotations

import uuid

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from homeward.places import selectors
from homeward.places.models import Place

router = Router(tags=["places"])


class NameOut(Schema):
    text: str
    language: str
    script: str
    kind: str


class PlaceOut(Schema):
    id: uuid.UUID
    code: str
    level: str
    name: str
    district: str | None
    latitude: float | None
    longitude: float | None
    population_pre_conflict: int | None
    is_synthetic: bool
    names: list[NameOut]

    @staticmethod
    def resolve_district(place: Place) -> str | None:
        return place.district.code if place.district is not None else None

    @staticmethod
    def resolve_names(place: Place) -> list[NameOut]:
        return [NameOut(text=n.text, language=n.language, script=n.script, kind=n.kind) for n in place.names.all()]


@router.get("/places", response=list[PlaceOut], summary="Places of the gazetteer")
@paginate
def list_places(request: HttpRequest, level: str = "", district: str = "", q: str = "") -> object:
    return selectors.places_for(request.user, level=level, district=district, query=q)
