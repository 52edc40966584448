from __future__ import annotations

import base64
import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from homeward.accounts import selectors, services, two_factor
from homeward.accounts.forms import ApiTokenForm, LanguageForm, TokenCodeForm
from homeward.accounts.models import User
from homeward.core.permissions import Action, require


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """Second step of sign-in for staff with an authenticator."""
    user: User = request.user  # type: ignore[assignment]
    form = TokenCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if two_factor.verify(request, user, form.cleaned_data["code"]):
            return redirect(_safe_next(request, reverse("core:home")))
        form.add_error("code", _("That code is not valid. Check the time on your phone and try the newest code."))
    return render(request, "accounts/verify.html", {"form": form, "next": _safe_next(request, "")})


@login_required
def two_factor_settings(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if not user.is_staff_role:
        raise PermissionDenied
    enrolled = two_factor.has_confirmed_device(user)
    form = TokenCodeForm(request.POST or None)
    if request.method == "POST" and not enrolled and form.is_valid():
        if two_factor.confirm_device(request, user, form.cleaned_data["code"]):
            messages.success(request, _("Two-factor authentication is on."))
            return redirect("accounts:two_factor")
        form.add_error("code", _("That code is not valid. Check the time on your phone and try the newest code."))
    context: dict[str, Any] = {"enrolled": enrolled, "form": form, "required": settings.HOMEWARD_REQUIRE_STAFF_2FA}
    if not enrolled:
        device = two_factor.pending_device(user)
        context["qr_svg"] = two_factor.qr_svg(device)
        # Authenticator apps take the key in base32 when it is typed rather than scanned.
        context["secret"] = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return render(request, "accounts/two_factor.html", context)


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = ApiTokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_key = services.issue_token(
                user, name=form.cleaned_data["name"], expires_at=form.cleaned_data["expires_at"]
            )
        except services.AccountError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            form = ApiTokenForm()
    return render(
        request,
        "accounts/tokens.html",
        {"form": form, "tokens": selectors.tokens_of(user), "new_key": new_key},
    )


@login_required
@require_POST
def revoke_token(request: HttpRequest, token_id: uuid.UUID) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    token = selectors.get_token_for_user(user, token_id)
    services.revoke_token(token, actor=user)
    messages.success(request, _("Token “%(name)s” has been revoked.") % {"name": token.name})
    return redirect("accounts:tokens")


@login_required
def users(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    require(user, Action.VIEW, User)
    users = list(selectors.users_visible_to(user))
    selectors.record_users_read(user, users)
    return render(request, "accounts/users.html", {"users": users})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; remembered in a cookie and, when signed in, on the user."""
    form = LanguageForm(request.POST, languages=list(settings.LANGUAGES))
    response = HttpResponseRedirect(_safe_next(request, reverse("core:home")))
    if form.is_valid() and check_for_language(form.cleaned_data["language"]):
        language = form.cleaned_data["language"]
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=365 * 24 * 60 * 60,
            samesite="Lax",
        )
        if request.user.is_authenticated:
            services.set_preferred_language(request.user, language)
    return response
