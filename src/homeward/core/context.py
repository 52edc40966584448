"""Who is acting, and from where: set per request by middleware, per command by the CLI.

Services and the audit log read it, so a write made by a task or an import is attributed as
faithfully as one made from a page.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ActingContext:
    actor: Any = None
    origin: str = "system"
    ip_address: str | None = None
    user_agent: str = ""
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)


_NOBODY = ActingContext(request_id="")
_current: ContextVar[ActingContext] = ContextVar(
    "homeward_acting_context",
    default=_NOBODY,
)


def current() -> ActingContext:
    return _current.get()


def current_actor() -> Any:
    actor = _current.get().actor
    if actor is not None and getattr(actor, "is_authenticated", False):
        return actor
    return None


@contextmanager
def acting_as(
    actor: Any = None, *, origin: str = "system", ip_address: str | None = None, user_agent: str = ""
) -> Iterator[ActingContext]:
    """Attribute everything done inside the block to ``actor`` from ``origin``."""
    context = ActingContext(actor=actor, origin=origin, ip_address=ip_address, user_agent=user_agent[:200])
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


def set_actor(actor: Any) -> None:
    """Replace the actor of the current context (an API token authenticated mid-request)."""
    context = _current.get()
    _current.set(
        ActingContext(
            actor=actor,
            origin=context.origin,
            ip_address=context.ip_address,
            user_agent=context.user_agent,
            request_id=context.request_id,
        )
    )
