from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from homeward.core import audit
from homeward.core.models import AuditEntry
from homeward.core.navigation import dashboard_for
from homeward.core.permissions import Action, require

router = Router(tags=["core"])


class FigureOut(Schema):
    label: str
    value: int


class CardOut(Schema):
    domain: str
    title: str
    question: str
    figures: list[FigureOut]


class ChainOut(Schema):
    ok: bool
    checked: int
    broken_at: int | None
    message: str


@router.get("/dashboard", response=list[CardOut], summary="Per-domain counts the user may see")
def dashboard(request: HttpRequest) -> list[CardOut]:
    return [
        CardOut(
            domain=card.domain,
            title=str(card.title),
            question=str(card.question),
            figures=[FigureOut(label=str(f.label), value=f.value) for f in card.figures],
        )
        for card in dashboard_for(request.user)
    ]


@router.get("/audit/verify", response=ChainOut, summary="Verify the audit chain")
def verify_audit_chain(request: HttpRequest) -> ChainOut:
    require(request.user, Action.VIEW, AuditEntry)
    report = audit.verify_chain()
    return ChainOut(ok=report.ok, checked=report.checked, broken_at=report.broken_at, message=str(report))
