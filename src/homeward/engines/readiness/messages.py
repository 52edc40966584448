"""What each piece of evidence says: a code, its parameters, and the English text they make.

The engine never writes sentences into its answers: an :class:`~.results.Evidence` carries a
``code`` and ``params`` (figures, dates as ISO strings, ids, and vocabulary words such as a service
kind), and a page or an export turns them into text in its reader's language. :data:`MESSAGES`
holds the English of every code, marked with :func:`N_` so that the message extractor puts it in
the translation catalogues; :func:`describe` renders the English (for logs, the CLI and tests).

A message is a main text and optional *clauses*, each added when its parameter is given (and its
alternative, if any, when it is not): "…; expected clearance 2027-03-01" or "…; no expected
clearance". Parameters are named ``%(name)s`` and formatted by their name (:data:`NUMBER_FORMATS`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeAlias

ParamValue: TypeAlias = str | float | int | tuple[str, ...] | None
Params: TypeAlias = tuple[tuple[str, ParamValue], ...]


def N_(message: str) -> str:
    """Mark ``message`` for translation without translating it (the engine has no language)."""
    return message


@dataclass(frozen=True)
class Clause:
    """Text added when ``param`` is given (``present``), or when it is not (``absent``, may be empty)."""

    param: str
    present: str
    absent: str = ""


@dataclass(frozen=True)
class Message:
    text: str
    clauses: tuple[Clause, ...] = ()


_CLEARANCE = Clause("clearance", N_("; expected clearance %(clearance)s"), N_("; no expected clearance"))
_PROJECT_CLAUSES = (
    Clause("delay_days", N_(" (projects of agency %(agency)s end %(delay_days)s days late on average)")),
    Clause("waits_for", N_("; its site lies in active hazardous area %(waits_for)s, so it waits for clearance")),
)

MESSAGES: dict[str, Message] = {
    "not_in_season": Message(N_("not in season")),
    "no_road_network": Message(N_("no road network loaded")),
    "no_hazard_in_area": Message(N_("no active hazardous area in the residential area")),
    "no_hazard_near_point": Message(N_("no active hazardous area within %(metres)s m of the settlement's point")),
    "hazard_in_area": Message(N_("active hazardous area in the residential area"), (_CLEARANCE,)),
    "hazard_near_point": Message(
        N_("active hazardous area within %(metres)s m of the settlement's point"), (_CLEARANCE,)
    ),
    "hazard_not_dated": Message(N_("no forecast: hazardous area %(hazard)s has no expected clearance")),
    "service_status": Message(N_("%(service)s: %(status)s"), (Clause("as_of", N_(" as of %(as_of)s")),)),
    "no_service_record": Message(N_("no %(service)s record")),
    "no_project_restores": Message(N_("no forecast: no planned or ongoing project restores %(services)s")),
    "no_project_restores_within": Message(
        N_("no forecast: no planned or ongoing project restores a %(facility)s within %(limit)s %(unit)s")
    ),
    "nearest_facility_in": Message(N_("nearest working %(facility)s: in %(settlement)s, %(distance)s %(unit)s")),
    "nearest_facility": Message(N_("nearest working %(facility)s: %(distance)s %(unit)s")),
    "no_working_facility": Message(N_("no working %(facility)s known")),
    "no_reach_limit": Message(N_("reach is measured in %(unit)s and the criterion sets no limit in %(unit)s")),
    "housing_record": Message(
        N_("%(habitable)s habitable"),
        (Clause("units", N_(" of %(units)s units"), N_(" units")), Clause("damaged", N_(", %(damaged)s damaged"))),
    ),
    "no_housing_record": Message(N_("no housing record")),
    "households_not_known": Message(N_("expected households not known (%(source)s)")),
    "housing_needed": Message(
        N_("%(needed)s habitable units needed: %(share)s of %(households)s expected households (%(source)s)")
    ),
    "housing_short": Message(N_("no forecast: planned or ongoing projects add %(added)s of the %(short)s units short")),
    "project_restores": Message(
        N_("project restores %(restores)s: planned end %(planned_end)s, expected %(expected)s"), _PROJECT_CLAUSES
    ),
    "project_adds_housing": Message(
        N_("project adds %(units)s housing units: planned end %(planned_end)s, expected %(expected)s"),
        _PROJECT_CLAUSES,
    ),
}

# How the English (and, by the same names, a page) writes a number parameter.
NUMBER_FORMATS: dict[str, str] = {
    "metres": "g",
    "limit": "g",
    "distance": ".1f",
    "habitable": ".0f",
    "units": ".0f",
    "damaged": ".0f",
    "needed": ".0f",
    "households": ".0f",
    "added": ".0f",
    "short": ".0f",
    "delay_days": ".0f",
}
PERCENT_PARAMS = frozenset({"share"})
# Parameters holding dates (ISO strings) and ids of records (hazards, settlements, agencies).
DATE_PARAMS = frozenset({"clearance", "as_of", "planned_end", "expected"})
ID_PARAMS = frozenset({"hazard", "settlement", "agency", "waits_for"})
# Parameters holding words of the engine's vocabulary (service kinds, statuses, units, sources).
WORD_PARAMS = frozenset({"service", "services", "facility", "status", "unit", "source", "restores"})
# The English of the words that are not plain identifiers.
ENGLISH_WORDS: dict[str, str] = {
    "health_post": "health post",
    "not_working": "not working",
    "road_access": "road access",
    "mobile_coverage": "mobile coverage",
    "pre_conflict_households": "pre-conflict households",
    "return_intentions": "return intentions",
    "minutes": "min",
}


def english_value(name: str, value: ParamValue) -> str:
    """One parameter as the English text writes it."""
    if isinstance(value, tuple):
        return " or ".join(english_value(name, item) for item in value)
    if value is None:
        return ""
    if isinstance(value, str):
        return ENGLISH_WORDS.get(value, value) if name in WORD_PARAMS else value
    if name in PERCENT_PARAMS:
        return f"{value:.0%}"
    return format(value, NUMBER_FORMATS.get(name, "g"))


def render(
    message: Message,
    params: Mapping[str, ParamValue],
    text: Callable[[str], str],
    value: Callable[[str, ParamValue], str],
) -> str:
    """``message`` with its clauses, each text passed through ``text`` (a translation) and each parameter
    through ``value`` (a formatter)."""
    values = {name: value(name, param) for name, param in params.items()}
    parts = [text(message.text) % values]
    for clause in message.clauses:
        given = params.get(clause.param) is not None
        chosen = clause.present if given else clause.absent
        if chosen:
            parts.append(text(chosen) % values)
    return "".join(parts)


def describe(code: str, params: Params) -> str:
    """The English text of one piece of evidence; a code the engine has no message for (one a road
    network or another plug-in says) reads as the code and its parameters."""
    message = MESSAGES.get(code)
    if message is None:
        given = ", ".join(f"{name} {english_value(name, value)}" for name, value in params)
        return f"{code} ({given})" if given else code
    return render(message, dict(params), lambda text: text, english_value)
