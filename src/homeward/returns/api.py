"""Readiness API: current answers, one settlement's answer with its evidence and history, the map, what-if."""

import datetime as dt
from collections.abc import Mapping
from typing import Any, Literal
from urllib.parse import quote

from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from homeward.core.permissions import Action, Scope, require, within_scope
from homeward.places import selectors as places
from homeward.returns import readiness, selectors
from homeward.returns.evidence_text import evidence_text
from homeward.returns.models import ReadinessSnapshot

router = Router(tags=["readiness"])

# A what-if may move a project's end by at most this many days either way (ten years).
MAX_DELAY_DAYS = 3_650


class PlaceRef(Schema):
    code: str
    name: str


class ReadinessOut(Schema):
    settlement: PlaceRef
    district: PlaceRef | None
    status: str
    score: float
    earliest_ready: dt.date | None
    blockers: list[str]
    computed_at: dt.datetime

    @staticmethod
    def resolve_settlement(snapshot: ReadinessSnapshot) -> PlaceRef:
        return PlaceRef(code=snapshot.settlement.code, name=snapshot.settlement.name)

    @staticmethod
    def resolve_district(snapshot: ReadinessSnapshot) -> PlaceRef | None:
        district = snapshot.district
        return PlaceRef(code=district.code, name=district.name) if district else None


class EvidenceOut(Schema):
    kind: str
    ref: str | None
    code: str = Field("", description="What the fact says, as a code (see docs/readiness.md); empty in old snapshots")
    params: dict[str, Any] = Field(default_factory=dict, description="The figures, dates, ids and words it quotes")
    detail: str = Field("", description="What it says, in the request's language")
    value: float | None = None

    @staticmethod
    def resolve_detail(obj: Mapping[str, Any]) -> str:
        return evidence_text(obj)


class CriterionOut(Schema):
    key: str
    outcome: str
    expected_date: dt.date | None
    evidence: list[EvidenceOut]


class HistoryOut(Schema):
    computed_at: dt.datetime
    status: str
    score: float
    earliest_ready: dt.date | None


class ReadinessDetailOut(ReadinessOut):
    criteria: list[CriterionOut]
    history: list[HistoryOut]


class WhatIfIn(Schema):
    delayed_projects: dict[str, int] = Field(default_factory=dict, description="Project external id → days later")
    cleared_hazards: list[str] = Field(default_factory=list, description="External ids of areas taken as cleared")


class WhatIfOut(Schema):
    settlement: PlaceRef
    saved: bool = False
    status: str
    score: float
    earliest_ready: dt.date | None
    blockers: list[str]
    criteria: list[CriterionOut]


class ReadinessFilter(Schema):
    district: str = ""
    status: Literal["", "ready", "partly_ready", "not_ready"] = ""


class ErrorOut(Schema):
    detail: str
    field: str = ""


def _settlement_for(user: Any, code: str) -> Any:
    """The settlement, if it exists and lies within the user's districts (otherwise 404)."""
    require(user, Action.VIEW, ReadinessSnapshot)
    settlement = places.settlement_by_code(code)
    if settlement is None:
        raise Http404
    if not within_scope(
        user, Scope(district_ids=frozenset({settlement.district_id}) if settlement.district_id else None)
    ):
        raise Http404
    return settlement


@router.get("/returns/readiness", response=list[ReadinessOut], summary="Current readiness of every settlement")
@paginate
def readiness_list(request: HttpRequest, filters: Query[ReadinessFilter]) -> Any:
    require(request.user, Action.VIEW, ReadinessSnapshot)
    return selectors.current_snapshots(request.user, district_code=filters.district, status=filters.status)


@router.get("/returns/readiness/map", summary="Current readiness as GeoJSON points for the map")
def readiness_map(request: HttpRequest, district: str = "") -> dict[str, Any]:
    require(request.user, Action.VIEW, ReadinessSnapshot)
    return map_collection(request.user, district_code=district)


def map_collection(user: Any, *, district_code: str = "") -> dict[str, Any]:
    """Every located settlement's current answer as a point, named in the user's language."""
    snapshots = selectors.current_snapshots(user, district_code=district_code).prefetch_related("settlement__names")
    profile = reverse("returns:settlement_readiness", args=["CODE"])
    features = []
    for snapshot in snapshots:
        settlement = snapshot.settlement
        if settlement.latitude is None or settlement.longitude is None:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(settlement.longitude, 6), round(settlement.latitude, 6)],
                },
                "properties": {
                    "code": settlement.code,
                    "name": settlement.display_name(),
                    "district": snapshot.district.name if snapshot.district else None,
                    "status": snapshot.status,
                    "score": round(snapshot.score, 4),
                    "earliest_ready": snapshot.earliest_ready.isoformat() if snapshot.earliest_ready else None,
                    "blockers": list(snapshot.blockers),
                    "url": profile.replace("CODE", quote(settlement.code, safe="")),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


@router.get(
    "/returns/readiness/{settlement_code}",
    response=ReadinessDetailOut,
    summary="A settlement's current readiness with its criteria, evidence and history",
)
def readiness_detail(request: HttpRequest, settlement_code: str) -> Any:
    settlement = _settlement_for(request.user, settlement_code)
    snapshot = selectors.current_for_settlement(request.user, settlement.pk)
    snapshot.history = selectors.history_of(request.user, settlement.pk)  # type: ignore[attr-defined]
    return snapshot


@router.post(
    "/returns/readiness/{settlement_code}/what-if",
    response={200: WhatIfOut, 422: ErrorOut},
    summary="The readiness a settlement would have if projects slipped or areas were cleared (nothing is saved)",
)
def readiness_what_if(request: HttpRequest, settlement_code: str, change: WhatIfIn) -> Any:
    settlement = _settlement_for(request.user, settlement_code)
    for project_id, days in change.delayed_projects.items():
        if abs(days) > MAX_DELAY_DAYS:
            message = f"project {project_id!r}: a delay of {days} days is beyond ±{MAX_DELAY_DAYS}"
            return Status(422, ErrorOut(detail=message, field="delayed_projects"))
    try:
        answer = readiness.what_if(
            settlement.pk,
            readiness.WhatIf(
                delayed_projects=dict(change.delayed_projects), cleared_hazards=tuple(change.cleared_hazards)
            ),
        )
    except readiness.WhatIfError as error:
        return Status(422, ErrorOut(detail=error.message, field=_what_if_field(error.field)))
    return WhatIfOut(
        settlement=PlaceRef(code=settlement.code, name=settlement.name),
        status=str(answer.status),
        score=round(float(answer.score), 4),
        earliest_ready=answer.earliest_ready,
        blockers=list(answer.blockers),
        criteria=[CriterionOut(**item) for item in readiness.as_json(answer)],
    )


def _what_if_field(field: str) -> str:
    """The request field an engine refusal is about (the engine names its own inputs)."""
    return {"project_id": "delayed_projects", "hazard_id": "cleared_hazards"}.get(field, field)
