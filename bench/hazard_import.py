"""bench.hazard_import: import 10,000 hazardous-area polygons from a GeoPackage.

Ours: ``homeward.mineaction.importing.import_file("hazards", ...)`` — reading, reprojection,
validation of every polygon, area and nearest-settlement computation, history rows, audit, all in
one transaction. Peer: ``geopandas.read_file`` + ``DataFrame.to_sql`` of the same file into the
same database (geometry as WKB: no validation, no derived fields), which is the floor any import
through Python pays. Goal from issue 4: ≤ 20 s including validation.

    python -m bench.hazard_import [--quick] [--database-url postgresql://postgres@127.0.0.1:5432/test]

The database is a fresh SQLite file in a temporary directory unless ``--database-url`` is given
(then the benchmark's tables are created in it by migrations and its rows are removed afterwards).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def _setup(database_url: str | None, data_dir: str) -> None:
    os.environ["HOMEWARD_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homeward.settings")
    if database_url:
        os.environ["HOMEWARD_DATABASE_URL"] = database_url
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _polygons(count: int, seed: int) -> list[Any]:
    """Irregular polygons of 20-40 vertices scattered over the demo settlements' area."""
    import shapely

    from homeward.places.models import Place

    rng = random.Random(seed)
    centres = list(Place.objects.filter(level="settlement").values_list("longitude", "latitude"))
    polygons = []
    for _ in range(count):
        lon, lat = rng.choice(centres)
        lon += rng.uniform(-0.03, 0.03)
        lat += rng.uniform(-0.03, 0.03)
        vertices = rng.randint(20, 40)
        radius = rng.uniform(0.0005, 0.004)
        ring = []
        for k in range(vertices):
            angle = 2 * math.pi * k / vertices
            r = radius * rng.uniform(0.7, 1.0)
            ring.append((lon + r * math.cos(angle) / math.cos(math.radians(lat)), lat + r * math.sin(angle)))
        polygons.append(shapely.Polygon(ring))
    return polygons


def _write_file(path: Path, polygons: list[Any]) -> None:
    from homeward.interchange import ExportFormat, FieldSpec, write_features

    fields = [
        FieldSpec(name, "str") for name in ("external_id", "classification", "recorded_on", "eo_types", "organisation")
    ]
    rows = (
        (
            {
                "external_id": f"BENCH-{i:06d}",
                "classification": "cha" if i % 3 else "sha",
                "recorded_on": f"2023-{1 + i % 12:02d}-15",
                "eo_types": "ap_mine;at_mine" if i % 2 else "uxo",
                "organisation": "Bench Survey Team",
            },
            polygon,
        )
        for i, polygon in enumerate(polygons)
    )
    write_features(path, ExportFormat.GPKG, fields, rows, layer="hazards")


def _clear_ours() -> None:
    from django.db import connection

    from homeward.mineaction.models import HazardousArea, HazardousAreaState

    HazardousAreaState.objects.filter(area__external_id__startswith="BENCH-").delete()
    HazardousArea.objects.filter(external_id__startswith="BENCH-").delete()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_geopandas_hazards")


def _ours(path: Path, actor: Any) -> float:
    from homeward.core.context import acting_as
    from homeward.mineaction.importing import import_file

    _clear_ours()
    started = time.perf_counter()
    with acting_as(actor):
        report = import_file("hazards", path)
    elapsed = time.perf_counter() - started
    if not report.committed or report.rejected_count:
        raise SystemExit(f"our import did not commit: {report.as_dict()['rejections'][:3]}")
    return elapsed


def _peer(path: Path, engine: Any) -> float:
    import geopandas

    _clear_ours()
    started = time.perf_counter()
    frame = geopandas.read_file(path, layer="hazards")
    table = frame.drop(columns="geometry").assign(geometry=frame.geometry.to_wkb())
    table.to_sql("bench_geopandas_hazards", engine, if_exists="replace", index=False, chunksize=2000)
    return time.perf_counter() - started


def _engine(database_url: str | None, data_dir: str) -> Any:
    import sqlalchemy
    from django.conf import settings

    if database_url:
        return sqlalchemy.create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    return sqlalchemy.create_engine(f"sqlite:///{settings.DATABASES['default']['NAME']}")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 polygons, 2 repetitions")
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL; default a fresh SQLite file")
    parser.add_argument("--repetitions", type=int, default=None)
    parser.add_argument("--polygons", type=int, default=None, help="override the number of polygons")
    args = parser.parse_args(argv)
    count = args.polygons or (1_000 if args.quick else 10_000)
    repetitions = args.repetitions or (2 if args.quick else 3)

    with tempfile.TemporaryDirectory(prefix="homeward-bench-") as data_dir:
        _setup(args.database_url, data_dir)
        from homeward.accounts.models import User
        from homeward.demo import ensure_demo_users, load_demo

        load_demo("small")
        ensure_demo_users()
        actor = User.objects.get(username="analyst")
        path = Path(data_dir) / "hazards.gpkg"
        _write_file(path, _polygons(count, seed=4))
        engine = _engine(args.database_url, data_dir)

        _ours(path, actor)  # warm-up: imports, GDAL driver, caches
        _peer(path, engine)
        ours, peer = [], []
        for _ in range(repetitions):
            ours.append(_ours(path, actor))
            peer.append(_peer(path, engine))
        _clear_ours()
        engine.dispose()

    ours_s, peer_s = statistics.median(ours), statistics.median(peer)
    database = "postgresql" if args.database_url else "sqlite"
    print(f"bench.hazard_import: {count:,} polygons from GeoPackage into {database}, median of {repetitions}")
    print(f"  {'':<34}{'median s':>10}{'polygons/s':>12}")
    print(f"  {'ours (validate, derive, history)':<34}{ours_s:>10.2f}{count / ours_s:>12,.0f}")
    print(f"  {'geopandas read_file + to_sql':<34}{peer_s:>10.2f}{count / peer_s:>12,.0f}")
    print(f"  ratio ours / peer: {ours_s / peer_s:.2f}; goal: ours <= 20 s -> {'met' if ours_s <= 20 else 'NOT met'}")
    result = {
        "bench": "hazard_import",
        "data": {"polygons": count, "database": database, "repetitions": repetitions},
        "ours": {"median_s": round(ours_s, 3), "runs_s": [round(t, 3) for t in ours]},
        "peers": {"geopandas_to_sql": {"median_s": round(peer_s, 3), "runs_s": [round(t, 3) for t in peer]}},
        "ratios": {"time_ours_over_geopandas_to_sql": round(ours_s / peer_s, 3)},
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
