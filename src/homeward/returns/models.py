"""Readiness snapshots: each settlement's answer at a moment, with its evidence and the inputs it saw."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from homeward.core.permissions import Scope
from homeward.returns.choices import ReadinessStatus


class ReadinessSnapshot(models.Model):
    """One computation of one settlement's readiness. Never edited; the newest is the current answer,
    the older ones are its history ("readiness over time") and each can still be explained."""

    id = models.BigAutoField(primary_key=True)
    settlement = models.ForeignKey(
        "places.Place", verbose_name=_("settlement"), on_delete=models.CASCADE, related_name="+"
    )
    district = models.ForeignKey(
        "places.Place", verbose_name=_("district"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    computed_at = models.DateTimeField(_("computed at"), db_index=True)
    is_current = models.BooleanField(_("current"), default=True)
    status = models.CharField(_("status"), max_length=20, choices=ReadinessStatus.choices)
    score = models.FloatField(_("score"))
    earliest_ready = models.DateField(_("earliest ready"), null=True, blank=True)
    blockers = models.JSONField(_("blockers"), default=list)
    criteria = models.JSONField(_("criteria and evidence"), default=list)
    inputs = models.JSONField(_("input versions"), default=dict)
    digest = models.CharField(_("inputs digest"), max_length=64, blank=True)

    homeward_domain = "returns"

    class Meta:
        ordering = ["settlement", "-computed_at"]
        verbose_name = _("readiness snapshot")
        verbose_name_plural = _("readiness snapshots")
        indexes = [
            models.Index(fields=["settlement", "computed_at"]),
            models.Index(fields=["is_current", "district", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.settlement_id} {self.status} at {self.computed_at:%Y-%m-%d %H:%M}"

    def homeward_scope(self) -> Scope:
        return Scope(district_ids=frozenset({self.district_id}) if self.district_id else None)
