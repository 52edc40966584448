"""Reads of readiness snapshots, scoped to the user's districts."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from homeward.core.permissions import Action, in_district_scope, may
from homeward.returns.choices import ReadinessStatus
from homeward.returns.models import ReadinessSnapshot


def _in_districts(user: Any, snapshots: QuerySet[ReadinessSnapshot]) -> QuerySet[ReadinessSnapshot]:
    if not may(user, Action.VIEW, ReadinessSnapshot):
        return snapshots.none()
    result: QuerySet[ReadinessSnapshot] = in_district_scope(user, snapshots)
    return result


def current_snapshots(user: Any, *, district_code: str = "", status: str = "") -> QuerySet[ReadinessSnapshot]:
    """The current readiness answer of every settlement the user may see."""
    snapshots = _in_districts(
        user, ReadinessSnapshot.objects.filter(is_current=True).select_related("settlement", "district")
    )
    if district_code:
        snapshots = snapshots.filter(district__code=district_code)
    if status:
        snapshots = snapshots.filter(status=status)
    return snapshots.order_by("district__name", "settlement__name")


def current_for_settlement(user: Any, settlement_id: Any) -> ReadinessSnapshot:
    snapshot = current_snapshots(user).filter(settlement=settlement_id).first()
    if snapshot is None:
        raise Http404
    return snapshot


def history_of(user: Any, settlement_id: Any) -> list[ReadinessSnapshot]:
    """Every stored answer for the settlement, oldest first ("readiness over time")."""
    return list(
        _in_districts(user, ReadinessSnapshot.objects.filter(settlement=settlement_id)).order_by("computed_at", "id")
    )


def status_counts(user: Any) -> dict[Any, Counter[str]]:
    """Per district id (and None for the whole region): how many settlements are in each status."""
    counts: dict[Any, Counter[str]] = {None: Counter()}
    for district_id, status in current_snapshots(user).values_list("district_id", "status"):
        counts.setdefault(district_id, Counter())[status] += 1
        counts[None][status] += 1
    return counts


def count_ready(user: Any) -> int:
    return current_snapshots(user, status=ReadinessStatus.READY).count()
