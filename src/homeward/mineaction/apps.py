from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MineActionConfig(AppConfig):
    name = "homeward.mineaction"
    label = "mineaction"
    verbose_name = _("Mine action")

    def ready(self) -> None:
        from homeward.mineaction import navigation  # noqa: F401  (registers menu and counters)
