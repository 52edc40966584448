"""Persons and households. Minimum personal data: no ethnicity, religion or political field."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from homeward.core.models import BaseModel
from homeward.core.permissions import Scope
from homeward.registry.choices import Sex


class Household(BaseModel):
    """People registered together, with the settlement they were displaced from."""

    reference = models.CharField(_("reference"), max_length=40, unique=True)
    origin = models.ForeignKey(
        "places.Place", verbose_name=_("settlement of origin"), on_delete=models.PROTECT, related_name="+"
    )
    district = models.ForeignKey("places.Place", verbose_name=_("district"), on_delete=models.PROTECT, related_name="+")
    is_synthetic = models.BooleanField(_("synthetic"), default=False)

    homeward_domain = "registry"
    holds_personal_data = True

    class Meta:
        ordering = ["reference"]
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return self.reference

    def homeward_scope(self) -> Scope:
        return Scope(district_ids=frozenset({self.district_id}))


class Person(BaseModel):
    """A registered person. Reads are audited; names and birth dates are redacted in the log."""

    household = models.ForeignKey(
        Household, verbose_name=_("household"), null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    patronymic = models.CharField(_("patronymic"), max_length=100, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    origin = models.ForeignKey(
        "places.Place",
        verbose_name=_("settlement of origin"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    district = models.ForeignKey("places.Place", verbose_name=_("district"), on_delete=models.PROTECT, related_name="+")
    is_synthetic = models.BooleanField(_("synthetic"), default=False)

    homeward_domain = "registry"
    holds_personal_data = True
    audit_redacted_fields = frozenset({"given_name", "family_name", "patronymic", "birth_date"})

    class Meta:
        ordering = ["family_name", "given_name"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        indexes = [models.Index(fields=["district", "family_name"])]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def audit_label(self) -> str:
        """How the audit log names this person: never by name."""
        return f"person {str(self.pk)[:8]}"

    def homeward_scope(self) -> Scope:
        return Scope(district_ids=frozenset({self.district_id}))
