from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from homeward.core.context import acting_as


class RequestContextMiddleware:
    """Make the request's user and address the acting context for audit and services."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with acting_as(
            getattr(request, "user", None),
            origin="web",
            ip_address=request.META.get("REMOTE_ADDR"),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        ) as context:
            request.acting_context = context  # type: ignore[attr-defined]
            response = self.get_response(request)
        response["X-Request-ID"] = context.request_id
        return response
