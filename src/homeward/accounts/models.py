from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import connections, models, router
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from homeward.accounts.choices import AgencyKind, MineActionSharing, Role
from homeward.core.models import BaseModel
from homeward.core.permissions import Scope
from homeward.core.roles import STAFF_ROLES


class Agency(BaseModel):
    """A government service, international organisation or NGO whose staff use Homeward."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=AgencyKind.choices)
    is_active = models.BooleanField(_("active"), default=True)
    mine_action_sharing = models.CharField(
        _("mine action data shared with partner staff"),
        max_length=20,
        choices=MineActionSharing.choices,
        default=MineActionSharing.AREAS,
        help_text=_("Applies to users with the partner role in this agency."),
    )

    homeward_domain = "accounts"

    class Meta:
        ordering = ["name"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        return self.name


class User(BaseModel, AbstractUser):
    """A person who signs in: staff of an agency, scoped to districts, or a resident."""

    role = models.CharField(_("role"), max_length=30, choices=Role.choices, default=Role.RESIDENT)
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    districts = models.ManyToManyField(
        "places.Place",
        verbose_name=_("districts"),
        blank=True,
        related_name="+",
        limit_choices_to={"level": "district"},
        help_text=_("The districts whose records this user may see and change."),
    )
    all_districts = models.BooleanField(_("all districts"), default=False, help_text=_("Scope covers every district."))
    preferred_language = models.CharField(_("preferred language"), max_length=8, blank=True)

    objects: ClassVar[UserManager[User]] = UserManager()  # type: ignore[assignment]

    homeward_domain = "accounts"
    audit_redacted_fields = frozenset({"password"})
    audit_ignored_fields = BaseModel.audit_ignored_fields | {"last_login"}

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES

    @cached_property
    def district_ids(self) -> frozenset[Any]:
        if self.pk is None:
            return frozenset()
        # Read by every permission check of a request: plain SQL on the link table, as building the
        # query through the ORM cost several times running it.
        through = User.districts.through
        connection = connections[router.db_for_read(through)]
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {quote('place_id')} FROM {quote(through._meta.db_table)} WHERE {quote('user_id')} = %s",  # noqa: S608
                [self._meta.pk.get_db_prep_value(self.pk, connection)],  # type: ignore[union-attr]
            )
            return frozenset(_place_key(value) for (value,) in cursor)

    def remember_district_ids(self, values: Iterable[Any]) -> None:
        """Set :attr:`district_ids` from the link table's ``place_id`` values, read with the user."""
        self.__dict__["district_ids"] = frozenset(_place_key(value) for value in values)

    def homeward_scope(self) -> Scope:
        return Scope(agency_id=self.agency_id)


def _place_key(value: Any) -> uuid.UUID:
    """A place's key as read from the link table (SQLite gives it as text)."""
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


class ApiToken(BaseModel):
    """A personal access token. Only its SHA-256 is stored; it acts with its user's scope."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    homeward_domain = "accounts"
    audit_redacted_fields = frozenset({"key_hash"})
    audit_ignored_fields = BaseModel.audit_ignored_fields | {"last_used_at"}

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def homeward_scope(self) -> Scope:
        return Scope(owner_id=self.user_id, agency_id=self.user.agency_id)
