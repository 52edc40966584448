from django.utils.translation import gettext_lazy as _

from homeward.core.navigation import MenuEntry, register_counter, register_menu
from homeward.core.permissions import Domain
from homeward.recovery import selectors

register_menu(MenuEntry("recovery", _("Recovery"), "recovery:project_list", Domain.RECOVERY, order=30))
register_counter(Domain.RECOVERY, "projects", selectors.count_projects, "recovery:project_list")
