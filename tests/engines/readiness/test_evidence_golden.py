"""Every criterion's evidence of a full run stays exactly what it was when it was built record by record.

The evidence was first built record by record, then column-wise, then (2026-11-24) kept in columns
until read, with codes and parameters in place of English sentences. At that last step the kinds,
references, figures, outcomes, dates, statuses and scores of these three runs were checked equal,
one by one, to the record-by-record engine's; only the wording of some English details changed,
and the digests were recomputed. Any change to a kind, a reference, a code, a parameter, a detail
text, a quoted figure or an expected date shows here.
Figures are hashed to 12 significant digits, so that a different PROJ build moving a distance by
one unit in the last place does not count as a change.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from homeward.engines.readiness import Readiness

from .world import random_world


def _params(params: tuple[tuple[str, object], ...]) -> str:
    """The parameters, floats to 12 significant digits (like the figures)."""
    return ";".join(
        f"{name}={value:.12g}" if isinstance(value, float) else f"{name}={value!r}" for name, value in params
    )


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
                lines.append(
                    f"    {evidence.kind}\t{evidence.ref}\t{evidence.code}\t{_params(evidence.params)}\t{evidence.detail}\t{figure}"
                )
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


GOLDEN = {
    # (seed, settlements, today): digest. 2026-11-24 is in the heating season, 2026-07-01 is not.
    (1, 300, dt.date(2026, 11, 24)): "c2b05aac93f2495dbbca08d68d7606651aff7b0fb2c489ac2c05deb433a93656",
    (7, 300, dt.date(2026, 11, 24)): "a3cdeadeceb208ceb67c0b8a7913711c02159bdaf6f69265c51ee269ba06703c",
    (3, 200, dt.date(2026, 7, 1)): "06f71486330124bdddc327ebeddfa52b616d7a7dd91057a6aaae87f3917c345f",
}


@pytest.mark.parametrize(("seed", "settlements", "today"), list(GOLDEN))
def test_the_evidence_of_a_full_run_is_what_it_was_before_it_was_built_column_wise(
    seed: int, settlements: int, today: dt.date
) -> None:
    world = random_world(seed, settlements, span_m=60_000.0)
    results = list(world.evaluate(today=today).values())
    assert all(type(e.detail) is str for r in results for c in r.criteria for e in c.evidence)
    assert digest(results) == GOLDEN[seed, settlements, today]
