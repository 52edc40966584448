"""Domain events after commit: one app says what changed, others that care react.

Mine action does not know that readiness depends on hazardous areas; the returns app subscribes
to ``hazards_changed`` in its ``AppConfig.ready()``. Listeners run after the transaction commits
(never for a rolled-back write) and should only enqueue background tasks.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db import transaction

Listener = Callable[..., None]
_listeners: defaultdict[str, list[Listener]] = defaultdict(list)

HAZARDS_CHANGED = "hazards_changed"


def subscribe(topic: str, listener: Listener) -> None:
    if listener not in _listeners[topic]:
        _listeners[topic].append(listener)


def publish_on_commit(topic: str, **payload: Any) -> None:
    """Call every listener of ``topic`` with ``payload`` once the current transaction commits."""

    def deliver() -> None:
        for listener in list(_listeners[topic]):
            listener(**payload)

    transaction.on_commit(deliver)
