"""The base model every domain record inherits, and the append-only audit log."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from homeward.core.bulk_insert import NOT_PLAIN, insert_few, plain_columns
from homeward.core.versioning import StaleObjectError


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Deleted")
    READ = "read", _("Viewed personal data")
    EXPORT = "export", _("Exported")
    LOGIN = "login", _("Logged in")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOGOUT = "logout", _("Logged out")
    BULK_LOAD = "bulk_load", _("Loaded in bulk")
    IMPORT = "import", _("Imported from a file")


class BaseModel(models.Model):
    """UUID key, who/when stamps, a row version for optimistic locking, and audited writes.

    ``save()`` refuses a stale write (the row changed since this copy was read) with
    :class:`StaleObjectError`, and writes an audit entry in the same transaction.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    row_version = models.PositiveIntegerField(_("row version"), default=1, editable=False)

    # Field values the audit log records as "[redacted]" rather than in clear.
    audit_redacted_fields: ClassVar[frozenset[str]] = frozenset()
    # Saves that touch only these fields are bookkeeping, not worth an audit entry.
    audit_ignored_fields: ClassVar[frozenset[str]] = frozenset({"updated_at", "row_version", "updated_by"})
    # Records holding personal data: reads are audited through core.audit.record_read.
    holds_personal_data: ClassVar[bool] = False

    class Meta:
        abstract = True

    def save(self, *args: Any, audit_as: Sequence[tuple[str, dict[str, Any]]] | None = None, **kwargs: Any) -> None:
        """Save (refusing a stale write) and audit it in the same transaction.

        ``audit_as`` replaces the entry computed from this save by the given ``(action, changes)``
        entries, in order: for a row written once on behalf of several steps of one service (an
        application inserted already submitted is logged as created, then updated by the submission).
        """
        from django.db import transaction

        from homeward.core import audit

        adding = self._state.adding
        update_fields = kwargs.get("update_fields")
        self.stamp_actor()
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "row_version", "updated_at", "updated_by"}
        self._expected_version = self.row_version
        if not adding:
            self.row_version = self._expected_version + 1
        # The row and its audit entry commit together. Inside a caller's transaction no savepoint is
        # taken (savepoint=False): a failed save then aborts the caller's whole block. No caller
        # catches a failed save and carries on in the same block without a transaction.atomic() of
        # its own around the save (assign_next, escalate_overdue, registry's _add_document, the
        # views), and that inner block is the savepoint that undoes it; a caller that wants to go on
        # after a failed save must do the same.
        stale: StaleObjectError | None = None
        with transaction.atomic(using=kwargs.get("using"), savepoint=False):
            try:
                super().save(*args, **kwargs)
            except StaleObjectError as error:
                # Nothing was written (the conditional UPDATE matched no row, and no model has parent
                # tables) and the database saw no error, so the refusal leaves the block normally and
                # clears the rollback mark Django's save_base set: the caller's transaction stays
                # usable, as it did when this block was a savepoint.
                transaction.set_rollback(False, using=kwargs.get("using"))
                stale = error
            else:
                if audit_as is None:
                    changes = audit.changes_of(self, adding=adding, update_fields=update_fields)
                    action: str = audit.AuditAction.CREATE if adding else audit.AuditAction.UPDATE
                    audit_as = [(action, changes)] if adding or changes else []
                for logged_action, logged in audit_as:
                    audit.record(logged_action, obj=self, changes=logged)
        if stale is not None:
            self.row_version = self._expected_version
            raise stale
        self._loaded_values = {f.attname: getattr(self, f.attname) for f in self._meta.concrete_fields}

    def stamp_actor(self) -> None:
        """Record the acting user (``core.context``) as the one who updates, and creates if new, as
        ``save()`` does; for a caller computing the audit entries of a save beforehand."""
        from homeward.core.context import current_actor

        actor = current_actor()
        if actor is not None:
            if self._state.adding and self.created_by_id is None:
                self.created_by = actor
            self.updated_by = actor

    def _do_insert(self, manager: Any, using: Any, fields: Any, returning_fields: Any, raw: bool) -> Any:
        # One plain INSERT whose text is built once per model (core.bulk_insert.insert_few): the ORM's
        # compiler is kept for what only it can write (database defaults and functions, returned
        # columns, raw saves, fields that wrap their placeholder).
        if not raw and not returning_fields and plain_columns(fields):
            done = insert_few(manager.model, [self], fields, using=using)
            if done is not NOT_PLAIN:
                return done
        return super()._do_insert(manager, using, fields, returning_fields, raw)  # type: ignore[misc]

    def _do_update(
        self, base_qs: Any, using: Any, pk_val: Any, values: Any, update_fields: Any, forced_update: Any
    ) -> bool:
        expected = getattr(self, "_expected_version", None)
        if expected is None:
            return bool(super()._do_update(base_qs, using, pk_val, values, update_fields, forced_update))
        guarded = base_qs.filter(row_version=expected)
        updated = super()._do_update(guarded, using, pk_val, values, update_fields, forced_update)
        if not updated and base_qs.filter(pk=pk_val).exists():
            raise StaleObjectError(self)
        return bool(updated)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        from django.db import transaction

        from homeward.core import audit

        with transaction.atomic(using=kwargs.get("using")):
            audit.record(audit.AuditAction.DELETE, obj=self)
            return super().delete(*args, **kwargs)

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any) -> Any:
        instance = super().from_db(db, field_names, values)
        instance._loaded_values = dict(zip(field_names, values, strict=True))
        return instance


class AuditQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("the audit log is append-only")

    def delete(self) -> Any:
        raise PermissionError("the audit log is append-only")


class AuditEntry(models.Model):
    """One link of an audit chain: who did what to which record, when and from where.

    ``sequence`` numbers every entry (the database draws it); ``chain`` and ``position`` place the
    entry in one of the log's chains (see :mod:`homeward.core.audit`).
    """

    sequence = models.BigAutoField(_("sequence"), primary_key=True)
    chain = models.PositiveSmallIntegerField(_("chain"), default=1)
    position = models.BigIntegerField(_("position in its chain"))
    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(_("actor"), max_length=200, blank=True)
    origin = models.CharField(_("origin"), max_length=20)
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_label = models.CharField(_("object"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(_("from address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=200, blank=True)
    request_id = models.CharField(_("request"), max_length=32, blank=True)
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    objects = AuditQuerySet.as_manager()

    homeward_domain = "audit"

    class Meta:
        ordering = ["-sequence"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        constraints = [models.UniqueConstraint(fields=["chain", "position"], name="core_audit_chain_position_unique")]
        # The entries of a kind of record, and of one record. One index for both: every audited write
        # inserts into each index of the table, and the two of each column (PostgreSQL adds one for
        # pattern matching) were four.
        indexes = [models.Index(fields=["object_type", "object_id"], name="core_audit_object")]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} {self.object_type} {self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError("the audit log is append-only")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError("the audit log is append-only")


class AuditChainHead(models.Model):
    """One row per audit chain (``id`` is the chain's number) holding its newest entry's position
    (``sequence``) and hash; locking it serialises the appends to that chain."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    sequence = models.BigIntegerField(default=0)
    entry_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"audit chain {self.id} head at position {self.sequence}"


class VersionCounter(models.Model):
    """A domain's single inputs counter: every write bumps it; derived data records the value it saw."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.PositiveBigIntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"version {self.version}"

    @classmethod
    def bump(cls) -> None:
        """Add one, inside the caller's transaction (the row is created on first use)."""
        cls._default_manager.get_or_create(id=1)
        cls._default_manager.filter(id=1).update(version=models.F("version") + 1)

    @classmethod
    def current(cls) -> int:
        value = cls._default_manager.filter(id=1).values_list("version", flat=True).first()
        return int(value or 0)
