"""Importing the gazetteer: places with parents, points or polygons, and names in every script."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from homeward.cli import main
from homeward.core.context import acting_as
from homeward.places.importing import import_file
from homeward.places.models import Place

pytestmark = pytest.mark.django_db

HEADER = "code,level,parent,name_az,name_ru,name_hy,former_name_ru,latitude,longitude,population"


@pytest.fixture
def admin(world, personas):
    with acting_as(personas.administrator):
        yield personas.administrator


def test_settlements_with_names_in_three_scripts_are_imported(admin, world, tmp_path):
    path = tmp_path / "places.csv"
    path.write_text(
        HEADER + "\nV-1,settlement,AZ-AGM,Xındırıstan,Хындырыстан,Խնձրիստան,Ханкенди-2,39.95,46.91,820\n",
        encoding="utf-8",
    )

    report = import_file(path)

    assert report.created == 1 and report.committed
    place = Place.objects.get(code="V-1")
    assert (place.parent, place.district, place.population_pre_conflict) == (world.aghdam, world.aghdam, 820)
    names = set(place.names.values_list("text", "script", "kind"))
    assert ("Хындырыстан", "Cyrl", "official") in names
    assert ("Խնձրիստան", "Armn", "official") in names
    assert ("Ханкенди-2", "Cyrl", "former") in names


def test_reimport_adds_a_name_without_duplicating_the_place(admin, tmp_path):
    path = tmp_path / "places.csv"
    path.write_text(HEADER + "\nV-1,settlement,AZ-AGM,Xındırıstan,,,,39.95,46.91,820\n")
    import_file(path)
    path.write_text(HEADER + "\nV-1,settlement,AZ-AGM,Xındırıstan,Хындырыстан,,,39.95,46.91,820\n")

    report = import_file(path)

    assert (report.created, report.updated) == (0, 1)
    assert Place.objects.filter(code="V-1").count() == 1
    assert Place.objects.get(code="V-1").names.count() == 2


def test_unknown_parent_and_missing_name_are_rejected_by_row(admin, tmp_path):
    path = tmp_path / "places.csv"
    path.write_text(HEADER + "\nV-1,settlement,AZ-XXX,Bir,,,,39.9,46.9,\nV-2,settlement,AZ-AGM,,,,,39.9,46.9,\n")

    report = import_file(path)

    assert report.refused
    assert sorted((r.feature, r.field) for r in report.rejected) == [(2, "parent"), (3, "name")]
    assert not Place.objects.filter(code__in=["V-1", "V-2"]).exists()


def test_cli_import_and_export_of_places(world, personas, tmp_path):
    path = tmp_path / "places.csv"
    path.write_text(HEADER + "\nV-9,settlement,AZ-LAC,Mirik,Мирик,,,39.6,46.5,300\n")
    runner = CliRunner()

    dry = runner.invoke(main, ["import", "places", str(path), "--user", "admin", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "1 to create" in dry.output and "dry run" in dry.output
    assert not Place.objects.filter(code="V-9").exists()

    real = runner.invoke(main, ["import", "places", str(path), "--user", "admin"])
    assert real.exit_code == 0, real.output
    assert Place.objects.get(code="V-9").district == world.lachin

    out = tmp_path / "gazetteer.csv"
    exported = runner.invoke(main, ["export", "places", "--format", "csv", "-o", str(out), "--user", "admin"])
    assert exported.exit_code == 0, exported.output
    assert "Мирик" in out.read_text(encoding="utf-8-sig")


def test_cli_import_needs_a_user_with_the_right_role(world, personas, tmp_path):
    path = tmp_path / "places.csv"
    path.write_text(HEADER + "\n")

    missing = CliRunner().invoke(main, ["import", "places", str(path)])
    assert missing.exit_code == 6 and "--user" in missing.output

    refused = CliRunner().invoke(main, ["import", "hazards", str(path), "--user", "coordinator"])
    assert refused.exit_code == 6 and "may not import" in refused.output
