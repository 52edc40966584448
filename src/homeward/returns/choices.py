from django.db import models
from django.utils.translation import gettext_lazy as _


class ReadinessStatus(models.TextChoices):
    READY = "ready", _("Ready")
    PARTLY_READY = "partly_ready", _("Partly ready")
    NOT_READY = "not_ready", _("Not ready")


class CriterionOutcome(models.TextChoices):
    MET = "met", _("Met")
    NOT_MET = "not_met", _("Not met")
    UNKNOWN = "unknown", _("Unknown")
