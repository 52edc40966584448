"""Which of a place's names shows first: the user's language, then the deployment's order."""

from __future__ import annotations

import pytest
from django.utils import translation

from homeward.places.models import PlaceName
from homeward.places.selectors import place_points

pytestmark = pytest.mark.django_db


@pytest.fixture
def village(world):
    place = world.lachin_village
    for text, language in [("Mişni", "az"), ("Мишни", "ru")]:
        PlaceName.objects.create(place=place, text=text, language=language, script="Latn", kind="official")
    PlaceName.objects.create(place=place, text="Mishni-old", language="en", script="Latn", kind="former")
    return place


def test_the_users_language_comes_first(village):
    assert village.display_name("ru") == "Мишни"


def test_without_a_name_in_the_users_language_the_deployment_order_decides(village, settings):
    settings.HOMEWARD_PLACE_NAME_ORDER = ("ru", "az")
    assert village.display_name("hy") == "Мишни"

    settings.HOMEWARD_PLACE_NAME_ORDER = ("az", "ru")
    assert village.display_name("hy") == "Mişni"


def test_former_names_never_show_first(village, settings):
    settings.HOMEWARD_PLACE_NAME_ORDER = ("en",)
    assert village.display_name("en") == village.name


def test_map_points_are_labelled_in_the_active_language(village, personas):
    with translation.override("ru"):
        features = place_points(personas.analyst, "settlement")["features"]

    assert {f["properties"]["code"]: f["properties"]["name"] for f in features}["T-LAC-1"] == "Мишни"
