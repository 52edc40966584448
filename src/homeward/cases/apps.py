from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "homeward.cases"
    label = "cases"
    verbose_name = _("Casework")

    def ready(self) -> None:
        from homeward.cases import configuration, navigation  # noqa: F401  (registers menu and counters)

        configuration.connect()
