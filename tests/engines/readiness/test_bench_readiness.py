"""The readiness benchmark keeps working: a tiny run prints the contract's JSON last line, agreeing with its peer."""

from __future__ import annotations

import json

import pytest
from bench import readiness


def test_a_tiny_bench_run_prints_the_result_object_last_and_agrees_with_the_peer(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert readiness.main(["--scale", "small", "--repetitions", "1"]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    result = json.loads(last)
    assert result["bench"] == "readiness"
    assert result["data"]["scale"] == "small"
    assert result["data"]["settlements"] > 50
    assert result["data"]["hazardous_areas"] > 50
    assert result["data"]["projects"] >= result["data"]["settlements"]
    assert {"full_s", "full_without_evidence_s", "incremental_s"} <= result["ours"].keys()
    assert result["peers"]["geopandas"]["full_s"] > 0
    assert {"full_time_ours_over_geopandas", "full_without_evidence_time_ours_over_geopandas"} <= result[
        "ratios"
    ].keys()
    assert result["agreement"] == 1.0
    assert result["disagreements"] == 0
    assert result["ours"]["incremental_matches_full"] is True
    assert result["ours"]["changes_outside_affected"] == 0
