"""bench.hazard_import keeps working: a tiny run prints its table and a last-line JSON per the contract."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_tiny_hazard_import_bench_prints_the_contract_json(tmp_path):
    env = {**os.environ, "HOMEWARD_DATA_DIR": str(tmp_path)}
    env.pop("HOMEWARD_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "bench.hazard_import", "--quick", "--polygons", "60", "--repetitions", "1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert result.returncode == 0, result.stderr[-2000:]
    last = json.loads(result.stdout.strip().splitlines()[-1])
    assert last["bench"] == "hazard_import"
    assert last["data"]["polygons"] == 60
    assert last["ours"]["median_s"] > 0 and last["peers"]["geopandas_to_sql"]["median_s"] > 0
    assert "time_ours_over_geopandas_to_sql" in last["ratios"]
