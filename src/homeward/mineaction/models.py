"""Hazardous areas with their history, land release activities, devices, incidents and stored figures.

Geometry is stored as WKB in WGS 84 with its envelope in plain columns, so SQLite without a
spatial extension and PostgreSQL without PostGIS hold the same data; shapely does the geometry.
"""

from __future__ import annotations

from typing import Any

import shapely
from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from shapely.geometry.base import BaseGeometry

from homeward.core.geometric import Geometric
from homeward.core.models import BaseModel, VersionCounter
from homeward.core.permissions import Scope
from homeward.mineaction.choices import (
    ActivityAtTime,
    AgeBand,
    CasualtyOutcome,
    DeviceCondition,
    EOType,
    HazardClassification,
    HazardStatus,
    ReleaseMethod,
    Sex,
    StateCause,
)

_AREA = [MinValueValidator(0)]


class HazardousArea(Geometric, BaseModel):
    """A suspected or confirmed hazardous area; its remaining area follows from its release activities."""

    external_id = models.CharField(
        _("external id"), max_length=100, unique=True, help_text=_("The mine action centre's key for this area.")
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    classification = models.CharField(_("classification"), max_length=3, choices=HazardClassification.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=HazardStatus.choices, default=HazardStatus.ACTIVE, db_index=True
    )
    eo_types = models.JSONField(_("explosive ordnance types"), default=list, blank=True)
    area_m2 = models.FloatField(_("area (m²)"), default=0, validators=_AREA)
    perimeter_m = models.FloatField(_("perimeter (m)"), default=0, validators=_AREA)
    released_m2 = models.FloatField(_("released (m²)"), default=0, validators=_AREA)
    remaining_m2 = models.FloatField(_("remaining (m²)"), default=0, validators=_AREA)
    place = models.ForeignKey(
        "places.Place",
        verbose_name=_("settlement"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The settlement nearest to the area."),
    )
    district = models.ForeignKey(
        "places.Place", verbose_name=_("district"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_on = models.DateField(_("recorded on"))
    status_changed_on = models.DateField(_("status changed on"), null=True, blank=True)
    survey_reference = models.CharField(_("source survey"), max_length=200, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    split_from = models.ForeignKey(
        "self", verbose_name=_("split from"), null=True, blank=True, on_delete=models.PROTECT, related_name="parts"
    )
    is_synthetic = models.BooleanField(_("synthetic"), default=False)

    homeward_domain = "mineaction"

    class Meta:
        ordering = ["external_id"]
        verbose_name = _("hazardous area")
        verbose_name_plural = _("hazardous areas")
        indexes = [
            models.Index(fields=["district", "status"]),
            models.Index(fields=["min_lon", "max_lon", "min_lat", "max_lat"], name="mineaction_ha_envelope"),
        ]

    def __str__(self) -> str:
        return self.name or self.external_id

    def homeward_scope(self) -> Scope:
        return Scope(district_ids=frozenset({self.district_id}) if self.district_id else None)


class HazardousAreaState(models.Model):
    """One period of a hazardous area's life: its polygon, classification, status and remaining area.

    Appended whenever any of them changes, so any past state can be shown; never edited.
    """

    id = models.BigAutoField(primary_key=True)
    area = models.ForeignKey(
        HazardousArea, verbose_name=_("hazardous area"), on_delete=models.CASCADE, related_name="states"
    )
    valid_from = models.DateTimeField(_("valid from"))
    valid_to = models.DateTimeField(_("valid until"), null=True, blank=True)
    classification = models.CharField(_("classification"), max_length=3, choices=HazardClassification.choices)
    status = models.CharField(_("status"), max_length=20, choices=HazardStatus.choices)
    geometry = models.BinaryField(_("geometry"), null=True, blank=True, editable=False)
    area_m2 = models.FloatField(_("area (m²)"), default=0)
    remaining_m2 = models.FloatField(_("remaining (m²)"), default=0)
    cause = models.CharField(_("cause"), max_length=20, choices=StateCause.choices)
    activity = models.ForeignKey(
        "LandReleaseActivity",
        verbose_name=_("activity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["area", "valid_from", "id"]
        verbose_name = _("hazardous area state")
        verbose_name_plural = _("hazardous area states")

    def __str__(self) -> str:
        return f"{self.area_id} {self.classification}/{self.status} from {self.valid_from:%Y-%m-%d}"

    @property
    def shape(self) -> BaseGeometry | None:
        return None if self.geometry is None else shapely.from_wkb(bytes(self.geometry))


class LandReleaseActivity(Geometric, BaseModel):
    """A non-technical survey, technical survey or clearance task on one hazardous area."""

    external_id = models.CharField(_("external id"), max_length=100, unique=True)
    hazardous_area = models.ForeignKey(
        HazardousArea, verbose_name=_("hazardous area"), on_delete=models.PROTECT, related_name="activities"
    )
    method = models.CharField(_("method"), max_length=20, choices=ReleaseMethod.choices)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    started_on = models.DateField(_("started on"))
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    area_cancelled_m2 = models.FloatField(_("area cancelled (m²)"), default=0, validators=_AREA)
    area_reduced_m2 = models.FloatField(_("area reduced (m²)"), default=0, validators=_AREA)
    area_cleared_m2 = models.FloatField(_("area cleared (m²)"), default=0, validators=_AREA)
    beneficiaries_women = models.PositiveIntegerField(_("beneficiaries: women"), default=0)
    beneficiaries_men = models.PositiveIntegerField(_("beneficiaries: men"), default=0)
    beneficiaries_girls = models.PositiveIntegerField(_("beneficiaries: girls"), default=0)
    beneficiaries_boys = models.PositiveIntegerField(_("beneficiaries: boys"), default=0)
    is_synthetic = models.BooleanField(_("synthetic"), default=False)

    homeward_domain = "mineaction"

    class Meta:
        ordering = ["-started_on", "external_id"]
        verbose_name = _("land release activity")
        verbose_name_plural = _("land release activities")

    def __str__(self) -> str:
        return self.external_id

    @property
    def released_m2(self) -> float:
        return self.area_cancelled_m2 + self.area_reduced_m2 + self.area_cleared_m2

    @property
    def release_month(self) -> Any:
        return self.completed_on or self.started_on

    def homeward_scope(self) -> Scope:
        district_id = self.hazardous_area.district_id
        return Scope(district_ids=frozenset({district_id}) if district_id else None)


class DeviceFind(BaseModel):
    """Explosive ordnance found during an activity, and how much of it was destroyed."""

    activity = models.ForeignKey(
        LandReleaseActivity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="devices"
    )
    eo_type = models.CharField(_("type"), max_length=20, choices=EOType.choices)
    model = models.CharField(_("model"), max_length=100, blank=True, help_text=_("e.g. PMN-2, TM-62"))
    depth_cm = models.PositiveIntegerField(_("depth (cm)"), null=True, blank=True)
    condition = models.CharField(
        _("condition"), max_length=20, choices=DeviceCondition.choices, default=DeviceCondition.UNKNOWN
    )
    quantity_found = models.PositiveIntegerField(_("found"), default=1)
    quantity_destroyed = models.PositiveIntegerField(_("destroyed"), default=0)

    homeward_domain = "mineaction"

    class Meta:
        ordering = ["activity", "eo_type", "model"]
        verbose_name = _("device found")
        verbose_name_plural = _("devices found")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity_destroyed__lte=models.F("quantity_found")),
                name="mineaction_device_destroyed_within_found",
            )
        ]

    def __str__(self) -> str:
        return f"{self.model or self.get_eo_type_display()} × {self.quantity_found}"


class Incident(BaseModel):
    """An explosive-ordnance incident. Casualties are counted by sex, age band and outcome, never named."""

    external_id = models.CharField(_("external id"), max_length=100, unique=True)
    occurred_on = models.DateField(_("date"))
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    place = models.ForeignKey(
        "places.Place", verbose_name=_("settlement"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    district = models.ForeignKey(
        "places.Place", verbose_name=_("district"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    device_type = models.CharField(_("device type"), max_length=20, choices=EOType.choices, default=EOType.UNKNOWN)
    activity_at_time = models.CharField(
        _("activity at the time"), max_length=20, choices=ActivityAtTime.choices, default=ActivityAtTime.UNKNOWN
    )
    source = models.CharField(_("source"), max_length=200, blank=True)
    is_synthetic = models.BooleanField(_("synthetic"), default=False)

    homeward_domain = "mineaction"

    class Meta:
        ordering = ["-occurred_on", "external_id"]
        verbose_name = _("explosive-ordnance incident")
        verbose_name_plural = _("explosive-ordnance incidents")
        indexes = [models.Index(fields=["district", "occurred_on"])]

    def __str__(self) -> str:
        return self.external_id

    def homeward_scope(self) -> Scope:
        return Scope(district_ids=frozenset({self.district_id}) if self.district_id else None)


class CasualtyCount(models.Model):
    """How many people of one sex and age band an incident killed or injured."""

    id = models.BigAutoField(primary_key=True)
    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="casualties"
    )
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices)
    age_band = models.CharField(_("age band"), max_length=10, choices=AgeBand.choices)
    outcome = models.CharField(_("outcome"), max_length=10, choices=CasualtyOutcome.choices)
    count = models.PositiveIntegerField(_("count"))

    class Meta:
        ordering = ["incident", "outcome", "sex", "age_band"]
        verbose_name = _("casualty count")
        verbose_name_plural = _("casualty counts")
        constraints = [
            models.UniqueConstraint(fields=["incident", "sex", "age_band", "outcome"], name="mineaction_casualty_cell"),
        ]

    def __str__(self) -> str:
        return f"{self.count} {self.outcome} ({self.sex}, {self.age_band})"


class InputsVersion(VersionCounter):
    """Bumped by every mine action write; stored figures record the value they saw."""

    class Meta:
        verbose_name = _("mine action inputs version")


class PlaceFigures(models.Model):
    """Derived mine action figures of one settlement, district or the region, stored by a background task."""

    id = models.BigAutoField(primary_key=True)
    place = models.OneToOneField("places.Place", on_delete=models.CASCADE, related_name="mine_action_figures")
    open_areas = models.PositiveIntegerField(default=0)
    sha_count = models.PositiveIntegerField(default=0)
    cha_count = models.PositiveIntegerField(default=0)
    remaining_m2 = models.FloatField(default=0)
    cancelled_m2 = models.FloatField(default=0)
    reduced_m2 = models.FloatField(default=0)
    cleared_m2 = models.FloatField(default=0)
    devices_destroyed = models.PositiveIntegerField(default=0)
    incidents = models.PositiveIntegerField(default=0)
    killed = models.PositiveIntegerField(default=0)
    injured = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()
    inputs_version = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("mine action figures")
        verbose_name_plural = _("mine action figures")

    def __str__(self) -> str:
        return f"figures of {self.place_id} at version {self.inputs_version}"

    @property
    def released_m2(self) -> float:
        return self.cancelled_m2 + self.reduced_m2 + self.cleared_m2


class MonthlyFigures(models.Model):
    """Land released and incidents of one place in one calendar month."""

    id = models.BigAutoField(primary_key=True)
    place = models.ForeignKey("places.Place", on_delete=models.CASCADE, related_name="mine_action_months")
    month = models.DateField(help_text=_("First day of the month."))
    cancelled_m2 = models.FloatField(default=0)
    reduced_m2 = models.FloatField(default=0)
    cleared_m2 = models.FloatField(default=0)
    incidents = models.PositiveIntegerField(default=0)
    casualties = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["place", "month"]
        constraints = [models.UniqueConstraint(fields=["place", "month"], name="mineaction_month_per_place")]

    def __str__(self) -> str:
        return f"{self.place_id} {self.month:%Y-%m}"
