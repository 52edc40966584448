from typing import Any

from django.utils.translation import gettext_lazy as _

from homeward.core.navigation import MenuEntry, register_counter, register_menu
from homeward.core.permissions import Domain
from homeward.registry import selectors

register_menu(MenuEntry("persons", _("Persons"), "registry:person_list", Domain.REGISTRY, order=40))


def _persons(user: Any) -> int:
    return selectors.persons_visible_to(user).count()


def _households(user: Any) -> int:
    return selectors.households_visible_to(user).count()


register_counter(Domain.REGISTRY, "persons", _persons, "registry:person_list")
register_counter(Domain.REGISTRY, "households", _households)
