"""The tamper-evident audit log.

Every entry carries the hash of the one before it, so editing, deleting or inserting an entry
anywhere breaks the chain at that point; :func:`verify_chain` finds the first break.
Entries are written inside the caller's transaction: a write that rolls back leaves no entry,
and an entry is never missing for a write that committed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from homeward.core.bulk_insert import insert_few
from homeward.core.context import current
from homeward.core.models import AuditAction, AuditChainHead, AuditEntry

__all__ = [
    "AuditAction",
    "ChainReport",
    "atomic",
    "changes_of",
    "record",
    "record_list_read",
    "record_read",
    "verify_chain",
]

GENESIS_HASH = "0" * 64
REDACTED = "[redacted]"


class _AuditEncoder(DjangoJSONEncoder):
    """Binary values (geometry WKB) are logged as their size and digest, not their bytes."""

    def default(self, o: Any) -> Any:
        if isinstance(o, bytes | bytearray | memoryview):
            data = bytes(o)
            return f"{len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()[:16]}"
        return super().default(o)


def _plain(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=_AuditEncoder, ensure_ascii=False))


def _label(obj: Any) -> str:
    audit_label = getattr(obj, "audit_label", None)
    if audit_label is not None:
        return str(audit_label())[:200]
    try:
        return str(obj)[:200]
    except Exception:  # noqa: BLE001 - a broken __str__ must not lose the audit entry
        return repr(obj)[:200]


def changes_of(obj: Any, *, adding: bool, update_fields: Any = None) -> dict[str, Any]:
    """Field-by-field ``{"field": [old, new]}`` since the instance was loaded.

    Values of fields named in ``audit_redacted_fields`` are recorded as ``[redacted]``.
    """
    loaded: dict[str, Any] = getattr(obj, "_loaded_values", {}) or {}
    redacted: frozenset[str] = getattr(obj, "audit_redacted_fields", frozenset())
    ignored = getattr(obj, "audit_ignored_fields", frozenset()) | {"created_at", "created_by_id"}
    changes: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        name = field.attname
        if name in ignored or field.primary_key:
            continue
        if update_fields is not None and field.name not in update_fields and name not in update_fields:
            continue
        new = getattr(obj, name)
        old = None if adding else loaded.get(name)
        if not adding and name not in loaded:
            continue
        if not adding and old == new:
            continue
        if adding and new in (None, ""):
            continue
        if name in redacted or field.name in redacted:
            changes[field.name] = [REDACTED, REDACTED] if not adding else REDACTED
        else:
            changes[field.name] = _plain(new) if adding else _plain([old, new])
    return changes


def _digest(fields: dict[str, Any]) -> str:
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _hashed_fields(entry: AuditEntry) -> dict[str, Any]:
    at = entry.at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    return {
        "sequence": entry.sequence,
        "at": at,
        "actor": str(entry.actor_id) if entry.actor_id else "",
        "actor_label": entry.actor_label,
        "origin": entry.origin,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_label": entry.object_label,
        "changes": entry.changes,
        "purpose": entry.purpose,
        "ip_address": entry.ip_address or "",
        "user_agent": entry.user_agent,
        "request_id": entry.request_id,
        "previous_hash": entry.previous_hash,
    }


def compute_hash(entry: AuditEntry) -> str:
    return _digest(_hashed_fields(entry))


class _Batch:
    """Entries recorded directly in one :func:`atomic` block, waiting to be appended at its end."""

    __slots__ = ("entries", "savepoints")

    def __init__(self, savepoints: tuple[str, ...]) -> None:
        self.savepoints = savepoints
        self.entries: list[AuditEntry] = []


def _batches(connection: Any) -> list[_Batch]:
    """The open :func:`atomic` blocks of this connection (one per thread), innermost last."""
    batches: list[_Batch] | None = getattr(connection, "homeward_audit_batches", None)
    if batches is None:
        batches = connection.homeward_audit_batches = []
    return batches


def _savepoints(connection: Any) -> tuple[str, ...]:
    """The savepoints open now (``atomic(savepoint=False)`` blocks take none and cannot be undone alone)."""
    return tuple(sid for sid in connection.savepoint_ids if sid is not None)


def _append(entries: list[AuditEntry]) -> None:
    """Chain ``entries`` after the head and store them: one locking read of the head, one insert
    (plain SQL, see :func:`~homeward.core.bulk_insert.insert_few`), one update, whatever their
    number. The head stays locked until the transaction ends."""
    with transaction.atomic(savepoint=False):
        connection = transaction.get_connection()
        sequence, previous_hash = _lock_head(connection)
        for entry in entries:
            sequence += 1
            entry.sequence, entry.previous_hash = sequence, previous_hash
            entry.entry_hash = previous_hash = compute_hash(entry)
        insert_few(AuditEntry, entries, _ENTRY_FIELDS, using=connection.alias)
        with connection.cursor() as cursor:
            cursor.execute(_UPDATE_HEAD, [sequence, previous_hash])


# Every audited write runs these while holding the head: plain SQL, as building them through the ORM
# cost more than running them. The names are the model's own (standard SQL quoting, as both
# databases accept it).
_HEAD = f'"{AuditChainHead._meta.db_table}"'
_SELECT_HEAD = f'SELECT "sequence", "entry_hash" FROM {_HEAD} WHERE "id" = 1'  # noqa: S608
_ENTRY_FIELDS = AuditEntry._meta.concrete_fields
_UPDATE_HEAD = f'UPDATE {_HEAD} SET "sequence" = %s, "entry_hash" = %s WHERE "id" = 1'  # noqa: S608


def _lock_head(connection: Any) -> tuple[int, str]:
    """The head's sequence and hash, locked until the transaction ends (created on first use)."""
    select = _SELECT_HEAD + (" FOR UPDATE" if connection.features.has_select_for_update else "")
    with connection.cursor() as cursor:
        cursor.execute(select)
        row = cursor.fetchone()
    if row is None:
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
        return head.sequence, head.entry_hash
    return int(row[0]), str(row[1])


@contextmanager
def atomic() -> Iterator[None]:
    """``transaction.atomic()`` whose audit entries are appended to the chain together, at its end.

    Entries recorded in the block are kept in memory, in order, and chained in one go just before the
    block ends, still inside its transaction: so the chain head is locked once, and only for the end
    of the transaction, not from the first audited write on. A block that fails appends nothing, as
    its writes are undone. A block inside another hands its entries to the outer one; an entry
    recorded inside a savepoint opened in the block by plain ``transaction.atomic()`` (which this
    module cannot see undone) is appended at once instead, inside that savepoint, so it goes if the
    savepoint is rolled back: such entries come earlier in the chain than the block's buffered ones.
    """
    connection = transaction.get_connection()
    batches = _batches(connection)
    enclosing = _savepoints(connection)
    handed_over: list[AuditEntry] = []
    with transaction.atomic():
        batch = _Batch(_savepoints(connection))
        batches.append(batch)
        try:
            yield
        finally:
            batches.remove(batch)
        # Reached only when the block succeeded; a block marked for rollback is undone, entries too.
        if batch.entries and not connection.needs_rollback:
            if batches and batches[-1].savepoints == enclosing:
                handed_over = batch.entries
            else:
                _append(batch.entries)
    # Handed over once this block's savepoint is released: the outer block now answers for them.
    if handed_over:
        batches[-1].entries.extend(handed_over)


def record(
    action: str,
    *,
    obj: Any = None,
    object_type: str = "",
    object_id: str = "",
    object_label: str = "",
    changes: dict[str, Any] | None = None,
    purpose: str = "",
    actor: Any = None,
) -> AuditEntry:
    """Append one entry to the chain, inside the current transaction.

    Directly inside an :func:`atomic` block the entry is appended at the block's end (its
    ``sequence`` and hashes are set then); elsewhere at once.
    """
    context = current()
    if actor is None and context.actor is not None and getattr(context.actor, "is_authenticated", False):
        actor = context.actor
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_label = object_label or _label(obj)
    entry = AuditEntry(
        at=timezone.now(),
        actor=actor,
        actor_label=(actor.get_username() if actor is not None else f"({context.origin})")[:200],
        origin=context.origin,
        action=str(action),
        object_type=object_type,
        object_id=object_id,
        object_label=object_label[:200],
        changes=_plain(changes or {}),
        purpose=purpose[:200],
        ip_address=context.ip_address,
        user_agent=context.user_agent,
        request_id=context.request_id,
    )
    connection = transaction.get_connection()
    batches = _batches(connection)
    if batches and batches[-1].savepoints == _savepoints(connection):
        batches[-1].entries.append(entry)
    else:
        # No savepoint of our own inside a caller's transaction: a failed append aborts the
        # caller's block, which is right, since the write it audits must not commit without its
        # entry (no caller catches a failed append and carries on).
        _append([entry])
    return entry


def record_read(obj: Any, *, purpose: str = "", actor: Any = None) -> AuditEntry:
    """Record that personal data in ``obj`` was shown to or exported by the acting user."""
    return record(AuditAction.READ, obj=obj, purpose=purpose, actor=actor)


def record_list_read(objects: list[Any], *, object_type: str, purpose: str, actor: Any = None) -> None:
    """Record that a page listing personal data was shown: one entry naming every record on it."""
    if objects:
        record(
            AuditAction.READ,
            object_type=object_type,
            object_label=f"list of {len(objects)}",
            changes={"ids": [str(obj.pk) for obj in objects]},
            purpose=purpose,
            actor=actor,
        )


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    broken_at: int | None = None
    reason: str = ""

    def __str__(self) -> str:
        if self.ok:
            return f"OK: {self.checked} audit entries, chain intact"
        return f"BROKEN at entry #{self.broken_at}: {self.reason} ({self.checked} entries checked before it)"


def _entries() -> Iterator[AuditEntry]:
    return AuditEntry.objects.order_by("sequence").iterator(chunk_size=2000)


def verify_chain() -> ChainReport:
    """Recompute every entry's hash in order and report the first entry whose chain breaks."""
    previous_hash = GENESIS_HASH
    expected_sequence = 1
    checked = 0
    for entry in _entries():
        if entry.sequence != expected_sequence:
            return ChainReport(False, checked, expected_sequence, f"entry #{expected_sequence} is missing")
        if entry.previous_hash != previous_hash:
            return ChainReport(False, checked, entry.sequence, "it does not carry the previous entry's hash")
        if compute_hash(entry) != entry.entry_hash:
            return ChainReport(False, checked, entry.sequence, "its contents do not match its hash (edited)")
        previous_hash = entry.entry_hash
        expected_sequence += 1
        checked += 1
    head = AuditChainHead.objects.filter(id=1).first()
    if head is not None and (head.sequence != checked or head.entry_hash != previous_hash):
        return ChainReport(False, checked, checked + 1, f"entries after #{checked} were removed")
    return ChainReport(True, checked)
