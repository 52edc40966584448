"""A model's own INSERT, written once per model as plain SQL: it stores what the ORM's compiler
stores, in one statement, and leaves to the ORM what only the ORM can write."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.models.functions import Now
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from homeward.accounts.models import ApiToken
from homeward.core.bulk_insert import NOT_PLAIN, insert_few
from homeward.registry.models import IdentityDocument
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _stored(document: IdentityDocument) -> dict[str, object]:
    again = IdentityDocument.objects.get(pk=document.pk)
    skipped = {"id", "created_at", "updated_at"}
    return {
        f.attname: getattr(again, f.attname) for f in IdentityDocument._meta.concrete_fields if f.attname not in skipped
    }


def test_a_save_stores_in_one_statement_what_the_orm_compiler_stores(world, personas):
    person = PersonFactory(district=world.aghdam)
    values = {
        "person": person,
        "document_type": "passport",
        "issuer": "DMX",
        "issued_on": dt.date(2020, 1, 2),
        "expires_on": dt.date(2030, 1, 1),
    }
    saved = IdentityDocument(number="C01234567", **values)
    with CaptureQueriesContext(connection) as queries:
        saved.save()
    inserts = [query["sql"] for query in queries.captured_queries if query["sql"].startswith("INSERT")]
    assert len([sql for sql in inserts if "registry_identitydocument" in sql]) == 1

    # The same values through the ORM's own compiler (bulk_create does not take the shortcut).
    compiled = IdentityDocument(number="C07654321", **values)
    IdentityDocument.objects.bulk_create([compiled])

    mine, theirs = _stored(saved), _stored(compiled)
    assert (mine.pop("number"), theirs.pop("number")) == ("C01234567", "C07654321")  # decrypted on read
    assert mine.pop("number_hash") != theirs.pop("number_hash")  # the lookup hash of each number
    assert mine == theirs
    stamped = IdentityDocument.objects.get(pk=saved.pk)
    assert abs(stamped.created_at - timezone.now()) < dt.timedelta(minutes=1)
    assert stamped.created_at == saved.created_at


def test_a_value_only_the_orm_can_write_is_left_to_it_and_nothing_is_sent(personas):
    token = ApiToken(user=personas.caseworker_aghdam, name="n", prefix="hw_x", key_hash="a" * 64, expires_at=Now())
    fields = list(ApiToken._meta.concrete_fields)

    with CaptureQueriesContext(connection) as queries:
        assert insert_few(ApiToken, [token], fields) is NOT_PLAIN
    assert queries.captured_queries == []

    token.expires_at = timezone.now()
    assert insert_few(ApiToken, [token], fields) == []
    assert ApiToken.objects.get(pk=token.pk).expires_at == token.expires_at
