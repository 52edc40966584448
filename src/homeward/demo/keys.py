"""Deterministic primary keys, so that loading the demo data twice yields the same rows."""

from __future__ import annotations

import uuid

DEMO_NAMESPACE = uuid.UUID("5d1f0c3e-7a2b-5c8e-9f40-6b1d2e3a4c5f")


def demo_uuid(kind: str, *natural_key: object) -> uuid.UUID:
    """The same UUID for the same kind of row and natural key, on every machine and every run."""
    return uuid.uuid5(DEMO_NAMESPACE, "|".join((kind, *(str(part) for part in natural_key))))
