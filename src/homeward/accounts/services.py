"""Writes to accounts: users, agencies, API tokens. Every one audited, in one transaction."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
from collections.abc import Iterable
from typing import Any

from django.db import connections, router, transaction
from django.utils import timezone

from homeward.accounts.choices import AgencyKind, Role
from homeward.accounts.models import Agency, ApiToken, User
from homeward.core.permissions import Action, require

TOKEN_PREFIX = "hw_"  # noqa: S105 - a public marker, not a secret


class AccountError(ValueError):
    """A request to change accounts that cannot be carried out; says which field is wrong."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{field}: {message}")


@transaction.atomic
def ensure_agency(*, code: str, name: str, kind: AgencyKind | str) -> Agency:
    """Create the agency with ``code``, or update its name and kind; idempotent."""
    if kind not in AgencyKind.values:
        raise AccountError("kind", f"unknown agency kind {kind!r}")
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        agency = Agency(code=code, name=name, kind=kind)
        agency.save()
    elif (agency.name, agency.kind) != (name, kind):
        agency.name, agency.kind = name, kind
        agency.save(update_fields=["name", "kind"])
    return agency


@transaction.atomic
def create_user(
    *,
    username: str,
    password: str | None,
    role: Role | str,
    agency: Agency | None = None,
    district_ids: Iterable[Any] = (),
    all_districts: bool = False,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    preferred_language: str = "",
    superuser: bool = False,
) -> User:
    """Create a user with a role and scope. Administrators get the admin site."""
    if role not in Role.values:
        raise AccountError("role", f"unknown role {role!r}")
    if User.objects.filter(username=username).exists():
        raise AccountError("username", f"a user named {username!r} already exists")
    user = User(
        username=username,
        role=role,
        agency=agency,
        all_districts=all_districts,
        first_name=first_name,
        last_name=last_name,
        email=email,
        preferred_language=preferred_language,
        is_staff=role == Role.ADMINISTRATOR or superuser,
        is_superuser=superuser,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    district_ids = list(district_ids)
    if district_ids:
        user.districts.set(district_ids)
    return user


@transaction.atomic
def set_password(user: User, password: str) -> User:
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@transaction.atomic
def issue_token(user: User, *, name: str, expires_at: dt.datetime | None = None) -> tuple[ApiToken, str]:
    """Create a personal access token; the plain key is returned once and never stored."""
    if not name.strip():
        raise AccountError("name", "a token needs a name")
    if expires_at is not None and expires_at <= timezone.now():
        raise AccountError("expires_at", "the expiry date must be in the future")
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user, name=name.strip()[:100], prefix=key[:10], key_hash=_hash_key(key), expires_at=expires_at
    )
    token.save()
    return token, key


@transaction.atomic
def revoke_token(token: ApiToken, *, actor: User) -> ApiToken:
    """Revoke a token: its owner or an administrator may."""
    if token.user_id != actor.pk:
        require(actor, Action.CHANGE, token.user)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def _token_query() -> str:
    # Run by every API request: written once as SQL, as building it through the ORM cost more than
    # running it. The token must be live and its user active. After the user's columns come the
    # token's key, whether its last use is older than the first parameter (recorded again then), and
    # one of the user's districts: a row per district (one with none when the user has none), so the
    # permission checks of the request need no query of their own.
    user, token = User._meta.db_table, ApiToken._meta.db_table
    through = User.districts.through._meta.db_table
    columns = ", ".join(f'u."{field.column}"' for field in User._meta.concrete_fields)
    return (
        f"SELECT {columns}, t.id, (t.last_used_at IS NULL OR t.last_used_at < %s), d.place_id"  # noqa: S608
        f' FROM "{user}" u JOIN "{token}" t ON t.user_id = u.id LEFT JOIN "{through}" d ON d.user_id = u.id'
        " WHERE t.key_hash = %s AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > %s)"
        " AND u.is_active"
    )


_TOKEN_QUERY = _token_query()
_USER_ATTNAMES = [field.attname for field in User._meta.concrete_fields]


@functools.cache
def _user_converters(alias: str) -> list[tuple[Any, list[Any]]]:
    """Per user column, the conversions the ORM applies to what this database returns (SQLite's
    text to dates and keys, its integers to booleans)."""
    connection = connections[alias]
    converters = []
    for field in User._meta.concrete_fields:
        column = field.get_col(User._meta.db_table)
        converters.append((column, connection.ops.get_db_converters(column) + field.get_db_converters(connection)))  # type: ignore[attr-defined]
    return converters


def authenticate_token(key: str) -> User | None:
    """The active user behind a live token, or ``None``. Records when it was last used (at most once
    a minute)."""
    if not key.startswith(TOKEN_PREFIX):
        return None
    now = timezone.now()
    connection = connections[router.db_for_read(ApiToken)]
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(_TOKEN_QUERY, [adapt(now - dt.timedelta(seconds=60)), _hash_key(key), adapt(now)])
        rows = cursor.fetchall()
    if not rows:
        return None
    *values, token_pk, token_stale, _district = rows[0]
    for index, (column, converters) in enumerate(_user_converters(connection.alias)):
        for convert in converters:
            values[index] = convert(values[index], column, connection)
    user = User.from_db(connection.alias, _USER_ATTNAMES, values)
    user.remember_district_ids(row[-1] for row in rows if row[-1] is not None)
    if token_stale:
        ApiToken.objects.filter(pk=token_pk).update(last_used_at=now)
    return user


@transaction.atomic
def set_preferred_language(user: User, language: str) -> User:
    if user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
    return user
