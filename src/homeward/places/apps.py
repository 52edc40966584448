from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    name = "homeward.places"
    label = "places"
    verbose_name = _("Places")

    def ready(self) -> None:
        from homeward.places import navigation  # noqa: F401  (registers menu and counters)
