"""Readiness of settlements: adapts places, mine action and recovery data to ``engines.readiness``
and stores snapshots. (Being written: the engine lands with issue 5.)"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def recompute(settlement_ids: Iterable[Any] | None = None) -> int:
    """Recompute and store readiness snapshots; returns how many were stored."""
    return 0
