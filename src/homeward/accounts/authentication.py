"""API authentication: a personal access token, or the browser session (with CSRF)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from homeward.accounts.services import authenticate_token
from homeward.core.context import set_actor


class TokenAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = authenticate_token(token)
        if user is None:
            return None
        request.user = user
        set_actor(user)
        return user


class StaffOrResidentSession(SessionAuth):
    """The signed-in browser session; staff enrolled in two-factor must have passed it."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is None:
            return None
        if getattr(user, "is_staff_role", False) and hasattr(user, "is_verified") and not user.is_verified():
            from homeward.accounts.two_factor import has_confirmed_device

            if has_confirmed_device(user):
                return None
        return user


api_auth = [TokenAuth(), StaffOrResidentSession()]
