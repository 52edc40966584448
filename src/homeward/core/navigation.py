"""Role-based navigation and the home dashboard's domain cards.

Apps register their menu entries and counters in ``AppConfig.ready()``; core renders only what
the user's role may see. Core therefore knows no app, and a new domain appears by registering.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from homeward.core.permissions import Action, Domain, may


@dataclass(frozen=True)
class MenuEntry:
    key: str
    label: str | Promise
    url_name: str
    domain: Domain | None
    action: Action = Action.VIEW
    order: int = 100


@dataclass
class Counter:
    key: str
    label: str | Promise
    count: Callable[[Any], int] | None = None
    url_name: str = ""


@dataclass
class DomainCard:
    """One of the questions Homeward answers, with the figures that show progress on it."""

    domain: Domain
    title: str | Promise
    question: str | Promise
    counters: list[Counter] = field(default_factory=list)


_menu: dict[str, MenuEntry] = {}

DOMAIN_CARDS: dict[Domain, DomainCard] = {
    Domain.MINE_ACTION: DomainCard(
        Domain.MINE_ACTION,
        _("Mine action"),
        _("Where is it safe?"),
        [Counter("hazardous_areas", _("Hazardous areas")), Counter("incidents", _("Explosive ordnance incidents"))],
    ),
    Domain.RECOVERY: DomainCard(
        Domain.RECOVERY,
        _("Recovery"),
        _("Where is it liveable?"),
        [
            Counter("projects", _("Reconstruction projects")),
            Counter("ready_settlements", _("Settlements ready for return")),
        ],
    ),
    Domain.RETURNS: DomainCard(
        Domain.RETURNS,
        _("Returns"),
        _("Who wants to go where, and when can they?"),
        [Counter("households", _("Displaced households")), Counter("return_plans", _("Return plans"))],
    ),
    Domain.CASES: DomainCard(
        Domain.CASES,
        _("Reintegration"),
        _("What does each resident need from the state?"),
        [Counter("open_applications", _("Open applications")), Counter("overdue", _("Overdue applications"))],
    ),
    Domain.AID: DomainCard(
        Domain.AID,
        _("Aid logistics"),
        _("What is needed where, and is it on its way?"),
        [Counter("open_requests", _("Open aid requests")), Counter("deliveries", _("Deliveries under way"))],
    ),
    Domain.PLACES: DomainCard(
        Domain.PLACES,
        _("Places"),
        _("Which districts and settlements are covered?"),
        [Counter("districts", _("Districts")), Counter("settlements", _("Settlements"))],
    ),
    Domain.REGISTRY: DomainCard(
        Domain.REGISTRY,
        _("Registry"),
        _("Who is registered?"),
        [Counter("persons", _("Registered persons")), Counter("households", _("Households"))],
    ),
}


def register_menu(entry: MenuEntry) -> None:
    _menu[entry.key] = entry


def register_counter(domain: Domain, key: str, count: Callable[[Any], int], url_name: str = "") -> None:
    """Give a dashboard counter its real figure; until then it shows zero."""
    for counter in DOMAIN_CARDS[domain].counters:
        if counter.key == key:
            counter.count = count
            counter.url_name = url_name
            return
    raise KeyError(f"no counter {key!r} on the {domain} card")


@dataclass(frozen=True)
class MenuLink:
    key: str
    label: str | Promise
    url: str


def menu_for(user: Any) -> list[MenuLink]:
    links = []
    for entry in sorted(_menu.values(), key=lambda item: (item.order, item.key)):
        if not getattr(user, "is_authenticated", False):
            continue
        if entry.domain is not None and not may(user, entry.action, entry.domain):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        links.append(MenuLink(entry.key, entry.label, url))
    return links


@dataclass(frozen=True)
class CardFigure:
    label: str | Promise
    value: int
    url: str


@dataclass(frozen=True)
class CardView:
    domain: Domain
    title: str | Promise
    question: str | Promise
    figures: list[CardFigure]


def dashboard_for(user: Any) -> list[CardView]:
    cards = []
    for card in DOMAIN_CARDS.values():
        if not may(user, Action.VIEW, card.domain):
            continue
        figures = []
        for counter in card.counters:
            value = counter.count(user) if counter.count else 0
            url = reverse(counter.url_name) if counter.url_name else ""
            figures.append(CardFigure(counter.label, value, url))
        cards.append(CardView(card.domain, card.title, card.question, figures))
    return cards
