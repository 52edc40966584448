from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecoveryConfig(AppConfig):
    name = "homeward.recovery"
    label = "recovery"
    verbose_name = _("Recovery")

    def ready(self) -> None:
        from homeward.recovery import navigation  # noqa: F401  (registers dashboard counters)
