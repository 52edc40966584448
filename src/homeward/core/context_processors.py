from typing import Any

from django.conf import settings
from django.http import HttpRequest

from homeward.core.navigation import menu_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "homeward_menu": menu_for(user) if user is not None else [],
        "homeward_languages": settings.LANGUAGES,
    }
