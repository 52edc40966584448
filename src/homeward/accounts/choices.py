from django.db import models
from django.utils.translation import gettext_lazy as _

from homeward.core.roles import Role

__all__ = ["AgencyKind", "MineActionSharing", "Role"]


class AgencyKind(models.TextChoices):
    GOVERNMENT = "government", _("Government service")
    INTERNATIONAL = "international", _("International organisation")
    UN_AGENCY = "un_agency", _("United Nations agency")
    NGO = "ngo", _("Non-governmental organisation")


class MineActionSharing(models.TextChoices):
    """What partner staff of an agency may see of mine action data (other roles are unaffected)."""

    NOTHING = "nothing", _("Nothing")
    FIGURES = "figures", _("Figures per place only")
    AREAS = "areas", _("Figures and hazardous areas")
    EVERYTHING = "everything", _("Figures, hazardous areas, land release and incidents")
