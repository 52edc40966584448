"""Background tasks of casework (django-tasks: in-process on a laptop, on workers in production)."""

from __future__ import annotations

from django_tasks import task


@task()
def escalate_overdue() -> int:
    """Escalate overdue applications to their office's supervisors; safe to run as often as wanted
    (an application is escalated once per missed due date). Returns how many were escalated now."""
    from homeward.cases import services

    return services.escalate_overdue()


@task()
def recompute_deadlines() -> int:
    """Move open applications' due dates to match the current holiday calendar."""
    from homeward.cases import services

    return services.recompute_deadlines()
