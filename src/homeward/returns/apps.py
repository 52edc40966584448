from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReturnsConfig(AppConfig):
    name = "homeward.returns"
    label = "returns"
    verbose_name = _("Returns")

    def ready(self) -> None:
        from homeward.core import events
        from homeward.returns import navigation  # noqa: F401  (registers dashboard counters)
        from homeward.returns.tasks import follow_hazards

        events.subscribe(events.HAZARDS_CHANGED, follow_hazards)
