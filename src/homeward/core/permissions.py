"""The one place that answers "may this user do X to this object?".

Views, the API, the admin and services all ask :func:`may` (or :func:`require`). The policy is a
table of role → domain → actions; scope (agency, districts, ownership) is then checked against
what the target says about itself through ``homeward_scope()``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from django.core.exceptions import PermissionDenied

from homeward.core.roles import Role


class Action(StrEnum):
    VIEW = "view"
    CREATE = "create"
    CHANGE = "change"
    DELETE = "delete"
    EXPORT = "export"
    DECIDE = "decide"
    ASSIGN = "assign"


class Domain(StrEnum):
    ACCOUNTS = "accounts"
    AUDIT = "audit"
    PLACES = "places"
    MINE_ACTION = "mineaction"
    RECOVERY = "recovery"
    RETURNS = "returns"
    REGISTRY = "registry"
    CASES = "cases"
    PORTAL = "portal"
    AID = "aid"
    REPORTS = "reports"
    TASKS = "tasks"


@dataclass(frozen=True)
class Scope:
    """What a record says about who may see it. ``None`` means "not restricted by this"."""

    district_ids: frozenset[Any] | None = None
    agency_id: Any = None
    owner_id: Any = None


class ScopedUser(Protocol):
    is_authenticated: bool
    is_active: bool
    role: str
    agency_id: Any
    all_districts: bool
    pk: Any

    @property
    def district_ids(self) -> frozenset[Any]: ...


_ALL = frozenset(Action)
_READ = frozenset({Action.VIEW})
_READ_EXPORT = frozenset({Action.VIEW, Action.EXPORT})
_WRITE = frozenset({Action.VIEW, Action.CREATE, Action.CHANGE, Action.EXPORT})

_SITUATION = (Domain.PLACES, Domain.MINE_ACTION, Domain.RECOVERY, Domain.RETURNS, Domain.REPORTS)

POLICY: dict[str, dict[Domain, frozenset[Action]]] = {
    Role.ADMINISTRATOR: {
        Domain.ACCOUNTS: _ALL,
        Domain.AUDIT: _READ_EXPORT,
        Domain.PLACES: _ALL,
        Domain.TASKS: _ALL,
        **dict.fromkeys((Domain.MINE_ACTION, Domain.RECOVERY, Domain.RETURNS, Domain.AID, Domain.REPORTS), _READ),
    },
    Role.MINE_ACTION_ANALYST: {
        **dict.fromkeys(_SITUATION, _READ_EXPORT),
        Domain.MINE_ACTION: _ALL,
    },
    Role.RECONSTRUCTION_PLANNER: {
        **dict.fromkeys(_SITUATION, _READ_EXPORT),
        Domain.RECOVERY: _ALL,
    },
    Role.RETURN_COORDINATOR: {
        **dict.fromkeys(_SITUATION, _READ_EXPORT),
        Domain.RETURNS: _ALL,
    },
    Role.CASEWORKER: {
        Domain.PLACES: _READ,
        Domain.REGISTRY: _WRITE - {Action.EXPORT},
        # A caseworker decides the cases assigned to them; supervisors also rule on appeals.
        Domain.CASES: (_WRITE - {Action.EXPORT}) | {Action.DECIDE},
    },
    Role.SUPERVISOR: {
        Domain.PLACES: _READ,
        Domain.REGISTRY: _WRITE,
        Domain.CASES: _ALL,
        Domain.REPORTS: _READ_EXPORT,
    },
    Role.PARTNER: {
        **dict.fromkeys(_SITUATION, _READ),
        Domain.AID: _WRITE,
    },
    Role.AUDITOR: {
        Domain.AUDIT: _READ_EXPORT,
        Domain.ACCOUNTS: _READ,
        **dict.fromkeys((*_SITUATION, Domain.CASES, Domain.AID), _READ),
    },
    Role.RESIDENT: {
        Domain.PORTAL: frozenset({Action.VIEW, Action.CREATE, Action.CHANGE}),
    },
}

# Roles whose reach is their own agency's records, wherever a record names an agency.
AGENCY_BOUND_ROLES = frozenset({Role.PARTNER, Role.CASEWORKER, Role.SUPERVISOR})
# Roles that act only on records they own.
OWNER_BOUND_ROLES = frozenset({Role.RESIDENT})


def domain_of(target: Any) -> Domain:
    """The domain a model class, instance or domain name belongs to."""
    if isinstance(target, Domain):
        return target
    if isinstance(target, str):
        return Domain(target)
    domain = getattr(target, "homeward_domain", None)
    if domain is None:
        raise TypeError(f"{target!r} declares no homeward_domain")
    return Domain(domain)


def actions_for(user: Any, domain: Domain) -> frozenset[Action]:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return frozenset()
    return POLICY.get(getattr(user, "role", ""), {}).get(domain, frozenset())


def within_scope(user: ScopedUser, scope: Scope) -> bool:
    """Whether a record with ``scope`` lies inside the user's agency, districts and ownership."""
    if user.role in OWNER_BOUND_ROLES:
        return scope.owner_id is not None and scope.owner_id == user.pk
    if scope.agency_id is not None and user.role in AGENCY_BOUND_ROLES and scope.agency_id != user.agency_id:
        return False
    if scope.district_ids is not None and not user.all_districts:
        return bool(scope.district_ids & user.district_ids)
    return True


def may(user: Any, action: Action | str, target: Any) -> bool:
    """Whether ``user`` may do ``action`` to ``target``.

    ``target`` is a domain, a model class (a question about the kind of record) or an instance
    (a question about that record, which also checks its scope).
    """
    action = Action(action)
    if action not in actions_for(user, domain_of(target)):
        return False
    scope_of = getattr(target, "homeward_scope", None)
    if scope_of is None or isinstance(target, type):
        return True
    return within_scope(user, scope_of())


def require(user: Any, action: Action | str, target: Any) -> None:
    """Raise ``PermissionDenied`` unless :func:`may` says yes."""
    if not may(user, action, target):
        raise PermissionDenied


def visible_domains(user: Any) -> Iterable[Domain]:
    return [domain for domain in Domain if Action.VIEW in actions_for(user, domain)]


def in_district_scope(user: Any, queryset: Any, field: str = "district") -> Any:
    """``queryset`` limited to the user's districts; records in no district (outside every district
    of the gazetteer) stay visible, as their ``Scope`` says they are not restricted by district."""
    from django.db.models import Q

    if user.all_districts:
        return queryset
    return queryset.filter(Q(**{f"{field}__in": user.district_ids}) | Q(**{f"{field}__isnull": True}))
