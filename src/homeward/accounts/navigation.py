from django.utils.translation import gettext_lazy as _

from homeward.core.navigation import MenuEntry, register_menu
from homeward.core.permissions import Domain

register_menu(MenuEntry("users", _("Users"), "accounts:users", Domain.ACCOUNTS, order=80))
