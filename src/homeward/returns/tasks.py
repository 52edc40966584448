"""Background tasks of returns (django-tasks: in-process on a laptop, on workers in production)."""

from __future__ import annotations

from django_tasks import task

from homeward.returns import readiness


@task()
def recompute_readiness(settlement_ids: list[str] | None = None) -> int:
    """Recompute and store the readiness of the given settlements (all when ``None``)."""
    return readiness.recompute(settlement_ids)
