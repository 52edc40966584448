"""TOTP two-factor authentication for staff, on django-otp's TOTP devices."""

from __future__ import annotations

import segno
from django.db import transaction
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from homeward.accounts.models import User
from homeward.core import audit


def has_confirmed_device(user: User) -> bool:
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def pending_device(user: User) -> TOTPDevice:
    """The unconfirmed device being enrolled, created on first use."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


def qr_svg(device: TOTPDevice) -> str:
    return str(segno.make(device.config_url, error="m").svg_inline(scale=4))


@transaction.atomic
def confirm_device(request: HttpRequest, user: User, token: str) -> bool:
    """Confirm the pending device with a first code; on success the session is verified."""
    device = pending_device(user)
    if not device.verify_token(token.strip()):
        return False
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save()
    audit.record(audit.AuditAction.UPDATE, obj=user, changes={"two_factor": "enrolled"})
    otp_login(request, device)
    return True


def verify(request: HttpRequest, user: User, token: str) -> bool:
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        if device.verify_token(token.strip()):
            otp_login(request, device)
            return True
    return False


@transaction.atomic
def remove_devices(user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    audit.record(audit.AuditAction.UPDATE, obj=user, changes={"two_factor": "removed"})
