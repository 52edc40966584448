from django.db import models
from django.utils.translation import gettext_lazy as _

from homeward.core.roles import Role

__all__ = ["AgencyKind", "Role"]


class AgencyKind(models.TextChoices):
    GOVERNMENT = "government", _("Government service")
    INTERNATIONAL = "international", _("International organisation")
    UN_AGENCY = "un_agency", _("United Nations agency")
    NGO = "ngo", _("Non-governmental organisation")
