"""Finding places by any name, in any script: the API, the CLI and the cached index."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from homeward.cli import main
from homeward.places import search
from homeward.places.models import PlaceName
from tests.factories import PlaceFactory

pytestmark = pytest.mark.django_db

SHUSHA_NAMES = [
    ("Şuşa", "az", "Latn", "official"),
    ("Shusha", "en", "Latn", "official"),
    ("Шуша", "ru", "Cyrl", "official"),
    ("Շուշի", "hy", "Armn", "official"),
    ("Shushi", "en", "Latn", "variant"),
]


@pytest.fixture
def gazetteer(world):
    shusha = PlaceFactory(
        code="AZ-SUS-T", name="Şuşa", parent=world.aghdam, district=world.aghdam, population_pre_conflict=4000
    )
    for text, language, script, kind in SHUSHA_NAMES:
        PlaceName.objects.create(place=shusha, text=text, language=language, script=script, kind=kind)
    other = PlaceFactory(code="T-SK", name="Şuşakənd", parent=world.aghdam, district=world.aghdam)
    PlaceName.objects.create(place=other, text="Şuşakənd", language="az", script="Latn", kind="official")
    PlaceName.objects.create(place=world.aghdam, text="Агдам", language="ru", script="Cyrl", kind="official")
    search.place_index(force=True)
    return shusha


@pytest.mark.parametrize("query", ["Shusha", "Şuşa", "Shushi", "Шуша", "Շուշի", "shsha"])
def test_every_spelling_and_script_finds_the_same_place_first(gazetteer, personas, as_user, query):
    response = as_user(personas.caseworker_aghdam).get("/api/places/search", {"q": query})

    assert response.status_code == 200
    first = response.json()[0]
    assert first["code"] == "AZ-SUS-T"
    assert first["matched"]["text"] in {n[0] for n in SHUSHA_NAMES}


def test_search_says_which_name_matched(gazetteer, personas, as_user):
    first = as_user(personas.analyst).get("/api/places/search", {"q": "Шуша"}).json()[0]

    assert first["matched"] == {"text": "Шуша", "language": "ru", "script": "Cyrl", "kind": "official"}
    assert first["how"] == "exact"


def test_search_can_be_limited_to_a_level(gazetteer, personas, as_user):
    results = as_user(personas.analyst).get("/api/places/search", {"q": "Agdam", "level": "district"}).json()

    assert [r["code"] for r in results] == ["AZ-AGM"]


def test_limit_out_of_range_is_a_clear_error(gazetteer, personas, as_user):
    response = as_user(personas.analyst).get("/api/places/search", {"q": "x", "limit": 500})

    assert response.status_code == 422 and response.json()["field"] == "limit"


def test_resident_may_not_search_the_gazetteer_api(gazetteer, personas, as_user):
    assert as_user(personas.resident).get("/api/places/search", {"q": "Shusha"}).status_code == 403


def test_index_notices_a_new_name(gazetteer, monkeypatch):
    monkeypatch.setattr(search, "STAMP_CHECK_SECONDS", 0.0)
    assert all(hit.text != "Berdzor" for hit in search.place_index().search("Berdzor"))

    PlaceName.objects.create(place=gazetteer, text="Berdzor", language="en", script="Latn", kind="former")

    assert search.place_index().search("Berdzor")[0].place_id == str(gazetteer.pk)


def test_cli_search_prints_the_matched_name(gazetteer):
    result = CliRunner().invoke(main, ["places", "search", "Շուշի"])

    assert result.exit_code == 0, result.output
    assert "AZ-SUS-T" in result.output.splitlines()[0]
    assert "Շուշի" in result.output


def test_cli_search_without_a_match_says_so(gazetteer):
    result = CliRunner().invoke(main, ["places", "search", "Zzyzx Qwerty"])

    assert result.exit_code == 1
    assert "no place matches" in result.output
