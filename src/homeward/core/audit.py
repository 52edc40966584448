"""The tamper-evident audit log.

The log is :data:`CHAINS` hash chains. Every entry carries the hash of the one before it in its
chain, so editing, deleting or inserting an entry anywhere breaks its chain at that point;
:func:`verify_chain` finds the first break in each. A transaction appends its entries to one chain,
holding that chain's head row locked until it ends; on PostgreSQL it takes a chain no other
transaction holds (``SKIP LOCKED``), so concurrent writers do not queue behind one lock (with one
chain they did: under load most of the web server's database connections waited on it).
Entries are written inside the caller's transaction: a write that rolls back leaves no entry,
and an entry is never missing for a write that committed. ``sequence`` numbers the entries of all
chains in the order the database drew the numbers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import os
import threading
import uuid
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
    "Changes",
    "atomic",
    "changes_of",
    "record",
    "record_list_read",
    "record_read",
    "verify_chain",
]

GENESIS_HASH = "0" * 64
REDACTED = "[redacted]"
CHAINS = 8
"""How many chains the log has: about as many transactions as append at once without waiting."""


class _AuditEncoder(DjangoJSONEncoder):
    """Binary values (geometry WKB) are logged as their size and digest, not their bytes."""

    def default(self, o: Any) -> Any:
        if isinstance(o, bytes | bytearray | memoryview):
            data = bytes(o)
            return f"{len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()[:16]}"
        return super().default(o)


_JSON_SCALARS = (str, int, float, bool, type(None))
_JSON_NATIVE = (str, int, float, dict, list, tuple)
_ENCODER = _AuditEncoder(ensure_ascii=False)


def _plain(value: Any) -> Any:
    """``value`` as JSON gives it back: dates, keys, decimals and bytes become text.

    Most recorded values are one field's: those skip the round trip when its answer is known.
    """
    if type(value) in _JSON_SCALARS:  # the same after the round trip (not so a str or int subclass)
        return value
    if not isinstance(value, _JSON_NATIVE) and value is not None:
        encoded = _ENCODER.default(value)  # what the round trip would write for it (or its TypeError)
        if type(encoded) is str:
            return encoded
    return json.loads(json.dumps(value, cls=_AuditEncoder, ensure_ascii=False))


def _label(obj: Any) -> str:
    audit_label = getattr(obj, "audit_label", None)
    if audit_label is not None:
        return str(audit_label())[:200]
    try:
        return str(obj)[:200]
    except Exception:  # noqa: BLE001 - a broken __str__ must not lose the audit entry
        return repr(obj)[:200]


class Changes(dict[str, Any]):
    """What :func:`changes_of` found, each value already as JSON gives it back: :func:`record` takes
    it as it is (a plain ``dict`` goes through a JSON round trip there)."""


def changes_of(obj: Any, *, adding: bool, update_fields: Any = None) -> Changes:
    """Field-by-field ``{"field": [old, new]}`` since the instance was loaded.

    Values of fields named in ``audit_redacted_fields`` are recorded as ``[redacted]``.
    """
    loaded: dict[str, Any] = getattr(obj, "_loaded_values", {}) or {}
    redacted: frozenset[str] = getattr(obj, "audit_redacted_fields", frozenset())
    ignored = getattr(obj, "audit_ignored_fields", frozenset()) | {"created_at", "created_by_id"}
    changes = Changes()
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
    # "sequence" is the position in the chain: chain 1 holds the entries of the single chain the
    # log was before, whose sequence numbers were their positions, so they hash as they did.
    chain = {} if entry.chain == 1 else {"chain": entry.chain}
    return {
        **chain,
        "sequence": entry.position,
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
    """Chain ``entries`` after the head of a chain and store them: one locking read of the head, then
    one insert and one update of the head whatever their number (on PostgreSQL in one statement).
    The head stays locked until the transaction ends."""
    with transaction.atomic(savepoint=False):
        connection = transaction.get_connection()
        chain, position, previous_hash = _lock_head(connection)
        for entry in entries:
            position += 1
            entry.chain, entry.position, entry.previous_hash = chain, position, previous_hash
            entry.entry_hash = previous_hash = compute_hash(entry)
        head = [position, previous_hash, chain]
        if connection.vendor == "postgresql":
            _insert_with_head(connection, entries, head)
            return
        keys = insert_few(AuditEntry, entries, _ENTRY_FIELDS, using=connection.alias, returning=_KEY)
        for entry, key in zip(entries, keys, strict=True):
            entry.sequence = key
        with connection.cursor() as cursor:
            cursor.execute(_UPDATE_HEAD, head)


def _insert_with_head(connection: Any, entries: list[AuditEntry], head: list[Any]) -> None:
    """PostgreSQL: insert the entries and update the head in one statement, the entries sent as one
    JSON array that the database reads into rows of the table (by column name). Sent as values, a request's entries
    took more than the 50 parameters psycopg keeps a parsed statement for, and parsing it again
    cost more than the rest of the insert."""
    rows = [{field.column: _json_column(getattr(entry, field.attname)) for field in _ENTRY_FIELDS} for entry in entries]
    by_position = {entry.position: entry for entry in entries}
    with connection.cursor() as cursor:
        cursor.execute(_INSERT_WITH_HEAD, [*head, json.dumps(rows, ensure_ascii=False)])
        for key, position in cursor.fetchall():
            by_position[position].sequence = key


def _json_column(value: Any) -> Any:
    """A column's value as the database reads it from JSON (keys and times as text)."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return value


# Every audited write runs these while holding a head: plain SQL, as building them through the ORM
# cost more than running them. The names are the model's own (standard SQL quoting, as both
# databases accept it).
_HEAD = f'"{AuditChainHead._meta.db_table}"'
_SELECT_HEAD = f'SELECT "id", "sequence", "entry_hash" FROM {_HEAD} WHERE "id" = %s'  # noqa: S608
_SELECT_FREE_HEAD = (
    f'SELECT "id", "sequence", "entry_hash" FROM {_HEAD} WHERE "id" BETWEEN 1 AND {CHAINS}'  # noqa: S608
    f' ORDER BY ("id" + %s) %% {CHAINS} LIMIT 1 FOR UPDATE SKIP LOCKED'
)
_KEY = AuditEntry._meta.pk
_ENTRY_FIELDS = [field for field in AuditEntry._meta.concrete_fields if field is not _KEY]
_UPDATE_HEAD = f'UPDATE {_HEAD} SET "sequence" = %s, "entry_hash" = %s WHERE "id" = %s'  # noqa: S608
_ENTRY_TABLE = f'"{AuditEntry._meta.db_table}"'
_ENTRY_COLUMNS = ", ".join(f'"{field.column}"' for field in _ENTRY_FIELDS)
_INSERT_WITH_HEAD = (
    f"WITH head AS ({_UPDATE_HEAD}) INSERT INTO {_ENTRY_TABLE} ({_ENTRY_COLUMNS})"  # noqa: S608
    f" SELECT {_ENTRY_COLUMNS} FROM jsonb_populate_recordset(NULL::{_ENTRY_TABLE}, %s::jsonb)"
    f' RETURNING "{_KEY.column}", "position"'
)

_threads = itertools.count()
_local = threading.local()


def _preferred_chain() -> int:
    """The chain this thread tries first: a process's threads are dealt chains in turn from one its
    process id picks, so the threads of several server processes seldom meet either."""
    chain: int | None = getattr(_local, "chain", None)
    if chain is None:
        chain = _local.chain = (os.getpid() + next(_threads)) % CHAINS + 1
    return chain


def _lock_head(connection: Any) -> tuple[int, int, str]:
    """A chain, its head's position and hash, locked until the transaction ends: on PostgreSQL the
    first one no other transaction holds, starting at this thread's own (see :func:`_preferred_chain`);
    that one when all are held (waiting for it), or on a database that writes one transaction at a
    time. A head missing (a new or emptied database) is created."""
    preferred = _preferred_chain()
    with connection.cursor() as cursor:
        row = None
        if connection.features.has_select_for_update_skip_locked:
            cursor.execute(_SELECT_FREE_HEAD, [CHAINS - preferred])
            row = cursor.fetchone()
        if row is None:
            lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
            cursor.execute(_SELECT_HEAD + lock, [preferred])
            row = cursor.fetchone()
    if row is None:
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=preferred)
        return head.id, head.sequence, head.entry_hash
    return int(row[0]), int(row[1]), str(row[2])


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
        changes=changes if type(changes) is Changes else _plain(changes or {}),
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
    """What :func:`verify_chain` found: ``broken_at`` is the sequence number of the entry where a
    chain breaks (``None`` when its last entries were removed), ``chain`` the chain's number."""

    ok: bool
    checked: int
    broken_at: int | None = None
    reason: str = ""
    chain: int | None = None

    def __str__(self) -> str:
        if self.ok:
            return f"OK: {self.checked} audit entries, chain intact"
        where = f"at entry #{self.broken_at}" if self.broken_at is not None else "at its end"
        return f"BROKEN in chain {self.chain} {where}: {self.reason} ({self.checked} entries checked before it)"


def _entries(chain: int) -> Iterator[AuditEntry]:
    return AuditEntry.objects.filter(chain=chain).order_by("position").iterator(chunk_size=2000)


def _verify(chain: int, head: AuditChainHead | None, checked: int) -> ChainReport:
    previous_hash = GENESIS_HASH
    position = 0
    for entry in _entries(chain):
        position += 1
        if entry.position != position:
            reason = f"its entry at position {position} is missing, before this one"
            return ChainReport(False, checked, entry.sequence, reason, chain)
        if entry.previous_hash != previous_hash:
            return ChainReport(False, checked, entry.sequence, "it does not carry the previous entry's hash", chain)
        if compute_hash(entry) != entry.entry_hash:
            return ChainReport(False, checked, entry.sequence, "its contents do not match its hash (edited)", chain)
        previous_hash = entry.entry_hash
        checked += 1
    if head is not None and (head.sequence != position or head.entry_hash != previous_hash):
        reason = f"the entries after position {position} were removed (its head is at {head.sequence})"
        return ChainReport(False, checked, None, reason, chain)
    return ChainReport(True, checked)


def verify_chain() -> ChainReport:
    """Recompute every entry's hash, chain by chain in order, and report the first break."""
    heads = {head.id: head for head in AuditChainHead.objects.all()}
    chains = sorted({*heads, *AuditEntry.objects.order_by().values_list("chain", flat=True).distinct()})
    checked = 0
    for chain in chains:
        report = _verify(chain, heads.get(chain), checked)
        if not report.ok:
            return report
        checked = report.checked
    return ChainReport(True, checked)
