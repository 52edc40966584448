from __future__ import annotations

import uuid
from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema, Status

from homeward.accounts import selectors, services
from homeward.accounts.models import ApiToken, User

router = Router(tags=["accounts"])


class MeOut(Schema):
    id: uuid.UUID
    username: str
    role: str
    agency: str | None
    all_districts: bool
    districts: list[str]
    preferred_language: str


class TokenIn(Schema):
    name: str
    expires_at: datetime | None = None


class TokenOut(Schema):
    id: uuid.UUID
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


class NewTokenOut(TokenOut):
    key: str


def _me(user: User) -> MeOut:
    return MeOut(
        id=user.pk,
        username=user.username,
        role=user.role,
        agency=user.agency.code if user.agency is not None else None,
        all_districts=user.all_districts,
        districts=sorted(user.districts.values_list("code", flat=True)),
        preferred_language=user.preferred_language,
    )


@router.get("/me", response=MeOut, summary="The authenticated user and their scope")
def me(request: HttpRequest) -> MeOut:
    return _me(request.user)  # type: ignore[arg-type]


@router.get("/tokens", response=list[TokenOut], summary="Your personal access tokens")
def list_tokens(request: HttpRequest) -> list[ApiToken]:
    return list(selectors.tokens_of(request.user))  # type: ignore[arg-type]


@router.post("/tokens", response={201: NewTokenOut}, summary="Create a token; the key is shown only in this response")
def create_token(request: HttpRequest, payload: TokenIn) -> Status[dict[str, object]]:
    token, key = services.issue_token(request.user, name=payload.name, expires_at=payload.expires_at)  # type: ignore[arg-type]
    return Status(201, {**TokenOut.from_orm(token).dict(), "key": key})


@router.delete("/tokens/{token_id}", response=TokenOut, summary="Revoke a token")
def revoke_token(request: HttpRequest, token_id: uuid.UUID) -> ApiToken:
    token = selectors.get_token_for_user(request.user, token_id)  # type: ignore[arg-type]
    return services.revoke_token(token, actor=request.user)  # type: ignore[arg-type]
