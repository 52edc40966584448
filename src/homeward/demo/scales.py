"""How much demo data each scale loads. Every scale contains all the rows of the smaller ones."""

from __future__ import annotations

from dataclasses import dataclass

from homeward.demo.errors import DemoDataError


@dataclass(frozen=True)
class Scale:
    """``applications`` are casework applications; ``caseworkers`` staff each casework office."""

    name: str
    villages: int
    persons: int
    applications: int = 0
    caseworkers: int = 2


SCALES: tuple[Scale, ...] = (
    Scale("small", villages=40, persons=300, applications=200, caseworkers=2),
    Scale("district", villages=475, persons=20_000, applications=2_000, caseworkers=4),
    Scale("national", villages=4_975, persons=1_000_000, applications=20_000, caseworkers=8),
)


def get_scale(name: str) -> Scale:
    """The scale called ``name``; raises :class:`DemoDataError` naming the valid ones."""
    for scale in SCALES:
        if scale.name == name:
            return scale
    raise DemoDataError(f"unknown demo scale {name!r}; choose one of {', '.join(s.name for s in SCALES)}")


def scales_up_to(scale: Scale) -> tuple[Scale, ...]:
    """``scale`` and every smaller one, smallest first."""
    return tuple(s for s in SCALES if s.persons <= scale.persons)
