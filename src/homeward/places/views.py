from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from homeward.places import selectors
from homeward.places.choices import PlaceLevel


@login_required
def settlement_list(request: HttpRequest) -> HttpResponse:
    district = request.GET.get("district", "")
    query = request.GET.get("q", "").strip()
    places = selectors.places_for(request.user, level=PlaceLevel.SETTLEMENT, district=district, query=query)
    page = Paginator(places, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "places/settlement_list.html",
        {"page": page, "districts": selectors.districts_for(request.user), "district": district, "q": query},
    )
