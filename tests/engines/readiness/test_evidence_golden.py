"""Every criterion's evidence of a full run stays exactly what it was when it was built record by record.

The digests were computed from the engine before its evidence was built column-wise (2026-11-24), so
any change to a kind, a reference, a detail text, a quoted figure or an expected date shows here.
Figures are hashed to 12 significant digits, so that a different PROJ build moving a distance by
one unit in the last place does not count as a change.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from homeward.engines.readiness import Readiness

from .world import random_world


def digest(results: list[Readiness]) -> str:
    """A sha256 of every result: status, score, forecast, blockers, and each criterion with its evidence."""
    lines = []
    for result in results:
        lines.append(
            f"{result.settlement_id}\t{result.status.value}\t{result.score!r}\t{result.earliest_ready}\t"
            f"{','.join(result.blockers)}"
        )
        for criterion in result.criteria:
            lines.append(f"  {criterion.key}\t{criterion.outcome.value}\t{criterion.expected_date}")
            for evidence in criterion.evidence:
                value = evidence.value
                figure = "None" if value is None else f"{type(value).__name__}:{value:.12g}"
                lines.append(f"    {evidence.kind}\t{evidence.ref}\t{evidence.detail}\t{figure}")
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


GOLDEN = {
    # (seed, settlements, today): digest. 2026-11-24 is in the heating season, 2026-07-01 is not.
    (1, 300, dt.date(2026, 11, 24)): "bc9c5cee34558ad8719f65ec52a3a172de9d650aa6a9f1e25c7f7862c905f5ff",
    (7, 300, dt.date(2026, 11, 24)): "b289004be44c7edb8045166ab454b093f8a12cac66c5f92457db485625c53524",
    (3, 200, dt.date(2026, 7, 1)): "3f0c305a47db757d3084efebce509bb1c9114b8a99af46312fe3e76209ca0023",
}


@pytest.mark.parametrize(("seed", "settlements", "today"), list(GOLDEN))
def test_the_evidence_of_a_full_run_is_what_it_was_before_it_was_built_column_wise(
    seed: int, settlements: int, today: dt.date
) -> None:
    world = random_world(seed, settlements, span_m=60_000.0)
    results = list(world.evaluate(today=today).values())
    assert all(type(e.detail) is str for r in results for c in r.criteria for e in c.evidence)
    assert digest(results) == GOLDEN[seed, settlements, today]
