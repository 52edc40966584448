"""Persons, their names, identity documents, contacts and consent, and households.

Minimum personal data: no ethnicity, religion or political field. Document numbers and contacts are
encrypted at rest and found through keyed hashes (``core.crypto``); names, dates of birth, document
numbers and contacts never appear in clear in the audit log.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NoReturn

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from homeward.core.crypto import EncryptedTextField, LookupHashField
from homeward.core.models import BaseModel
from homeward.core.permissions import Scope
from homeward.registry.choices import ConsentPurpose, ContactKind, DatePrecision, DocumentType, NameKind, Sex


class Household(BaseModel):
    """People registered together, with the settlement they were displaced from."""

    reference = models.CharField(_("reference"), max_length=40, unique=True)
    origin = models.ForeignKey(
        "places.Place", verbose_name=_("settlement of origin"), on_delete=models.PROTECT, related_name="+"
    )
    district = models.ForeignKey("places.Place", verbose_name=_("district"), on_delete=models.PROTECT, related_name="+")
    is_synthetic = models.BooleanField(_("synthetic"), default=False)

    homeward_domain = "registry"
    holds_personal_data = True

    class Meta:
        ordering = ["reference"]
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return self.reference

    def homeward_scope(self) -> Scope:
        return Scope(district_ids=frozenset({self.district_id}))


def partial_date_text(value: dt.date | None, precision: str) -> str:
    """``1980``, ``1980-05`` or ``1980-05-17``, as much as is known; empty when unknown."""
    if value is None:
        return ""
    if precision == DatePrecision.YEAR:
        return f"{value.year:04d}"
    if precision == DatePrecision.MONTH:
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()


class Person(BaseModel):
    """A registered person. Reads are audited; names, dates and places of birth are redacted in the log.

    ``given_name``, ``family_name`` and ``patronymic`` are the names the registry shows and sorts
    by; every spelling in every language and script is a :class:`PersonName`. A partial date of
    birth is stored in ``birth_date`` as the first day of the known period (``1980-01-01`` for
    "1980"), with ``birth_date_precision`` saying how much of it is known.
    """

    household = models.ForeignKey(
        Household, verbose_name=_("household"), null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    patronymic = models.CharField(_("patronymic"), max_length=100, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    birth_date_precision = models.CharField(
        _("date of birth known to"), max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    place_of_birth = models.ForeignKey(
        "places.Place",
        verbose_name=_("place of birth"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    place_of_birth_text = models.CharField(
        _("place of birth (as written)"),
        max_length=200,
        blank=True,
        help_text=_("For a place outside the gazetteer, or as the person gave it."),
    )
    father_name = models.CharField(_("father's name"), max_length=200, blank=True)
    mother_name = models.CharField(_("mother's name"), max_length=200, blank=True)
    origin = models.ForeignKey(
        "places.Place",
        verbose_name=_("settlement of origin"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    district = models.ForeignKey("places.Place", verbose_name=_("district"), on_delete=models.PROTECT, related_name="+")
    is_synthetic = models.BooleanField(_("synthetic"), default=False)

    homeward_domain = "registry"
    holds_personal_data = True
    audit_redacted_fields = frozenset(
        {"given_name", "family_name", "patronymic", "birth_date", "place_of_birth_text", "father_name", "mother_name"}
    )

    class Meta:
        ordering = ["family_name", "given_name"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        indexes = [
            models.Index(fields=["district", "family_name"]),
            # The identity check on every submission looks persons up by birth date, and by exact name.
            models.Index(fields=["birth_date"]),
            models.Index(fields=["family_name", "given_name"]),
        ]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def audit_label(self) -> str:
        """How the audit log names this person: never by name."""
        return f"person {str(self.pk)[:8]}"

    def homeward_scope(self) -> Scope:
        return Scope(district_ids=frozenset({self.district_id}))

    @property
    def birth_date_shown(self) -> str:
        return partial_date_text(self.birth_date, self.birth_date_precision)

    def clean(self) -> None:
        if self.birth_date is not None and self.birth_date > timezone.localdate():
            raise ValidationError({"birth_date": _("A date of birth cannot be in the future.")})


class _PersonPart(BaseModel):
    """Something recorded about one person: in that person's scope and audited like them."""

    person: models.ForeignKey[Person, Person]
    person_id: Any

    homeward_domain = "registry"
    holds_personal_data = True

    class Meta:
        abstract = True

    def homeward_scope(self) -> Scope:
        return Scope(district_ids=frozenset({self.person.district_id}))

    def audit_label(self) -> str:
        return f"{self._meta.model_name} of person {str(self.person_id)[:8]}"

    def __str__(self) -> str:
        return self.audit_label()


class PersonName(_PersonPart):
    """One spelling of one of a person's names, in a language (BCP 47) and a script (ISO 15924)."""

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="names")
    kind = models.CharField(_("kind"), max_length=12, choices=NameKind.choices)
    value = models.CharField(_("name"), max_length=200)
    language = models.CharField(_("language"), max_length=16, help_text=_("A language code such as az, hy, ru, en."))
    script = models.CharField(_("script"), max_length=4, help_text=_("An ISO 15924 code such as Latn, Armn, Cyrl."))

    audit_redacted_fields = frozenset({"value"})

    class Meta:
        ordering = ["person", "kind", "language", "script"]
        verbose_name = _("person's name")
        verbose_name_plural = _("persons' names")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind", "language", "script", "value"], name="registry_name_unique_per_person"
            ),
        ]


class IdentityDocument(_PersonPart):
    """An identity document; its number is encrypted and unique within its type (by keyed hash)."""

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="documents")
    document_type = models.CharField(_("document type"), max_length=20, choices=DocumentType.choices)
    number = EncryptedTextField(_("number"))
    number_hash = LookupHashField(_("number lookup hash"), source="number")
    issuer = models.CharField(_("issued by"), max_length=200, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)

    audit_redacted_fields = frozenset({"number", "number_hash"})

    class Meta:
        ordering = ["person", "document_type", "issued_on"]
        verbose_name = _("identity document")
        verbose_name_plural = _("identity documents")
        constraints = [
            models.UniqueConstraint(fields=["document_type", "number_hash"], name="registry_document_number_unique"),
            models.CheckConstraint(
                condition=models.Q(issued_on__isnull=True)
                | models.Q(expires_on__isnull=True)
                | models.Q(expires_on__gte=models.F("issued_on")),
                name="registry_document_expires_after_issue",
            ),
        ]


class Contact(_PersonPart):
    """A phone number (E.164), e-mail or postal address; the value is encrypted, found by keyed hash."""

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(_("kind"), max_length=10, choices=ContactKind.choices)
    value = EncryptedTextField(_("value"))
    value_hash = LookupHashField(_("value lookup hash"), source="value")

    audit_redacted_fields = frozenset({"value", "value_hash"})

    class Meta:
        ordering = ["person", "kind", "created_at"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.UniqueConstraint(fields=["person", "kind", "value_hash"], name="registry_contact_unique_per_person"),
        ]
        indexes = [models.Index(fields=["kind", "value_hash"])]


class ConsentQuerySet(models.QuerySet["ConsentRecord"]):
    def delete(self) -> NoReturn:
        raise PermissionError("consent records are kept; withdraw consent instead of deleting it")


class ConsentRecord(_PersonPart):
    """What a person agreed to, for which purpose and when; withdrawing keeps the record."""

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=20, choices=ConsentPurpose.choices)
    agreed = models.TextField(_("what was agreed"))
    given_at = models.DateTimeField(_("given at"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["person", "-given_at"]
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(withdrawn_at__isnull=True) | models.Q(withdrawn_at__gte=models.F("given_at")),
                name="registry_consent_withdrawn_after_given",
            ),
        ]

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PermissionError("consent records are kept; withdraw consent instead of deleting it")
