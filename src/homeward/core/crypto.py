"""Identifiers encrypted at rest, and keyed hashes to find them exactly.

Values are encrypted with Fernet under ``settings.HOMEWARD_ENCRYPTION_KEYS``: the first key
encrypts, every key in the list decrypts, so a new key can be put in front of the old ones before
:func:`rotate_keys` re-encrypts everything with it. Ciphertext is random, so an encrypted column
cannot be searched; a :class:`LookupHashField` beside it holds an HMAC-SHA256 (keyed with
``settings.HOMEWARD_LOOKUP_KEY``) of the normalised value, and exact look-ups and unique
constraints use that. :func:`rotate_keys` also recomputes those hashes, which is how a new lookup
key is taken into use.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldError
from django.db import models, transaction

from homeward.core import audit

__all__ = [
    "DecryptionError",
    "EncryptedTextField",
    "LookupHashField",
    "decrypt",
    "encrypt",
    "generate_key",
    "lookup_hash",
    "normalise_for_lookup",
    "rotate_keys",
]

ROTATION_BATCH_SIZE = 500

if TYPE_CHECKING:
    _TextField = models.TextField[str | None, str | None]
    _CharField = models.CharField[str | None, str | None]
else:
    _TextField = models.TextField
    _CharField = models.CharField


class DecryptionError(Exception):
    """A stored value none of the configured keys can decrypt (a key is missing from the list)."""


@functools.lru_cache(maxsize=8)
def _cipher_for(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise DecryptionError("HOMEWARD_ENCRYPTION_KEYS is empty")
    return MultiFernet([Fernet(key.encode("ascii")) for key in keys])


def _cipher() -> MultiFernet:
    return _cipher_for(tuple(settings.HOMEWARD_ENCRYPTION_KEYS))


def generate_key() -> str:
    """A new random Fernet key, as ``HOMEWARD_ENCRYPTION_KEYS`` expects it."""
    return Fernet.generate_key().decode("ascii")


def encrypt(plaintext: str) -> str:
    """``plaintext`` encrypted with the first configured key (a different token every call)."""
    return _cipher().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(token: str, *, what: str = "a value") -> str:
    """The plaintext of ``token``, decrypted with whichever configured key fits."""
    try:
        return _cipher().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError):
        raise DecryptionError(
            f"cannot decrypt {what}: none of HOMEWARD_ENCRYPTION_KEYS fits (was a key removed before rotation?)"
        ) from None


def normalise_for_lookup(value: str) -> str:
    """The form hashed for exact look-ups: NFKC, case-folded, without whitespace.

    Callers first bring a value to its domain's canonical form (a phone number to E.164, a
    document number to upper case); this only removes differences no domain cares about.
    """
    folded = unicodedata.normalize("NFKC", value).casefold()
    return "".join(folded.split())


def lookup_hash(value: str, *, context: str) -> str:
    """HMAC-SHA256 of the normalised ``value`` under the lookup key, as 64 hex digits.

    ``context`` (the model field the value belongs to) separates the hashes of different fields,
    so equal values in a contact and a document number do not hash alike.
    """
    key = str(settings.HOMEWARD_LOOKUP_KEY).encode("utf-8")
    message = f"{context}\x00{normalise_for_lookup(value)}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


class EncryptedTextField(_TextField):
    """Text stored as a Fernet token; the model attribute holds the plaintext.

    Only ``isnull`` look-ups work on it: anything else would compare with random ciphertext.
    Search through a :class:`LookupHashField` instead.
    """

    description = "Text encrypted at rest"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt(value, what=self._label())

    def to_python(self, value: Any) -> str | None:
        return value if value is None or isinstance(value, str) else str(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or hasattr(value, "resolve_expression"):
            return value
        return encrypt(str(value))

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name != "isnull":
            raise FieldError(
                f"{self._label()} is encrypted: it supports no {lookup_name!r} look-up; use its lookup hash"
            )
        return super().get_lookup(lookup_name)

    def _label(self) -> str:
        model = getattr(self, "model", None)
        return f"{model._meta.label_lower}.{self.name}" if model is not None else str(self.name)


class LookupHashField(_CharField):
    """The keyed hash of the plaintext in the field named ``source``, recomputed on every save."""

    description = "Keyed hash of an encrypted value"

    def __init__(self, *args: Any, source: str, **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        if kwargs.get("max_length") == 64:
            del kwargs["max_length"]
        if kwargs.get("editable") is False:
            del kwargs["editable"]
        return name, path, args, kwargs

    @property
    def context(self) -> str:
        return f"{self.model._meta.label_lower}.{self.source}"

    def hash_of(self, value: str | None) -> str | None:
        """The hash stored for ``value`` (already in its domain's canonical form), or ``None``."""
        return None if value is None else lookup_hash(value, context=self.context)

    def pre_save(self, model_instance: models.Model, add: bool) -> str | None:
        value = self.hash_of(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value


def encrypted_models() -> list[tuple[type[models.Model], list[EncryptedTextField], list[LookupHashField]]]:
    """Every installed model with encrypted fields, with those fields and their lookup hashes."""
    found = []
    for model in apps.get_models():
        fields = model._meta.concrete_fields
        encrypted = [field for field in fields if isinstance(field, EncryptedTextField)]
        if encrypted:
            hashes = [field for field in fields if isinstance(field, LookupHashField)]
            found.append((model, encrypted, hashes))
    return found


def _rotate_model(
    model: type[models.Model], encrypted: Sequence[EncryptedTextField], hashes: Sequence[LookupHashField], batch: int
) -> int:
    manager = model._base_manager
    loaded = [field.attname for field in encrypted]
    written = [*loaded, *(field.attname for field in hashes)]
    rows = 0
    last: Any = None
    while True:
        page = manager.order_by("pk").only("pk", *loaded)
        if last is not None:
            page = page.filter(pk__gt=last)
        instances = list(page[:batch])
        if not instances:
            return rows
        for instance in instances:
            for field in hashes:
                field.pre_save(instance, False)
        # bulk_update writes each plaintext back through get_prep_value, i.e. under the first key.
        manager.bulk_update(instances, written)
        rows += len(instances)
        last = instances[-1].pk


def rotate_keys(*, batch_size: int = ROTATION_BATCH_SIZE) -> dict[str, int]:
    """Re-encrypt every encrypted value of every model with the first key, and recompute every
    lookup hash with the current lookup key; returns the rows rewritten per model label.

    Runs in one transaction: if any value cannot be decrypted (:class:`DecryptionError`), nothing
    changes. Row versions are left alone, since no value changes. Each model gets one audit entry.
    """
    counts: dict[str, int] = {}
    with transaction.atomic():
        for model, encrypted, hashes in encrypted_models():
            rows = _rotate_model(model, encrypted, hashes, batch_size)
            counts[model._meta.label_lower] = rows
            if rows:
                audit.record(
                    audit.AuditAction.UPDATE,
                    object_type=model._meta.label_lower,
                    object_label=f"{rows} rows re-encrypted",
                    changes={
                        "re-encrypted": rows,
                        "fields": [field.name for field in encrypted],
                        "rehashed": [field.name for field in hashes],
                    },
                    purpose="key rotation",
                )
    return counts
