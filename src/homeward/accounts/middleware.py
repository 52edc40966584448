from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation


class UserLanguageMiddleware:
    """A signed-in user's preferred language wins over the browser's, unless a cookie says otherwise."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        preferred = getattr(user, "preferred_language", "") if user is not None and user.is_authenticated else ""
        if preferred and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            translation.activate(preferred)
            request.LANGUAGE_CODE = preferred
        return self.get_response(request)


class StaffTwoFactorMiddleware:
    """Staff who enrolled a TOTP device must pass it; where the deployment requires it, enrol first."""

    EXEMPT_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/api/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "is_staff_role", False)
            and not request.path.startswith(self.EXEMPT_PREFIXES)
            and not user.is_verified()
        ):
            from homeward.accounts.two_factor import has_confirmed_device

            if has_confirmed_device(user):
                return redirect(f"{reverse('accounts:verify')}?next={request.get_full_path()}")
            if settings.HOMEWARD_REQUIRE_STAFF_2FA:
                return redirect(reverse("accounts:two_factor"))
        return self.get_response(request)
