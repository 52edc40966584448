"""Casework in the menu and on the home page: the queue for those who work cases, the dashboard for
supervisors, and the open and overdue applications on the reintegration card."""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from homeward.cases import selectors
from homeward.cases.choices import CLOCK_RUNNING_STATES, OPEN_STATES
from homeward.core.navigation import MenuEntry, register_counter, register_menu
from homeward.core.permissions import Action, Domain

# Those who work cases (caseworkers, supervisors) get the queue; those who assign them, the dashboard.
register_menu(MenuEntry("casework", _("Casework"), "cases:queue", Domain.CASES, action=Action.CHANGE, order=50))
register_menu(
    MenuEntry("casework_dashboard", _("Casework dashboard"), "cases:dashboard", Domain.CASES, Action.ASSIGN, order=51)
)


def _open(user: Any) -> int:
    return selectors.applications_visible_to(user).filter(state__in=OPEN_STATES).count()


def _overdue(user: Any) -> int:
    running = selectors.applications_visible_to(user).filter(state__in=CLOCK_RUNNING_STATES)
    return running.filter(due_on__lt=timezone.localdate()).count()


register_counter(Domain.CASES, "open_applications", _open, "cases:queue")
register_counter(Domain.CASES, "overdue", _overdue, "cases:queue")
