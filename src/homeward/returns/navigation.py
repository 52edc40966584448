from django.utils.translation import gettext_lazy as _

from homeward.core.navigation import MenuEntry, register_counter, register_menu
from homeward.core.permissions import Domain
from homeward.returns import selectors

register_menu(MenuEntry("readiness", _("Readiness"), "returns:readiness_map", Domain.RETURNS, order=40))
register_counter(Domain.RECOVERY, "ready_settlements", selectors.count_ready)
