from django.utils.translation import gettext_lazy as _

from homeward.core.navigation import MenuEntry, register_counter, register_menu
from homeward.core.permissions import Domain
from homeward.mineaction import selectors

register_menu(MenuEntry("mineaction", _("Mine action"), "mineaction:map", Domain.MINE_ACTION, order=20))
register_counter(Domain.MINE_ACTION, "hazardous_areas", selectors.count_open_hazards, "mineaction:hazard_list")
register_counter(Domain.MINE_ACTION, "incidents", selectors.count_incidents, "mineaction:incident_list")
