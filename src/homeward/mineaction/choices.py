"""Mine action vocabulary, in IMAS terms."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class HazardClassification(models.TextChoices):
    SHA = "sha", _("Suspected hazardous area (SHA)")
    CHA = "cha", _("Confirmed hazardous area (CHA)")


class HazardStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    IN_PROGRESS = "in_progress", _("Release under way")
    RELEASED = "released", _("Released")
    SUPERSEDED = "superseded", _("Superseded (split or merged)")


# Statuses whose area still counts as contaminated.
OPEN_STATUSES = frozenset({HazardStatus.ACTIVE, HazardStatus.IN_PROGRESS})


class EOType(models.TextChoices):
    AP_MINE = "ap_mine", _("Anti-personnel mine")
    AT_MINE = "at_mine", _("Anti-vehicle mine")
    UXO = "uxo", _("Unexploded ordnance")
    AXO = "axo", _("Abandoned explosive ordnance")
    CLUSTER = "cluster", _("Cluster munition")
    IED = "ied", _("Improvised explosive device")
    UNKNOWN = "unknown", _("Unknown")


class ReleaseMethod(models.TextChoices):
    NON_TECHNICAL_SURVEY = "nts", _("Non-technical survey")
    TECHNICAL_SURVEY = "ts", _("Technical survey")
    CLEARANCE = "clearance", _("Clearance")


class DeviceCondition(models.TextChoices):
    FUZED = "fuzed", _("Fuzed")
    UNFUZED = "unfuzed", _("Unfuzed")
    DAMAGED = "damaged", _("Damaged")
    UNKNOWN = "unknown", _("Unknown")


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    UNKNOWN = "unknown", _("Unknown")


class AgeBand(models.TextChoices):
    CHILD = "0-17", _("Child (0–17)")
    ADULT = "18-59", _("Adult (18–59)")
    OLDER = "60+", _("Older person (60+)")
    UNKNOWN = "unknown", _("Age unknown")


class CasualtyOutcome(models.TextChoices):
    KILLED = "killed", _("Killed")
    INJURED = "injured", _("Injured")


class ActivityAtTime(models.TextChoices):
    AGRICULTURE = "agriculture", _("Farming or herding")
    TRAVEL = "travel", _("Travelling")
    HOUSEHOLD = "household", _("Household work, collecting wood or water")
    RECONSTRUCTION = "reconstruction", _("Reconstruction work")
    DEMINING = "demining", _("Demining")
    PLAYING = "playing", _("Playing")
    HANDLING = "handling", _("Handling the device")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class StateCause(models.TextChoices):
    RECORDED = "recorded", _("Recorded")
    IMPORTED = "imported", _("Imported")
    EDITED = "edited", _("Edited")
    RELEASE = "release", _("Land release activity")
    SPLIT = "split", _("Split")
    RECLASSIFIED = "reclassified", _("Reclassified")
