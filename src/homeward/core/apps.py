from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "homeward.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from homeward.core.navigation import MenuEntry, register_menu
        from homeward.core.permissions import Domain

        register_menu(MenuEntry("home", _("Home"), "core:home", None, order=0))
        register_menu(MenuEntry("audit", _("Audit log"), "core:audit_log", Domain.AUDIT, order=90))
