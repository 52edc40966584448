"""Services and housing per settlement (append-only observations), and reconstruction projects."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from homeward.core.geometric import Geometric
from homeward.core.models import BaseModel, VersionCounter
from homeward.core.permissions import Scope
from homeward.recovery.choices import ProjectStatus, RestoreKind, Sector, ServiceKind, ServiceStatus

_NOT_NEGATIVE = [MinValueValidator(0)]


class ServiceObservation(BaseModel):
    """What was known of one service of one settlement on a date. Never edited: a change is a new row,
    so the history of every service is kept; the current state is the latest observation."""

    settlement = models.ForeignKey(
        "places.Place", verbose_name=_("settlement"), on_delete=models.PROTECT, related_name="+"
    )
    district = models.ForeignKey(
        "places.Place", verbose_name=_("district"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("service"), max_length=20, choices=ServiceKind.choices)
    status = models.CharField(_("status"), max_length=20, choices=ServiceStatus.choices)
    capacity = models.FloatField(_("capacity"), null=True, blank=True, validators=_NOT_NEGATIVE)
    capacity_unit = models.CharField(
        _("capacity unit"), max_length=30, blank=True, help_text=_("e.g. m³/day, kW, pupils, beds")
    )
    observed_on = models.DateField(_("observed on"))
    source = models.CharField(_("source"), max_length=200, blank=True)
    project = models.ForeignKey(
        "Project", verbose_name=_("restored by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_synthetic = models.BooleanField(_("synthetic"), default=False)

    homeward_domain = "recovery"

    class Meta:
        ordering = ["settlement", "kind", "-observed_on", "-created_at"]
        verbose_name = _("service observation")
        verbose_name_plural = _("service observations")
        indexes = [models.Index(fields=["settlement", "kind", "observed_on"])]

    def __str__(self) -> str:
        return f"{self.kind}: {self.status} ({self.observed_on})"

    def homeward_scope(self) -> Scope:
        return Scope(district_ids=frozenset({self.district_id}) if self.district_id else None)


class HousingObservation(BaseModel):
    """Housing units of a settlement on a date: total, damaged, habitable. Append-only like services."""

    settlement = models.ForeignKey(
        "places.Place", verbose_name=_("settlement"), on_delete=models.PROTECT, related_name="+"
    )
    district = models.ForeignKey(
        "places.Place", verbose_name=_("district"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    units_total = models.PositiveIntegerField(_("housing units"))
    units_damaged = models.PositiveIntegerField(_("damaged units"))
    units_habitable = models.PositiveIntegerField(_("habitable units"))
    observed_on = models.DateField(_("observed on"))
    source = models.CharField(_("source"), max_length=200, blank=True)
    project = models.ForeignKey(
        "Project", verbose_name=_("restored by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_synthetic = models.BooleanField(_("synthetic"), default=False)

    homeward_domain = "recovery"

    class Meta:
        ordering = ["settlement", "-observed_on", "-created_at"]
        verbose_name = _("housing observation")
        verbose_name_plural = _("housing observations")
        indexes = [models.Index(fields=["settlement", "observed_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(units_habitable__lte=models.F("units_total"))
                & models.Q(units_damaged__lte=models.F("units_total")),
                name="recovery_housing_parts_within_total",
            )
        ]

    def __str__(self) -> str:
        return f"{self.units_habitable}/{self.units_total} habitable ({self.observed_on})"

    def homeward_scope(self) -> Scope:
        return Scope(district_ids=frozenset({self.district_id}) if self.district_id else None)


class Project(Geometric, BaseModel):
    """A reconstruction project: who does what, where, when, with which money, restoring what."""

    external_id = models.CharField(_("external id"), max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=300)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    implementing_agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("implementing agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    funder = models.CharField(_("funder"), max_length=200, blank=True)
    currency = models.CharField(_("currency"), max_length=3, help_text=_("ISO 4217 code, e.g. AZN, USD, EUR"))
    budget = models.DecimalField(_("budget"), max_digits=16, decimal_places=2, validators=_NOT_NEGATIVE)
    spent = models.DecimalField(
        _("spent"), max_digits=16, decimal_places=2, default=Decimal(0), validators=_NOT_NEGATIVE
    )
    planned_start = models.DateField(_("planned start"))
    planned_end = models.DateField(_("planned end"))
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_end = models.DateField(_("actual end"), null=True, blank=True)
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    status = models.CharField(_("status"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED)
    settlements = models.ManyToManyField("places.Place", verbose_name=_("settlements"), blank=True, related_name="+")
    district = models.ForeignKey(
        "places.Place", verbose_name=_("district"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    blocked_by_hazards = models.JSONField(
        _("blocked by hazardous areas"),
        default=list,
        blank=True,
        editable=False,
        help_text=_("External ids of active hazardous areas the project's site intersects."),
    )
    is_synthetic = models.BooleanField(_("synthetic"), default=False)

    homeward_domain = "recovery"

    class Meta:
        ordering = ["planned_end", "external_id"]
        verbose_name = _("reconstruction project")
        verbose_name_plural = _("reconstruction projects")
        indexes = [models.Index(fields=["district", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(planned_end__gte=models.F("planned_start")),
                name="recovery_project_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def homeward_scope(self) -> Scope:
        return Scope(district_ids=frozenset({self.district_id}) if self.district_id else None)

    @property
    def over_budget(self) -> bool:
        """Spending above budget is allowed (it happens) but flagged."""
        return self.spent > self.budget

    @property
    def delay_days(self) -> int | None:
        """How many days after its planned end a completed project ended (negative: early)."""
        if self.actual_end is None:
            return None
        return (self.actual_end - self.planned_end).days


class ProjectRestores(models.Model):
    """What a project brings back when it completes: a service of a settlement, or housing units."""

    id = models.BigAutoField(primary_key=True)
    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="restores")
    settlement = models.ForeignKey(
        "places.Place", verbose_name=_("settlement"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("restores"), max_length=20, choices=RestoreKind.choices)
    units = models.PositiveIntegerField(
        _("housing units"), default=0, help_text=_("For housing: units made habitable.")
    )

    class Meta:
        ordering = ["project", "settlement", "kind"]
        verbose_name = _("what a project restores")
        verbose_name_plural = _("what projects restore")
        constraints = [
            models.UniqueConstraint(fields=["project", "settlement", "kind"], name="recovery_restores_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.units})" if self.units else str(self.kind)


class Milestone(models.Model):
    id = models.BigAutoField(primary_key=True)
    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=200)
    planned_on = models.DateField(_("planned on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        ordering = ["project", "planned_on", "title"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self) -> str:
        return self.title


class InputsVersion(VersionCounter):
    """Bumped by every recovery write; readiness snapshots record the version they saw."""

    class Meta:
        verbose_name = _("recovery inputs version")
