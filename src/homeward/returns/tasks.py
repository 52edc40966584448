"""Background tasks of returns (django-tasks: in-process on a laptop, on workers in production)."""

from __future__ import annotations

from django_tasks import task


@task()
def recompute_readiness(settlement_ids: list[str] | None = None) -> int:
    """Recompute and store the readiness of the given settlements (all when ``None``)."""
    from homeward.returns import readiness

    return readiness.recompute(settlement_ids)


@task()
def recompute_readiness_after_hazards(hazard_ids: list[str]) -> int:
    """Recompute the readiness of the settlements the changed hazardous areas touch (old or new polygon)."""
    from homeward.returns import readiness

    return readiness.recompute_after_hazards(hazard_ids)


def follow_hazards(*, hazard_ids: list[str], district_ids: list[str]) -> None:
    """Listener of mine action's ``hazards_changed``: queue the incremental recomputation."""
    del district_ids  # the affected settlements follow from the polygons, not the districts
    recompute_readiness_after_hazards.enqueue(hazard_ids)
