import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from homeward.accounts.models import Agency
from homeward.core import audit
from homeward.core.context import acting_as
from homeward.core.models import AuditEntry
from homeward.core.versioning import StaleObjectError
from homeward.registry.models import Person
from tests.factories import AgencyFactory, PersonFactory


def last_entry() -> AuditEntry:
    return AuditEntry.objects.order_by("-sequence").first()


def test_create_update_and_delete_are_each_audited_with_who_and_what(personas):
    with acting_as(personas.administrator, origin="web", ip_address="10.1.2.3"):
        agency = AgencyFactory(code="icrc", name="Red Cross")
        created = last_entry()
        agency.name = "International Committee of the Red Cross"
        agency.save()
        updated = last_entry()
        agency_id = str(agency.pk)
        agency.delete()
        deleted = last_entry()

    assert (created.action, created.object_id, created.actor_id) == ("create", agency_id, personas.administrator.pk)
    assert created.ip_address == "10.1.2.3"
    assert updated.changes == {"name": ["Red Cross", "International Committee of the Red Cross"]}
    assert deleted.action == "delete"
    assert audit.verify_chain().ok


def test_personal_values_never_reach_the_audit_log(world):
    person = PersonFactory(district=world.aghdam, given_name="Nigar", family_name="Rzayeva")
    entry = last_entry()
    person.family_name = "Abbasova"
    person.save()
    update = last_entry()

    for stored in (entry, update):
        text = str(stored.changes) + stored.object_label
        assert "Nigar" not in text
        assert "Rzayeva" not in text
        assert "Abbasova" not in text
    assert update.changes == {"family_name": ["[redacted]", "[redacted]"]}


def test_a_rolled_back_write_leaves_no_audit_entry(world):
    before = AuditEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        AgencyFactory(code="doomed")
        raise RuntimeError("abort")
    assert AuditEntry.objects.count() == before
    assert audit.verify_chain().ok


def test_the_log_is_append_only_through_the_orm(world):
    entry = last_entry()
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="read")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()


def _edit_directly(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_verify_names_the_entry_that_was_edited_directly_in_the_database(world):
    for n in range(5):
        AgencyFactory(code=f"agency-x{n}")
    assert audit.verify_chain().ok
    victim = AuditEntry.objects.order_by("sequence")[3]
    _edit_directly(
        f"UPDATE {AuditEntry._meta.db_table} SET actor_label = %s WHERE sequence = %s", ["mallory", victim.sequence]
    )

    report = audit.verify_chain()
    assert not report.ok
    assert report.broken_at == victim.sequence
    assert f"#{victim.sequence}" in str(report)


def test_verify_names_a_deleted_entry(world):
    for n in range(3):
        AgencyFactory(code=f"agency-y{n}")
    victim = AuditEntry.objects.order_by("sequence")[2]
    after = AuditEntry.objects.get(chain=victim.chain, position=victim.position + 1)
    _edit_directly(f"DELETE FROM {AuditEntry._meta.db_table} WHERE sequence = %s", [victim.sequence])
    report = audit.verify_chain()
    assert (report.ok, report.chain, report.broken_at) == (False, victim.chain, after.sequence)
    assert f"position {victim.position} is missing" in str(report)


def test_verify_notices_entries_cut_from_the_end(world):
    AgencyFactory(code="agency-z")
    newest = last_entry()
    _edit_directly(f"DELETE FROM {AuditEntry._meta.db_table} WHERE sequence = %s", [newest.sequence])
    report = audit.verify_chain()
    assert (report.ok, report.chain, report.broken_at) == (False, newest.chain, None)
    assert f"after position {newest.position - 1} were removed" in str(report)


def test_reading_a_person_is_audited_with_purpose(personas, person_in_aghdam, as_user):
    response = as_user(personas.caseworker_aghdam).get(f"/registry/persons/{person_in_aghdam.pk}/")
    assert response.status_code == 200
    entry = last_entry()
    assert entry.action == "read"
    assert entry.object_id == str(person_in_aghdam.pk)
    assert entry.actor_id == personas.caseworker_aghdam.pk
    assert entry.purpose == "view person record"
    assert entry.ip_address == "127.0.0.1"


def test_a_page_of_persons_is_audited_naming_each_person_shown(personas, person_in_aghdam, as_user):
    as_user(personas.caseworker_aghdam).get("/registry/persons/")
    entry = last_entry()
    assert entry.action == "read"
    assert entry.changes["ids"] == [str(person_in_aghdam.pk)]


def test_cli_writes_are_attributed_to_the_cli(world):
    with acting_as(None, origin="cli"):
        AgencyFactory(code="from-cli")
    assert last_entry().origin == "cli"
    assert last_entry().actor_label == "(cli)"


def test_person_model_has_no_sensitive_fields():
    forbidden = ("ethnic", "religio", "politic", "nationality", "race", "tribe", "clan")
    for field in Person._meta.get_fields():
        assert not any(word in field.name.lower() for word in forbidden), field.name


def test_listing_staff_accounts_is_audited(personas, as_user):
    as_user(personas.auditor).get("/accounts/users/")
    entry = last_entry()
    assert (entry.action, entry.object_type, entry.actor_id) == ("read", "accounts.user", personas.auditor.pk)
    assert str(personas.caseworker_lachin.pk) in entry.changes["ids"]


# --- entries of one block appended together ---------------------------------------------------


def _agency(code: str) -> Agency:
    # Saved directly: a factory's get_or_create opens a savepoint of its own.
    agency = Agency(code=code, name=code.title(), kind="government")
    agency.save()
    return agency


def test_the_entries_of_a_block_are_appended_together_at_its_end_with_one_lock(world):
    with CaptureQueriesContext(connection) as queries, audit.atomic():
        _agency("one")
        _agency("two")
        assert not any("core_auditentry" in query["sql"] for query in queries.captured_queries)
    audit_sql = [query["sql"] for query in queries.captured_queries if "core_audit" in query["sql"]]
    heads = [sql for sql in audit_sql if "core_auditchainhead" in sql]
    inserts = [sql for sql in audit_sql if 'INSERT INTO "core_auditentry"' in sql]

    assert len(inserts) == 1
    if connection.vendor == "postgresql":
        # One locking read; the head's update goes with the insert, in one statement.
        assert len(audit_sql) == 2
        assert inserts[0].startswith('WITH head AS (UPDATE "core_auditchainhead"')
    else:
        assert len(audit_sql) == 3
        assert len(heads) == 2  # one locking read, one update
    assert [entry.object_label for entry in AuditEntry.objects.order_by("-sequence")[:2]][::-1] == [
        str(Agency.objects.get(code="one")),
        str(Agency.objects.get(code="two")),
    ]
    assert audit.verify_chain().ok


def test_a_failed_block_appends_nothing(world):
    before = AuditEntry.objects.count()
    with pytest.raises(RuntimeError), audit.atomic():
        _agency("doomed")
        raise RuntimeError("abort")

    assert AuditEntry.objects.count() == before
    assert not Agency.objects.filter(code="doomed").exists()
    assert audit.verify_chain().ok


def _last_sequence() -> int:
    return last_entry().sequence


def test_an_inner_block_hands_its_entries_to_the_outer_one_unless_it_fails(world):
    before, last = AuditEntry.objects.count(), _last_sequence()
    with audit.atomic():
        _agency("outer")
        with audit.atomic():
            _agency("inner")
        with pytest.raises(RuntimeError), audit.atomic():
            _agency("undone")
            raise RuntimeError("abort")
        assert AuditEntry.objects.count() == before

    labels = list(AuditEntry.objects.filter(sequence__gt=last).order_by("sequence").values_list("object_id", flat=True))
    assert labels == [str(Agency.objects.get(code=code).pk) for code in ("outer", "inner")]
    assert audit.verify_chain().ok


def test_an_entry_in_a_plain_savepoint_rolled_back_inside_a_block_goes_with_it(world):
    before = _last_sequence()
    with audit.atomic():
        _agency("kept")
        with pytest.raises(RuntimeError), transaction.atomic():
            _agency("undone")
            raise RuntimeError("abort")
        _agency("kept-too")

    logged = set(AuditEntry.objects.filter(sequence__gt=before).values_list("object_id", flat=True))
    assert logged == {str(agency.pk) for agency in Agency.objects.filter(code__in=["kept", "kept-too"])}
    assert audit.verify_chain().ok


def test_a_stale_save_inside_a_transaction_leaves_it_usable(world):
    agency = _agency("stale")
    stale = Agency.objects.get(pk=agency.pk)
    agency.name = "first"
    agency.save()
    with transaction.atomic():
        stale.name = "second"
        with pytest.raises(StaleObjectError):
            stale.save()
        _agency("after")

    assert Agency.objects.filter(code="after").exists()
    assert Agency.objects.get(pk=agency.pk).name == "first"
    assert audit.verify_chain().ok


def test_changes_found_are_recorded_as_a_json_round_trip_would_record_them(world):
    # record() takes changes_of()'s answer as it is; it must be what the round trip makes of it.
    person = PersonFactory(district=world.aghdam, origin=world.aghdam_village)
    changes = audit.changes_of(person, adding=True)
    assert {"birth_date", "district", "origin"} <= set(changes)
    assert audit._plain(dict(changes)) == changes
    with acting_as(None, origin="cli"), transaction.atomic():
        entry = audit.record("update", obj=person, changes=changes)
    assert AuditEntry.objects.get(sequence=entry.sequence).changes == audit._plain(dict(changes))


def test_an_entry_is_stored_exactly_as_it_was_chained(personas):
    # On PostgreSQL the entries travel as one JSON document; every column must come back as sent.
    context = acting_as(personas.administrator, origin="web", ip_address="2001:db8::1", user_agent='Mozilla "5.0" \\ ə')
    with context, audit.atomic():
        first = audit.record(
            "update",
            object_type="registry.person",
            object_id="7",
            object_label="Ağdam — Աղդամ — Агдам",
            changes={"note": ["", "line\nbreak \u2028 'quoted'"], "size": [1, 2.5], "nested": {"a": [None, True]}},
            purpose="check",
        )
        second = audit.record("read", object_type="registry.person", object_id="8")

    for entry in (first, second):
        stored = AuditEntry.objects.get(sequence=entry.sequence)
        for field in AuditEntry._meta.concrete_fields:
            assert getattr(stored, field.attname) == getattr(entry, field.attname), field.name
    assert (first.chain, first.position + 1) == (second.chain, second.position)
    assert audit.verify_chain().ok
