from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from homeward.core.permissions import Action, may
from homeward.registry import selectors
from homeward.registry.models import Person


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    if not may(request.user, Action.VIEW, Person):
        raise PermissionDenied
    persons = selectors.persons_visible_to(request.user).order_by("family_name", "given_name", "id")
    query = request.GET.get("q", "").strip()
    if query:
        persons = persons.filter(family_name__istartswith=query)
    page = Paginator(persons, 50).get_page(request.GET.get("page"))
    selectors.record_list_read(request.user, list(page.object_list), purpose="browse person list")
    return render(request, "registry/person_list.html", {"page": page, "q": query})


@login_required
def person_detail(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    person = selectors.get_person_for_user(request.user, person_id, purpose="view person record")
    return render(request, "registry/person_detail.html", {"person": person})
