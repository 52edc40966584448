"""``homeward import`` and ``homeward export`` for mine action files."""

from __future__ import annotations

import json

import pytest
import shapely
from click.testing import CliRunner

from homeward.cli import main
from homeward.mineaction.models import HazardousArea
from tests.mineaction.geodata import AGHDAM, hazard_properties, place_world, square, write_geojson

pytestmark = pytest.mark.django_db


@pytest.fixture
def placed(world, personas):
    place_world(world)
    return world


def test_refused_import_prints_each_rejection_and_exits_non_zero(placed, tmp_path):
    lon, lat = AGHDAM
    bow_tie = shapely.Polygon([(lon, lat), (lon + 0.001, lat + 0.001), (lon + 0.001, lat), (lon, lat + 0.001)])
    path = write_geojson(
        tmp_path / "h.geojson", [(hazard_properties("A"), square(lon, lat, 50)), (hazard_properties("B"), bow_tie)]
    )

    result = CliRunner().invoke(main, ["import", "hazards", str(path), "--user", "analyst"])

    assert result.exit_code == 6
    assert "rejected feature 2 (B): geometry: the polygon intersects itself" in result.output
    assert "--skip-invalid" in result.output
    assert not HazardousArea.objects.exists()


def test_skip_invalid_and_json_report(placed, tmp_path):
    lon, lat = AGHDAM
    path = write_geojson(
        tmp_path / "h.geojson",
        [
            (hazard_properties("A"), square(lon, lat, 50)),
            (hazard_properties("B", classification="x"), square(lon, lat, 50)),
        ],
    )

    result = CliRunner().invoke(main, ["import", "hazards", str(path), "--user", "analyst", "--skip-invalid", "--json"])

    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert (report["created"], report["rejected"], report["committed"]) == (1, 1, True)
    assert report["rejections"][0]["field"] == "classification"


def test_file_level_error_is_one_line_without_traceback(placed, tmp_path):
    path = tmp_path / "x.zip"
    path.write_bytes(b"PK\x05\x06" + b"\x00" * 18)

    result = CliRunner().invoke(main, ["import", "hazards", str(path), "--user", "analyst"])

    assert result.exit_code == 6
    assert "Traceback" not in result.output
    assert result.output.startswith("homeward: error: x.zip:")


def test_export_mdr_summary_to_xlsx(placed, tmp_path):
    path = write_geojson(tmp_path / "h.geojson", [(hazard_properties("A"), square(*AGHDAM, 50))])
    CliRunner().invoke(main, ["import", "hazards", str(path), "--user", "analyst"])
    out = tmp_path / "mdr.xlsx"

    result = CliRunner().invoke(
        main, ["export", "mdr-summary", "--format", "xlsx", "-o", str(out), "--user", "analyst"]
    )

    assert result.exit_code == 0, result.output
    assert "wrote 1 rows" in result.output
    assert out.stat().st_size > 0
