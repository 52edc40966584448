from typing import Any

from django.utils.translation import gettext_lazy as _

from homeward.core.navigation import MenuEntry, register_counter, register_menu
from homeward.core.permissions import Domain
from homeward.places import selectors

register_menu(MenuEntry("places", _("Places"), "places:settlement_list", Domain.PLACES, order=10))


def _districts(user: Any) -> int:
    return selectors.count_places(user, "district")


def _settlements(user: Any) -> int:
    return selectors.count_places(user, "settlement")


register_counter(Domain.PLACES, "districts", _districts)
register_counter(Domain.PLACES, "settlements", _settlements, "places:settlement_list")
