"""Encryption at rest, keyed lookup hashes, key rotation, and the settings that hold the keys."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError
from django.db import connection
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from homeward.cli import main
from homeward.core import crypto
from homeward.core.audit import verify_chain
from homeward.core.environment import (
    DEVELOPMENT_ENCRYPTION_KEY,
    DEVELOPMENT_LOOKUP_KEY,
    ConfigurationError,
    read_environment,
)
from homeward.core.models import AuditEntry
from homeward.registry import selectors, services
from homeward.registry.inputs import ContactInput, DocumentInput, PersonInput
from homeward.registry.models import Contact, IdentityDocument

KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()
POSTGRES = "postgresql://homeward@db.internal:5432/homeward"
PRODUCTION = {
    "HOMEWARD_ENV": "production",
    "HOMEWARD_SECRET_KEY": "s" * 64,
    "HOMEWARD_DATABASE_URL": POSTGRES,
    "HOMEWARD_ENCRYPTION_KEYS": KEY_A,
    "HOMEWARD_LOOKUP_KEY": "l" * 48,
}


def raw(model, pk, column: str) -> str:
    """The column as the database holds it, bypassing the field's decryption."""
    table = connection.ops.quote_name(model._meta.db_table)
    pk_value = model._meta.pk.get_db_prep_value(pk, connection)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name(column)} FROM {table} WHERE id = %s", [pk_value])
        return cursor.fetchone()[0]


@pytest.fixture
def keys(settings):
    """Start every test on key A and a fixed lookup key; tests change them through ``settings``."""
    settings.HOMEWARD_ENCRYPTION_KEYS = (KEY_A,)
    settings.HOMEWARD_LOOKUP_KEY = "lookup-key-one-" * 3
    return settings


@pytest.fixture
def holder(world, keys):
    """A person with a passport, a national id and a phone number, all encrypted under key A."""
    return services.create_person(
        None,
        PersonInput(
            district_id=world.aghdam.pk,
            given_name="Leyla",
            family_name="Quliyeva",
            documents=(
                DocumentInput(document_type="passport", number="C01234567"),
                DocumentInput(document_type="national_id", number="AA7654321"),
            ),
            contacts=(ContactInput(kind="phone", value="050 123 45 67"),),
        ),
    )


# --- settings --------------------------------------------------------------------------------


def test_development_keys_are_stable_and_valid():
    first, second = read_environment({}), read_environment({})
    assert first.encryption_keys == second.encryption_keys == (DEVELOPMENT_ENCRYPTION_KEY,)
    assert first.lookup_key == DEVELOPMENT_LOOKUP_KEY
    assert first.phone_region == "AZ"
    Fernet(DEVELOPMENT_ENCRYPTION_KEY.encode())


def test_keys_are_read_first_one_first():
    environment = read_environment({"HOMEWARD_ENCRYPTION_KEYS": f" {KEY_B} , {KEY_A} ", "HOMEWARD_LOOKUP_KEY": "k"})
    assert environment.encryption_keys == (KEY_B, KEY_A)
    assert environment.lookup_key == "k"


def test_production_accepts_its_own_keys():
    environment = read_environment(PRODUCTION)
    assert environment.encryption_keys == (KEY_A,)


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"HOMEWARD_ENCRYPTION_KEYS": ""}, "HOMEWARD_ENCRYPTION_KEYS is not set"),
        ({"HOMEWARD_ENCRYPTION_KEYS": f"{KEY_B},{DEVELOPMENT_ENCRYPTION_KEY}"}, "HOMEWARD_ENCRYPTION_KEYS is not set"),
        ({"HOMEWARD_LOOKUP_KEY": ""}, "HOMEWARD_LOOKUP_KEY is not set"),
        ({"HOMEWARD_LOOKUP_KEY": "short"}, "HOMEWARD_LOOKUP_KEY is 5 characters"),
        ({"HOMEWARD_LOOKUP_KEY": KEY_A}, "HOMEWARD_LOOKUP_KEY must differ"),
    ],
)
def test_production_refuses_missing_or_weak_keys_naming_them(overrides, named):
    env = {**PRODUCTION, **overrides}
    with pytest.raises(ConfigurationError, match=named):
        read_environment(env)


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"HOMEWARD_ENCRYPTION_KEYS": "not-a-key"}, "HOMEWARD_ENCRYPTION_KEYS: key 1 is not a Fernet key"),
        ({"HOMEWARD_ENCRYPTION_KEYS": f"{KEY_A},short"}, "key 2 is not a Fernet key"),
        ({"HOMEWARD_ENCRYPTION_KEYS": f"{KEY_A},{KEY_A}"}, "the same key twice"),
        ({"HOMEWARD_PHONE_REGION": "Azerbaijan"}, "HOMEWARD_PHONE_REGION"),
        ({"HOMEWARD_PHONE_REGION": "XX"}, "HOMEWARD_PHONE_REGION"),
    ],
)
def test_malformed_keys_and_regions_are_refused_in_any_mode(env, named):
    with pytest.raises(ConfigurationError, match=named) as error:
        read_environment(env)
    assert "not-a-key" not in str(error.value)  # a key is never echoed


def test_the_phone_region_is_read_in_upper_case():
    assert read_environment({"HOMEWARD_PHONE_REGION": "ge"}).phone_region == "GE"


# --- encryption and hashes -------------------------------------------------------------------


@hypothesis_settings(max_examples=60, deadline=None)
@given(plaintext=st.text())
def test_any_text_survives_a_round_trip(plaintext):
    token = crypto.encrypt(plaintext)
    assert crypto.decrypt(token) == plaintext


def test_encrypting_twice_gives_different_tokens():
    assert crypto.encrypt("C01234567") != crypto.encrypt("C01234567")


def test_a_value_no_key_fits_is_a_clear_error(keys):
    token = crypto.encrypt("C01234567")
    keys.HOMEWARD_ENCRYPTION_KEYS = (KEY_B,)
    with pytest.raises(crypto.DecryptionError, match="none of HOMEWARD_ENCRYPTION_KEYS fits"):
        crypto.decrypt(token)


def test_lookup_hashes_ignore_case_width_and_spaces_but_not_context_or_key(keys):
    first = crypto.lookup_hash("AB 12", context="registry.contact.value")
    assert crypto.lookup_hash("ab12", context="registry.contact.value") == first
    assert crypto.lookup_hash("ＡＢ１２", context="registry.contact.value") == first  # full-width
    assert crypto.lookup_hash("AB12", context="registry.identitydocument.number") != first
    assert len(first) == 64
    keys.HOMEWARD_LOOKUP_KEY = "another-lookup-key-" * 2
    assert crypto.lookup_hash("AB12", context="registry.contact.value") != first


@pytest.mark.django_db
def test_an_encrypted_field_round_trips_unicode_through_the_database(world, keys):
    person = services.create_person(None, PersonInput(district_id=world.aghdam.pk, given_name="A", family_name="B"))
    for text in ("Nizami küç. 5, Ağdam", "Ереван, ул. Абовяна", "Երևան", "🏠 12/3"):
        contact = Contact.objects.create(person=person, kind="address", value=text)
        assert Contact.objects.get(pk=contact.pk).value == text
        assert text not in raw(Contact, contact.pk, "value")


def test_the_database_holds_ciphertext_and_a_keyed_hash_never_the_plaintext(holder):
    document = holder.documents.get(document_type="passport")
    stored = raw(IdentityDocument, document.pk, "number")
    assert "C01234567" not in stored
    assert Fernet(KEY_A.encode()).decrypt(stored.encode()) == b"C01234567"
    assert raw(IdentityDocument, document.pk, "number_hash") == crypto.lookup_hash(
        "C01234567", context="registry.identitydocument.number"
    )
    phone = holder.contacts.get()
    assert "501234567" not in raw(Contact, phone.pk, "value")


def test_an_encrypted_field_cannot_be_searched_by_value(holder):
    with pytest.raises(FieldError, match="is encrypted"):
        IdentityDocument.objects.filter(number="C01234567").exists()
    assert IdentityDocument.objects.filter(number__isnull=False).count() == 2


def test_a_person_is_found_by_the_hash_of_a_document_number(holder, personas):
    caseworker = personas.caseworker_aghdam
    assert selectors.find_by_document(caseworker, "passport", "c 0123 4567", purpose="test") == holder
    assert selectors.find_by_document(caseworker, "national_id", "C01234567", purpose="test") is None
    assert selectors.find_by_phone(caseworker, "+994501234567", purpose="test") == [holder]


# --- rotation --------------------------------------------------------------------------------


def test_rotation_moves_every_value_to_the_new_key(holder, keys):
    document_ids = list(IdentityDocument.objects.values_list("pk", flat=True))
    before = {pk: raw(IdentityDocument, pk, "number") for pk in document_ids}
    keys.HOMEWARD_ENCRYPTION_KEYS = (KEY_B, KEY_A)
    counts = crypto.rotate_keys(batch_size=1)
    assert counts["registry.identitydocument"] == 2
    assert counts["registry.contact"] == 1
    for pk in document_ids:
        stored = raw(IdentityDocument, pk, "number")
        assert stored != before[pk]
        Fernet(KEY_B.encode()).decrypt(stored.encode())
    keys.HOMEWARD_ENCRYPTION_KEYS = (KEY_B,)
    assert sorted(IdentityDocument.objects.values_list("number", flat=True)) == ["AA7654321", "C01234567"]
    assert Contact.objects.get().value == "+994501234567"
    assert verify_chain().ok


def test_without_rotation_dropping_the_old_key_makes_values_unreadable(holder, keys):
    keys.HOMEWARD_ENCRYPTION_KEYS = (KEY_B,)
    with pytest.raises(crypto.DecryptionError, match=r"registry\.identitydocument\.number"):
        list(IdentityDocument.objects.all())


def test_rotation_without_the_old_key_changes_nothing(holder, keys):
    document = holder.documents.get(document_type="passport")
    stored = raw(IdentityDocument, document.pk, "number")
    audit_before = AuditEntry.objects.count()
    keys.HOMEWARD_ENCRYPTION_KEYS = (KEY_B,)
    with pytest.raises(crypto.DecryptionError):
        crypto.rotate_keys()
    assert raw(IdentityDocument, document.pk, "number") == stored
    assert AuditEntry.objects.count() == audit_before


def test_rotation_takes_a_new_lookup_key_into_use(holder, keys, personas):
    caseworker = personas.caseworker_aghdam
    keys.HOMEWARD_LOOKUP_KEY = "the-new-lookup-key-" * 2
    assert selectors.find_by_document(caseworker, "passport", "C01234567", purpose="test") is None
    crypto.rotate_keys()
    assert selectors.find_by_document(caseworker, "passport", "C01234567", purpose="test") == holder
    assert selectors.find_by_phone(caseworker, "0501234567", purpose="test") == [holder]


def test_rotation_is_audited_without_any_plaintext(holder, keys):
    keys.HOMEWARD_ENCRYPTION_KEYS = (KEY_B, KEY_A)
    crypto.rotate_keys()
    entry = AuditEntry.objects.filter(purpose="key rotation", object_type="registry.identitydocument").get()
    assert entry.changes["re-encrypted"] == 2
    assert "C01234567" not in str(entry.changes)


# --- the command -----------------------------------------------------------------------------


@pytest.mark.parametrize("words", [["keys"], ["keys", "generate"], ["keys", "rotate"]])
def test_the_keys_commands_have_help(words):
    result = CliRunner().invoke(main, [*words, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_keys_generate_prints_a_fernet_key_and_a_lookup_key():
    fernet_key = CliRunner().invoke(main, ["keys", "generate"]).output.strip()
    Fernet(fernet_key.encode())
    lookup_key = CliRunner().invoke(main, ["keys", "generate", "--lookup"]).output.strip()
    assert len(lookup_key) >= 32
    assert lookup_key != fernet_key


def test_keys_rotate_prints_the_rows_per_model(holder, keys):
    keys.HOMEWARD_ENCRYPTION_KEYS = (KEY_B, KEY_A)
    result = CliRunner().invoke(main, ["keys", "rotate"])
    assert result.exit_code == 0, result.output
    assert "registry.identitydocument: 2 re-encrypted" in result.output
    assert "registry.contact: 1 re-encrypted" in result.output


def test_keys_rotate_without_the_old_key_fails_in_one_line(holder, keys):
    keys.HOMEWARD_ENCRYPTION_KEYS = (KEY_B,)
    result = CliRunner().invoke(main, ["keys", "rotate"])
    assert result.exit_code == 2
    assert "nothing was changed" in result.output
