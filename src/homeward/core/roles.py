"""The roles a Homeward user can hold. Defined in core so the permission policy can name them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    MINE_ACTION_ANALYST = "mine_action_analyst", _("Mine action analyst")
    RECONSTRUCTION_PLANNER = "reconstruction_planner", _("Reconstruction planner")
    RETURN_COORDINATOR = "return_coordinator", _("Return coordinator")
    CASEWORKER = "caseworker", _("Caseworker")
    SUPERVISOR = "supervisor", _("Supervisor")
    PARTNER = "partner", _("Partner")
    AUDITOR = "auditor", _("Auditor")
    RESIDENT = "resident", _("Resident")


STAFF_ROLES = frozenset(Role) - {Role.RESIDENT}
