from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "homeward.registry"
    label = "registry"
    verbose_name = _("Registry")

    def ready(self) -> None:
        from homeward.registry import navigation  # noqa: F401  (registers menu and counters)
