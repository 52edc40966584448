"""Contacts in canonical form: phone numbers in E.164, e-mail with a lower-case domain, addresses
with single spaces. The canonical form is what is encrypted and what the lookup hash is taken of."""

from __future__ import annotations

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from homeward.registry.choices import ContactKind


class InvalidContact(ValueError):
    """The value cannot be a contact of its kind; the message says why without repeating the value
    (messages may be logged)."""


def normalise_phone(number: str, region: str | None = None) -> str:
    """``number`` in E.164 (``+994501234567``); a number without ``+`` is read as one of ``region``
    (default: ``HOMEWARD_PHONE_REGION``)."""
    region = region or settings.HOMEWARD_PHONE_REGION
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        raise InvalidContact(_("this is not a phone number")) from None
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidContact(
            _("this is not a valid phone number (numbers without + are read as %(region)s numbers)")
            % {"region": region}
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(address: str) -> str:
    address = address.strip()
    try:
        validate_email(address)
    except ValidationError:
        raise InvalidContact(_("this is not an e-mail address")) from None
    local, _at, domain = address.rpartition("@")
    return f"{local}@{domain.lower()}"


def normalise_address(address: str) -> str:
    text = " ".join(address.split())
    if not text:
        raise InvalidContact(_("an address cannot be empty"))
    return text


def normalise_contact(kind: str, value: str) -> str:
    """``value`` in the canonical form of contacts of ``kind``; :class:`InvalidContact` if it cannot be one."""
    if kind == ContactKind.PHONE:
        return normalise_phone(value)
    if kind == ContactKind.EMAIL:
        return normalise_email(value)
    if kind == ContactKind.ADDRESS:
        return normalise_address(value)
    raise InvalidContact(_("unknown kind of contact %(kind)r") % {"kind": kind})
