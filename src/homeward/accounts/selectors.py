"""Reads of accounts that depend on who asks."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django.http import Http404

from homeward.accounts.choices import MineActionSharing
from homeward.accounts.models import ApiToken, User
from homeward.core import audit
from homeward.core.permissions import Action, may
from homeward.core.roles import Role


def users_visible_to(user: User) -> QuerySet[User]:
    if not may(user, Action.VIEW, User):
        return User.objects.none()
    users = User.objects.select_related("agency").prefetch_related("districts")
    if user.role in {Role.ADMINISTRATOR, Role.AUDITOR}:
        return users
    if user.agency_id is None:
        return users.filter(pk=user.pk)
    return users.filter(agency_id=user.agency_id)


def tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def get_token_for_user(user: User, token_id: uuid.UUID) -> ApiToken:
    token = ApiToken.objects.select_related("user").filter(pk=token_id).first()
    if token is None or (token.user_id != user.pk and not may(user, Action.CHANGE, token.user)):
        raise Http404
    return token


def record_users_read(viewer: User, users: list[User]) -> None:
    """Staff names and e-mail addresses are personal data too: audit who listed them."""
    audit.record_list_read(users, object_type="accounts.user", purpose="browse user list", actor=viewer)


def mine_action_sharing_of(user: User) -> str:
    """How much mine action data ``user`` may see: partners get their agency's setting, others everything."""
    if getattr(user, "role", None) != Role.PARTNER:
        return MineActionSharing.EVERYTHING
    agency = getattr(user, "agency", None)
    return agency.mine_action_sharing if agency is not None else MineActionSharing.NOTHING
