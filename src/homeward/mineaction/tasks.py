"""Background tasks of mine action (django-tasks: in-process on a laptop, on workers in production)."""

from __future__ import annotations

from django_tasks import task

from homeward.mineaction import figures


@task()
def recompute_figures(district_ids: list[str] | None = None) -> int:
    """Recompute stored figures for the districts whose inputs changed (all when ``None``)."""
    return figures.recompute(district_ids)
