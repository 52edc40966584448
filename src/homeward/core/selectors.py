"""Reads of the audit log, for those whose role may see it."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from homeward.core.models import AuditEntry
from homeward.core.permissions import Action, require


def audit_entries_for(user: Any, *, action: str = "", object_type: str = "", actor: str = "") -> QuerySet[AuditEntry]:
    require(user, Action.VIEW, AuditEntry)
    entries = AuditEntry.objects.select_related("actor").order_by("-sequence")
    if action:
        entries = entries.filter(action=action)
    if object_type:
        entries = entries.filter(object_type=object_type)
    if actor:
        entries = entries.filter(actor_label__iexact=actor)
    return entries
