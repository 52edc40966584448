"""Readiness evidence in the reader's language: the engine's codes and parameters, written out at the edge.

The engine says what a fact is (``hazard_near_point`` with ``metres=250`` and a clearance date);
this module writes it in the active language: the message through gettext (the engine's English
is the msgid, see ``engines/readiness/messages.py``), numbers and dates in the language's format,
vocabulary words (a service kind, a status) translated, and the ids of settlements and agencies
replaced by their names where the caller knows them. Snapshots stored before evidence had codes
carry an English ``detail`` instead; it is shown as it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils import formats
from django.utils.functional import Promise
from django.utils.text import get_text_list
from django.utils.translation import gettext, pgettext_lazy

from homeward.engines import readiness as engine
from homeward.engines.readiness.messages import (
    DATE_PARAMS,
    ID_PARAMS,
    NUMBER_FORMATS,
    PERCENT_PARAMS,
    WORD_PARAMS,
    ParamValue,
    render,
)

# Codes of the notes that say why a criterion has no forecast.
NO_FORECAST_CODES = frozenset(
    {"hazard_not_dated", "no_project_restores", "no_project_restores_within", "housing_short"}
)

# The engine's vocabulary as it reads inside a sentence ("no water record", "nearest working school").
WORDS: dict[str, str | Promise] = {
    "water": pgettext_lazy("in a sentence", "water"),
    "electricity": pgettext_lazy("in a sentence", "electricity"),
    "gas": pgettext_lazy("in a sentence", "gas"),
    "heating": pgettext_lazy("in a sentence", "heating"),
    "school": pgettext_lazy("in a sentence", "school"),
    "kindergarten": pgettext_lazy("in a sentence", "kindergarten"),
    "health_post": pgettext_lazy("in a sentence", "health post"),
    "road_access": pgettext_lazy("in a sentence", "road access"),
    "mobile_coverage": pgettext_lazy("in a sentence", "mobile coverage"),
    "working": pgettext_lazy("in a sentence", "working"),
    "partial": pgettext_lazy("in a sentence", "partly working"),
    "not_working": pgettext_lazy("in a sentence", "not working"),
    "unknown": pgettext_lazy("in a sentence", "unknown"),
    "km": pgettext_lazy("unit", "km"),
    "minutes": pgettext_lazy("unit", "min"),
    "pre_conflict_households": pgettext_lazy("in a sentence", "pre-conflict households"),
    "return_intentions": pgettext_lazy("in a sentence", "return intentions"),
}


def _decimals(name: str) -> int | None:
    spec = NUMBER_FORMATS.get(name, "g")
    return int(spec[1]) if spec.startswith(".") and spec.endswith("f") else None


def _value(name: str, value: ParamValue, names: Mapping[str, str]) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return str(get_text_list([_value(name, item, names) for item in value], gettext("or")))
    if isinstance(value, str):
        if name in DATE_PARAMS:
            return str(formats.date_format(dt.date.fromisoformat(value), "DATE_FORMAT"))
        if name in ID_PARAMS:
            return ", ".join(names.get(part, part) for part in value.split(", "))
        if name in WORD_PARAMS:
            return str(WORDS.get(value, value.replace("_", " ")))
        return value
    if name in PERCENT_PARAMS:
        return f"{formats.number_format(value * 100, 0)} %"
    decimals = _decimals(name)
    if decimals is None and float(value).is_integer():
        decimals = 0
    return str(formats.number_format(value, decimals, use_l10n=True))


def evidence_text(item: Mapping[str, Any], names: Mapping[str, str] | None = None) -> str:
    """One stored piece of evidence (``kind``, ``ref``, ``code``, ``params``, ``value``) in the active language.

    ``names`` maps the ids quoted in parameters (settlements, agencies, hazardous areas) to what to
    show instead; ids not in it are shown as they are.
    """
    if "code" not in item:  # stored before evidence had codes
        return str(item.get("detail", ""))
    names = names or {}
    params: Mapping[str, ParamValue] = item.get("params") or {}
    message = engine.MESSAGES.get(item["code"])
    if message is None:
        return engine.describe(item["code"], tuple(params.items()))
    return render(message, params, gettext, lambda name, value: _value(name, value, names))


# Parameters quoting internal ids that a page shows by name (areas are quoted by their external id).
NAMED_PARAMS = frozenset({"settlement", "agency"})


def quoted_ids(item: Mapping[str, Any]) -> set[str]:
    """The internal ids (settlements, agencies) a stored piece of evidence quotes in its parameters."""
    params = item.get("params") or {}
    return {value for name, value in params.items() if name in NAMED_PARAMS and isinstance(value, str) and value}


def as_stored(evidence: engine.Evidence) -> dict[str, Any]:
    """A piece of evidence as a snapshot stores it (JSON: tuples become lists)."""
    return {
        "kind": str(evidence.kind),
        "ref": evidence.ref,
        "code": evidence.code,
        "params": {name: list(value) if isinstance(value, tuple) else value for name, value in evidence.params},
        "value": evidence.value,
    }
