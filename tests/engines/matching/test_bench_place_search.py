"""The place-search benchmark keeps working: a tiny run prints the contract's JSON last line."""

from __future__ import annotations

import json

from bench import place_search


def test_quick_bench_prints_the_result_object_last(capsys):
    assert place_search.main(["--quick", "--scale", "small", "--queries", "30", "--repetitions", "1"]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    result = json.loads(last)
    assert result["bench"] == "place_search"
    assert result["data"]["queries"] == 30
    assert result["data"]["names"] > 100
    peer = result["peers"]["rapidfuzz_extractone"]
    for figures in (result["ours"], peer):
        assert {"p50_s", "p95_s", "top1", "top1_unambiguous"} <= figures.keys()
        assert 0.0 < figures["p50_s"] <= figures["p95_s"]
        assert 0.0 <= figures["top1"] <= 1.0
    assert "p95_time_ours_over_rapidfuzz_extractone" in result["ratios"]
