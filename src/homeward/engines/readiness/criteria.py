"""Readiness criteria are configuration: which ones apply, their thresholds, weights and seasons.

A criteria set is read from a mapping (a TOML file, a database table turned into a dict) and
validated here, so a bad file is refused with the criterion and field at fault named. The default
set ships as ``default_criteria.toml`` next to this module.
"""

from __future__ import annotations

import hashlib
import json
import math
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from functools import cached_property
from importlib import resources
from typing import Any, Literal, TypeAlias

from homeward.engines.readiness.vocabulary import ServiceKind

DEFAULT_CRITERIA_FILE = "default_criteria.toml"
COMMON_FIELDS = frozenset({"weight", "required", "months"})
UnknownPolicy = Literal["not_met", "excluded"]


class CriteriaError(ValueError):
    """A criteria set was refused: ``criterion`` (or ``status``) and ``field`` name what is wrong."""

    def __init__(self, criterion: str, field: str, message: str) -> None:
        self.criterion = criterion
        self.field = field
        self.message = message
        super().__init__(f"criterion {criterion!r}, field {field!r}: {message}")


@dataclass(frozen=True)
class ResidentialAreaParams:
    """The residential area is the settlement's polygon, or a circle of ``buffer_m`` around its point."""

    buffer_m: float


@dataclass(frozen=True)
class RoadParams:
    """No thresholds yet: the road network decides what a hazard-free road is."""


@dataclass(frozen=True)
class ServiceParams:
    """Met when any of ``services`` is working (or partly working, if ``accept_partial``)."""

    services: tuple[ServiceKind, ...]
    accept_partial: bool = False


@dataclass(frozen=True)
class ReachParams:
    """A working ``facility`` in the settlement, or one within ``max_km`` (or ``max_minutes`` of travel)."""

    facility: ServiceKind
    max_km: float
    max_minutes: float | None = None


@dataclass(frozen=True)
class HousingParams:
    """Met when habitable units >= ``min_share`` x the households expected to return."""

    min_share: float


Params: TypeAlias = ResidentialAreaParams | RoadParams | ServiceParams | ReachParams | HousingParams
ParamsParser: TypeAlias = Callable[[str, Mapping[str, Any]], Params]


@dataclass(frozen=True)
class Criterion:
    """One criterion: its kind (``key``), weight in the score, whether it alone can block, its season."""

    key: str
    weight: float
    required: bool
    params: Params
    months: frozenset[int] | None = None

    def in_season(self, month: int) -> bool:
        """Whether the criterion is evaluated in ``month`` (1-12); one without months always is."""
        return self.months is None or month in self.months


@dataclass(frozen=True)
class StatusRule:
    """Ready: every required criterion met and score >= ``ready_score``; partly ready: score >= ``partly_score``.

    ``unknown``: ``not_met`` counts an unknown criterion's weight as not met in the score;
    ``excluded`` leaves it out of the score's total.
    """

    ready_score: float
    partly_score: float
    unknown: UnknownPolicy = "not_met"


@dataclass(frozen=True)
class CriteriaSet:
    """The criteria in the order they are reported, and the rule turning their outcomes into a status."""

    criteria: tuple[Criterion, ...]
    status: StatusRule = field(default_factory=lambda: StatusRule(0.999, 0.5))

    @cached_property
    def digest(self) -> str:
        """A sha256 of the whole set, stored with snapshots so an answer names the criteria it used."""
        canonical = json.dumps(asdict(self), sort_keys=True, default=_canonical)
        return hashlib.sha256(canonical.encode()).hexdigest()

    def __getitem__(self, key: str) -> Criterion:
        for criterion in self.criteria:
            if criterion.key == key:
                return criterion
        raise KeyError(key)


def _canonical(value: object) -> object:
    if isinstance(value, frozenset):
        return sorted(value)
    raise TypeError(type(value).__name__)


def _number(criterion: str, data: Mapping[str, Any], name: str, *, default: float | None = None) -> float:
    """A finite number > 0 named ``name``; missing is an error unless a default is given."""
    if name not in data:
        if default is None:
            raise CriteriaError(criterion, name, "is required")
        return default
    value = data[name]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CriteriaError(criterion, name, f"must be a number, not {value!r}")
    if not math.isfinite(value) or value <= 0:
        raise CriteriaError(criterion, name, f"must be greater than 0, not {value!r}")
    return float(value)


def _flag(criterion: str, data: Mapping[str, Any], name: str, default: bool) -> bool:
    value = data.get(name, default)
    if not isinstance(value, bool):
        raise CriteriaError(criterion, name, f"must be true or false, not {value!r}")
    return value


def _service_kind(criterion: str, name: str, value: object) -> ServiceKind:
    try:
        return ServiceKind(str(value))
    except ValueError:
        known = ", ".join(kind.value for kind in ServiceKind)
        raise CriteriaError(criterion, name, f"unknown service kind {value!r}; known: {known}") from None


def _months(criterion: str, data: Mapping[str, Any]) -> frozenset[int] | None:
    if "months" not in data:
        return None
    value = data["months"]
    if not isinstance(value, list | tuple) or not value:
        raise CriteriaError(criterion, "months", "must be a non-empty list of month numbers 1-12")
    for month in value:
        if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
            raise CriteriaError(criterion, "months", f"month {month!r} is not between 1 and 12")
    return frozenset(value)


def residential_area_params(criterion: str, data: Mapping[str, Any]) -> Params:
    return ResidentialAreaParams(buffer_m=_number(criterion, data, "buffer_m"))


def road_params(criterion: str, data: Mapping[str, Any]) -> Params:
    return RoadParams()


def _service_params(default: tuple[ServiceKind, ...]) -> ParamsParser:
    def parse(criterion: str, data: Mapping[str, Any]) -> Params:
        raw = data.get("services", [kind.value for kind in default])
        if not isinstance(raw, list | tuple) or not raw:
            raise CriteriaError(criterion, "services", "must be a non-empty list of service kinds")
        services = tuple(_service_kind(criterion, "services", value) for value in raw)
        return ServiceParams(services=services, accept_partial=_flag(criterion, data, "accept_partial", False))

    return parse


def _reach_params(facility: ServiceKind) -> ParamsParser:
    def parse(criterion: str, data: Mapping[str, Any]) -> Params:
        chosen = _service_kind(criterion, "facility", data.get("facility", facility.value))
        minutes = _number(criterion, data, "max_minutes") if "max_minutes" in data else None
        return ReachParams(facility=chosen, max_km=_number(criterion, data, "max_km"), max_minutes=minutes)

    return parse


def housing_params(criterion: str, data: Mapping[str, Any]) -> Params:
    return HousingParams(min_share=_number(criterion, data, "min_share"))


# Every known criterion kind and how its parameters are read; the evaluator of each kind is
# registered under the same key in ``evaluators.EVALUATORS``.
PARAMS: dict[str, ParamsParser] = {
    "no_hazard_in_residential_area": residential_area_params,
    "hazard_free_road_to_district_centre": road_params,
    "water": _service_params((ServiceKind.WATER,)),
    "electricity": _service_params((ServiceKind.ELECTRICITY,)),
    "heating": _service_params((ServiceKind.HEATING, ServiceKind.GAS)),
    "school_within_reach": _reach_params(ServiceKind.SCHOOL),
    "health_post_within_reach": _reach_params(ServiceKind.HEALTH_POST),
    "habitable_housing": housing_params,
}
PARAM_FIELDS: dict[str, frozenset[str]] = {
    "no_hazard_in_residential_area": frozenset({"buffer_m"}),
    "hazard_free_road_to_district_centre": frozenset(),
    "water": frozenset({"services", "accept_partial"}),
    "electricity": frozenset({"services", "accept_partial"}),
    "heating": frozenset({"services", "accept_partial"}),
    "school_within_reach": frozenset({"facility", "max_km", "max_minutes"}),
    "health_post_within_reach": frozenset({"facility", "max_km", "max_minutes"}),
    "habitable_housing": frozenset({"min_share"}),
}


def _criterion(key: str, data: object) -> Criterion:
    if key not in PARAMS:
        raise CriteriaError(key, "key", f"unknown criterion kind; known: {', '.join(PARAMS)}")
    if not isinstance(data, Mapping):
        raise CriteriaError(key, "key", "must be a table of fields")
    unknown = sorted(set(data) - COMMON_FIELDS - PARAM_FIELDS[key])
    if unknown:
        raise CriteriaError(key, unknown[0], "unknown field")
    return Criterion(
        key=key,
        weight=_number(key, data, "weight"),
        required=_flag(key, data, "required", False),
        params=PARAMS[key](key, data),
        months=_months(key, data),
    )


def _status_rule(data: object) -> StatusRule:
    if not isinstance(data, Mapping):
        raise CriteriaError("status", "status", "must be a table with ready_score and partly_score")
    unknown_fields = sorted(set(data) - {"ready_score", "partly_score", "unknown"})
    if unknown_fields:
        raise CriteriaError("status", unknown_fields[0], "unknown field")
    ready = _number("status", data, "ready_score")
    partly = _number("status", data, "partly_score")
    if ready > 1:
        raise CriteriaError("status", "ready_score", f"must be at most 1, not {ready!r}")
    if partly > ready:
        raise CriteriaError("status", "partly_score", f"must not exceed ready_score {ready!r}")
    unknown = data.get("unknown", "not_met")
    if unknown not in ("not_met", "excluded"):
        raise CriteriaError("status", "unknown", f"must be 'not_met' or 'excluded', not {unknown!r}")
    return StatusRule(ready_score=ready, partly_score=partly, unknown=unknown)


def load_criteria(data: Mapping[str, Any]) -> CriteriaSet:
    """A validated criteria set from ``{"status": {...}, "criteria": {key: {...}, ...}}``.

    Criteria keep the order of the mapping. Raises :class:`CriteriaError` naming the criterion
    and field for an unknown criterion kind or field, a weight or threshold that is not a number
    greater than 0, a month outside 1-12, a missing parameter, or inconsistent status scores.
    """
    criteria = data.get("criteria")
    if not isinstance(criteria, Mapping) or not criteria:
        raise CriteriaError("criteria", "criteria", "must be a non-empty table of criteria")
    return CriteriaSet(
        criteria=tuple(_criterion(str(key), value) for key, value in criteria.items()),
        status=_status_rule(data.get("status", {"ready_score": 0.999, "partly_score": 0.5})),
    )


def default_criteria() -> CriteriaSet:
    """The criteria shipped with Homeward (``default_criteria.toml``), validated."""
    text = resources.files(__package__).joinpath(DEFAULT_CRITERIA_FILE).read_text(encoding="utf-8")
    return load_criteria(tomllib.loads(text))
