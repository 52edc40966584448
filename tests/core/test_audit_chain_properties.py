"""Properties of the hash chain: any tampered field changes the hash; concurrent writers never fork it."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from homeward.cases.choices import ApplicationState
from homeward.core import audit
from homeward.core.models import AuditEntry

HASHED_TEXT_FIELDS = [
    "actor_label",
    "origin",
    "action",
    "object_type",
    "object_id",
    "object_label",
    "purpose",
    "user_agent",
    "request_id",
    "previous_hash",
]


def _entry(**overrides: object) -> AuditEntry:
    values: dict[str, object] = {
        "position": 7,
        "at": dt.datetime(2026, 11, 24, 12, 0, 0, 123456, tzinfo=dt.UTC),
        "actor_label": "caseworker",
        "origin": "web",
        "action": "update",
        "object_type": "registry.person",
        "object_id": "42",
        "object_label": "person 0000",
        "changes": {"sex": ["female", "male"]},
        "purpose": "",
        "ip_address": "10.0.0.1",
        "user_agent": "test",
        "request_id": "abc",
        "previous_hash": "0" * 64,
    }
    values.update(overrides)
    return AuditEntry(**values)


@given(field=st.sampled_from(HASHED_TEXT_FIELDS), text=st.text(min_size=1, max_size=30))
def test_changing_any_hashed_field_changes_the_hash(field, text):
    original = _entry()
    tampered = _entry(**{field: getattr(original, field) + text})
    assert audit.compute_hash(tampered) != audit.compute_hash(original)


@given(
    changes=st.dictionaries(st.text(max_size=10), st.one_of(st.integers(), st.text(max_size=10), st.none())),
    other=st.dictionaries(st.text(max_size=10), st.one_of(st.integers(), st.text(max_size=10), st.none())),
)
def test_the_hash_depends_on_the_recorded_changes(changes, other):
    assert (audit.compute_hash(_entry(changes=changes)) == audit.compute_hash(_entry(changes=other))) == (
        changes == other
    )


@settings(max_examples=25)
@given(seconds=st.integers(min_value=1, max_value=10**6))
def test_the_hash_depends_on_the_time(seconds):
    moved = _entry(at=_entry().at + dt.timedelta(microseconds=seconds))
    assert audit.compute_hash(moved) != audit.compute_hash(_entry())


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks across connections need PostgreSQL")
def test_concurrent_writers_never_fork_the_chain():
    from django.db import connections

    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(15):
                audit.record(audit.AuditAction.EXPORT, object_type="test.item", object_id=f"{n}-{i}")
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    # More writers than chains: some find every chain held and wait for their own.
    writers = audit.CHAINS + 4
    threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    written = AuditEntry.objects.filter(object_type="test.item")
    assert written.count() == 15 * writers
    assert written.order_by().values("chain").distinct().count() > 1
    report = audit.verify_chain()
    assert report.ok, str(report)


@pytest.mark.django_db
def test_each_chain_is_verified_on_its_own_and_a_break_names_its_chain(monkeypatch):
    chains = iter([2, 3, 2, 1, 3, 2] * 3)
    monkeypatch.setattr(audit, "_preferred_chain", lambda: next(chains))
    for n in range(18):
        audit.record(audit.AuditAction.EXPORT, object_type="test.item", object_id=str(n))
    mine = AuditEntry.objects.filter(object_type="test.item")
    assert sorted(mine.order_by().values_list("chain", flat=True).distinct()) == [1, 2, 3]
    assert audit.verify_chain().ok

    victim = mine.filter(chain=3).order_by("position")[2]
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {AuditEntry._meta.db_table} SET object_id = 'x' WHERE sequence = %s", [victim.sequence])
    report = audit.verify_chain()
    assert (report.ok, report.chain, report.broken_at) == (False, 3, victim.sequence)
    assert "edited" in str(report)


@pytest.mark.django_db
def test_moving_an_entry_to_another_chain_breaks_its_hash():
    entry = _entry(chain=1)
    assert audit.compute_hash(entry) != audit.compute_hash(_entry(chain=2))
    assert audit.compute_hash(entry) != audit.compute_hash(_entry(position=8))


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


@given(
    value=_JSON_VALUES
    | st.dates()
    | st.datetimes(timezones=st.just(dt.UTC) | st.just(dt.timezone(dt.timedelta(hours=4))))
    | st.times()
    | st.sampled_from(list(ApplicationState))
    | st.uuids()
    | st.decimals(allow_nan=False)
    | st.binary(max_size=8)
)
def test_a_recorded_value_is_what_a_json_round_trip_gives(value):
    # Plain values skip the round trip; what is recorded must not depend on that.
    expected = json.loads(json.dumps(value, cls=audit._AuditEncoder, ensure_ascii=False))
    plain = audit._plain(value)
    assert type(plain) is type(expected)
    assert plain == expected
