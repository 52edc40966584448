"""The service catalogue as data: reading and validating ``services.toml``.

Adding a service to a deployment needs no code: add a ``[[service]]`` entry to the file (or a service
through the admin or the API) and load it with :func:`homeward.cases.services.load_catalogue`.
Every entry is checked before anything is written; a bad one is refused with an error naming the
service and the field at fault. This module only reads and checks: it writes nothing.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from homeward.cases.choices import (
    APPLICATION_FIELDS,
    CATALOGUE_LANGUAGES,
    DecisionOutcome,
    DocumentType,
    ResponsibleAgency,
)

DEFAULT_CATALOGUE = Path(__file__).resolve().with_name("services.toml")

_CODE = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
_KEYS = frozenset(
    {
        "code",
        "names",
        "responsible_agency",
        "deadline_working_days",
        "required_fields",
        "required_documents",
        "outcomes",
    }
)
_MAX_DEADLINE = 1000
_MAX_NAME = 200


class CatalogueError(ValueError):
    """A catalogue entry that cannot be accepted: names the service, the field and what is wrong."""

    def __init__(self, service: str, field: str, message: str) -> None:
        self.service = service
        self.field = field
        self.message = message
        where = f"service {service!r}" if service else "the catalogue"
        super().__init__(f"{where}, field {field!r}: {message}" if field else f"{where}: {message}")


@dataclass(frozen=True)
class Outcome:
    code: str
    kind: str


@dataclass(frozen=True)
class ServiceSpec:
    """One valid catalogue entry."""

    code: str
    names: Mapping[str, str]
    responsible_agency: str
    deadline_working_days: int
    required_fields: tuple[str, ...]
    required_documents: tuple[str, ...]
    outcomes: tuple[Outcome, ...]

    def model_values(self) -> dict[str, Any]:
        """The values of a ``ServiceType`` row holding this entry (other than its code)."""
        return {
            **{f"name_{language}": self.names[language] for language in CATALOGUE_LANGUAGES},
            "responsible_agency": self.responsible_agency,
            "deadline_working_days": self.deadline_working_days,
            "required_fields": list(self.required_fields),
            "required_documents": list(self.required_documents),
            "outcomes": [{"code": outcome.code, "kind": outcome.kind} for outcome in self.outcomes],
        }


def _strings(service: str, field: str, value: Any, allowed: Sequence[str]) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise CatalogueError(service, field, "must be a list of names")
    unknown = [item for item in value if item not in allowed]
    if unknown:
        raise CatalogueError(
            service, field, f"unknown {', '.join(map(repr, unknown))} (known: {', '.join(sorted(allowed))})"
        )
    repeated = sorted({item for item in value if value.count(item) > 1})
    if repeated:
        raise CatalogueError(service, field, f"lists {', '.join(map(repr, repeated))} more than once")
    return tuple(value)


def _names(service: str, value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise CatalogueError(service, "names", f"must give the name in {', '.join(CATALOGUE_LANGUAGES)}")
    unknown = sorted(set(value) - set(CATALOGUE_LANGUAGES))
    if unknown:
        raise CatalogueError(service, f"names.{unknown[0]}", f"is not one of the languages {CATALOGUE_LANGUAGES}")
    names: dict[str, str] = {}
    for language in CATALOGUE_LANGUAGES:
        name = value.get(language)
        if not isinstance(name, str) or not name.strip():
            raise CatalogueError(service, f"names.{language}", "is missing: every service is named in every language")
        if len(name) > _MAX_NAME:
            raise CatalogueError(service, f"names.{language}", f"is longer than {_MAX_NAME} characters")
        names[language] = name.strip()
    return names


def _deadline(service: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise CatalogueError(service, "deadline_working_days", f"must be a whole number of working days, not {value!r}")
    if value < 1:
        raise CatalogueError(service, "deadline_working_days", f"must be at least 1 working day, got {value}")
    if value > _MAX_DEADLINE:
        raise CatalogueError(service, "deadline_working_days", f"must be at most {_MAX_DEADLINE} working days")
    return value


def _outcomes(service: str, value: Any) -> tuple[Outcome, ...]:
    if not isinstance(value, list) or not value:
        raise CatalogueError(service, "outcomes", "must list at least one possible outcome")
    outcomes: list[Outcome] = []
    for index, raw in enumerate(value):
        field = f"outcomes[{index}]"
        if not isinstance(raw, Mapping) or set(raw) != {"code", "kind"}:
            raise CatalogueError(service, field, 'must be {code = "...", kind = "approved" | "rejected"}')
        code, kind = raw["code"], raw["kind"]
        if not isinstance(code, str) or not _CODE.match(code):
            raise CatalogueError(service, f"{field}.code", f"{code!r} is not a lower-case code")
        if kind not in DecisionOutcome.values:
            raise CatalogueError(
                service, f"{field}.kind", f"{kind!r} is not one of {', '.join(DecisionOutcome.values)}"
            )
        if any(outcome.code == code for outcome in outcomes):
            raise CatalogueError(service, f"{field}.code", f"{code!r} is listed twice")
        outcomes.append(Outcome(code, str(kind)))
    return tuple(outcomes)


def check_service(raw: Any, *, position: int | None = None) -> ServiceSpec:
    """The entry as a :class:`ServiceSpec`, or :class:`CatalogueError` naming the service and field."""
    label = f"entry #{position + 1}" if position is not None else "new service"
    if not isinstance(raw, Mapping):
        raise CatalogueError(label, "", "is not a table of fields")
    code = raw.get("code")
    if not isinstance(code, str) or not _CODE.match(code):
        raise CatalogueError(label, "code", f"{code!r} is not a lower-case code (letters, digits, _; at most 60)")
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise CatalogueError(code, unknown[0], f"is not a catalogue field (known: {', '.join(sorted(_KEYS))})")
    for key in sorted(_KEYS - {"required_fields", "required_documents"}):
        if key not in raw:
            raise CatalogueError(code, key, "is missing")
    agency = raw["responsible_agency"]
    if agency not in ResponsibleAgency.values:
        raise CatalogueError(
            code, "responsible_agency", f"{agency!r} is not one of {', '.join(ResponsibleAgency.values)}"
        )
    return ServiceSpec(
        code=code,
        names=_names(code, raw["names"]),
        responsible_agency=str(agency),
        deadline_working_days=_deadline(code, raw["deadline_working_days"]),
        required_fields=_strings(code, "required_fields", raw.get("required_fields", []), sorted(APPLICATION_FIELDS)),
        required_documents=_strings(code, "required_documents", raw.get("required_documents", []), DocumentType.values),
        outcomes=_outcomes(code, raw["outcomes"]),
    )


def parse_catalogue(text: str) -> list[ServiceSpec]:
    """Every entry of a catalogue file's text, checked; the first bad entry is refused."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise CatalogueError("", "", f"is not valid TOML: {error}") from error
    unknown = sorted(set(data) - {"service"})
    if unknown:
        raise CatalogueError("", unknown[0], "is not expected at the top level: entries are [[service]] tables")
    entries = data.get("service", [])
    if not isinstance(entries, list) or not entries:
        raise CatalogueError("", "service", "the catalogue lists no [[service]] entries")
    specs: list[ServiceSpec] = []
    seen: set[str] = set()
    for position, raw in enumerate(entries):
        spec = check_service(raw, position=position)
        if spec.code in seen:
            raise CatalogueError(spec.code, "code", "is used by an earlier entry of the catalogue")
        seen.add(spec.code)
        specs.append(spec)
    return specs


def read_catalogue(path: Path | str | None = None) -> list[ServiceSpec]:
    """The checked entries of the catalogue file at ``path`` (the bundled ``services.toml`` by default)."""
    source = Path(path) if path is not None else DEFAULT_CATALOGUE
    return parse_catalogue(source.read_text(encoding="utf-8"))
