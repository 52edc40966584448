from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from homeward.core import selectors
from homeward.core.models import AuditAction
from homeward.core.navigation import dashboard_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"cards": dashboard_for(request.user)})


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    entries = selectors.audit_entries_for(
        request.user,
        action=request.GET.get("action", ""),
        object_type=request.GET.get("object_type", ""),
        actor=request.GET.get("actor", ""),
    )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "core/audit_log.html",
        {"page": page, "actions": AuditAction.choices, "filters": request.GET},
    )


def health(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for load balancers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
