"""Sign-in events go to the audit log (they are not model saves, so no service sees them)."""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from homeward.core import audit


@receiver(user_logged_in)
def audit_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit.record(audit.AuditAction.LOGIN, obj=user, actor=user)
    if getattr(user, "preferred_language", "") and request is not None:
        request.session["_language"] = user.preferred_language


@receiver(user_logged_out)
def audit_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit.record(audit.AuditAction.LOGOUT, obj=user, actor=user)


@receiver(user_login_failed)
def audit_failed_login(sender: Any, credentials: Any, request: Any = None, **kwargs: Any) -> None:
    audit.record(
        audit.AuditAction.LOGIN_FAILED,
        object_type="accounts.user",
        object_label=str(credentials.get("username", ""))[:200],
    )
