"""Documents filed with an application: checked, stored outside the web roots, all or nothing.

:func:`attach_document` is the one way a document gets in. It checks the actor's permission and scope
first, then the content (:func:`homeward.cases.document_checks.check_document`: the bytes must be a
PDF or an image that opens cleanly, whatever the name or claimed type say), then writes the file and
the record:

* the file goes to ``HOMEWARD_DOCUMENTS_DIR/<ab>/<abcdef….ext>``: a random name (never the
  uploader's), sharded by its first two characters, owner-only (0600), written atomically;
* the record (:class:`~homeward.cases.models.ApplicationDocument`) is saved in one transaction with its
  audit entry, which names the document's type and size only, never its name or content;
* if the database write fails the file is removed, so a refused or failed upload leaves nothing.

A required document can also be accounted for without a copy: :func:`record_original_seen` records
that a caseworker saw the original at the counter.

A file can only outlive its record when a caller's *outer* transaction rolls back after the upload
succeeded; :func:`sweep_orphaned_files` removes such files (and is safe to run at any time).

Settings (Django settings; tests override them): ``HOMEWARD_DOCUMENTS_DIR`` (environment variable of
the same name), ``HOMEWARD_DOCUMENT_MAX_BYTES`` (default 20 MB) and
``HOMEWARD_DOCUMENT_CHECKS_ISOLATED`` (default true: images and PDFs are parsed in a child process
held to time and memory limits; tests turn it off for speed).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from homeward.cases.choices import ApplicationState
from homeward.cases.document_checks import (
    DEFAULT_MAX_BYTES,
    DocumentRejected,
    DocumentSource,
    ParamValue,
    check_document,
    store_document,
)
from homeward.cases.models import (
    DOCUMENT_TYPE_CHOICES,
    IDENTITY_DOCUMENT_TYPES,
    Application,
    ApplicationDocument,
    OriginalSeen,
    documents_root,
    storage_path,
)
from homeward.cases.services import CaseError, require_action
from homeward.core.permissions import Action

__all__ = [
    "ApplicationDocument",
    "DocumentRefused",
    "attach_document",
    "document_type_choices",
    "document_types_for",
    "max_document_bytes",
    "record_original_seen",
    "sweep_orphaned_files",
]

logger = logging.getLogger(__name__)

_MAX_FILENAME = 255
_MAX_NOTE = 2000


class DocumentRefused(CaseError):
    """An upload refused for its content; ``reason_code`` is a stable
    :class:`~homeward.cases.document_checks.RejectionReason` value pages and clients translate by,
    ``params`` fill the message (see :mod:`homeward.cases.document_checks`)."""

    def __init__(self, reason_code: str, message: str, params: Mapping[str, ParamValue] | None = None) -> None:
        super().__init__("file", message)
        self.reason_code = str(reason_code)
        self.params: dict[str, ParamValue] = dict(params or {})

    @classmethod
    def from_rejection(cls, rejected: DocumentRejected) -> DocumentRefused:
        return cls(rejected.reason_code, rejected.message, rejected.params)


def max_document_bytes() -> int:
    """The largest document accepted (``HOMEWARD_DOCUMENT_MAX_BYTES``, 20 MB by default)."""
    return int(getattr(settings, "HOMEWARD_DOCUMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def _checks_isolated() -> bool:
    return bool(getattr(settings, "HOMEWARD_DOCUMENT_CHECKS_ISOLATED", True))


def document_types_for(application: Application) -> list[str]:
    """The document types that may be filed with ``application``: its service's required documents,
    the registry's identity documents, and whatever an information request on it asked for."""
    known = {*application.service.required_documents, *IDENTITY_DOCUMENT_TYPES}
    for requested in application.information_requests.values_list("document_types", flat=True):
        known.update(requested or [])
    return [value for value, _label in DOCUMENT_TYPE_CHOICES if value in known]


def document_type_choices(application: Application) -> list[tuple[str, str]]:
    """``(value, label)`` pairs of :func:`document_types_for`, labels in the active language."""
    allowed = set(document_types_for(application))
    return [(value, str(label)) for value, label in DOCUMENT_TYPE_CHOICES if value in allowed]


def _check_request(application: Application, document_type: str, filename: str, note: str) -> None:
    if application.state == ApplicationState.CLOSED:
        raise CaseError("application", f"{application.reference} is closed: no documents can be added")
    allowed = document_types_for(application)
    if document_type not in allowed:
        raise CaseError(
            "document_type",
            f"{document_type!r} is not a document {application.service.code} takes (known: {', '.join(allowed)})",
        )
    if len(filename) > _MAX_FILENAME:
        raise CaseError("file", f"the file name is longer than {_MAX_FILENAME} characters")
    if len(note) > _MAX_NOTE:
        raise CaseError("note", f"is longer than {_MAX_NOTE} characters")


def _display_filename(filename: str) -> str:
    """The uploader's file name without any folder part or control characters, for display only."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(char for char in name if char.isprintable()).strip()


def attach_document(
    application: Application,
    *,
    actor: Any,
    document_type: str,
    source: DocumentSource,
    filename: str,
    content_type: str,
    note: str = "",
    isolated: bool | None = None,
) -> ApplicationDocument:
    """File a document with ``application`` for ``actor`` (a caseworker or supervisor in its scope).

    ``source`` is the upload (bytes, a binary file such as Django's ``UploadedFile``, or an iterable
    of chunks), read at most one byte past the size limit. ``filename`` and ``content_type`` are what
    the uploader claims; they are checked against the content, and the name is kept for display only.

    Raises :class:`~homeward.cases.services.ActionRefused` outside the actor's permission or scope,
    :class:`~homeward.cases.services.CaseError` naming the field for a bad type or note, and
    :class:`DocumentRefused` (field ``file``, with the reason code) for content that may not be
    stored. A refusal or failure leaves no record and no file.

    ``isolated`` overrides ``HOMEWARD_DOCUMENT_CHECKS_ISOLATED`` for this call.
    """
    require_action(actor, Action.VIEW, application)
    require_action(actor, Action.CHANGE, application)
    _check_request(application, document_type, filename, note)
    try:
        checked = check_document(
            source,
            filename=filename or None,
            content_type=content_type or None,
            max_bytes=max_document_bytes(),
            isolated=_checks_isolated() if isolated is None else isolated,
        )
    except DocumentRejected as rejected:
        raise DocumentRefused.from_rejection(rejected) from rejected

    storage_name = f"{uuid.uuid4().hex}{checked.extension}"
    target = storage_path(storage_name)
    for directory in (target.parent.parent, target.parent):
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    store_document(checked, target)
    try:
        with transaction.atomic():
            document = ApplicationDocument(
                application=application,
                document_type=document_type,
                original_filename=_display_filename(filename),
                media_type=checked.media_type,
                extension=checked.extension,
                size=checked.size,
                sha256=checked.sha256,
                storage_name=storage_name,
                uploaded_by=actor,
                uploaded_at=timezone.now(),
                note=note.strip(),
            )
            document.save()
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            target.unlink()
        raise
    return document


def record_original_seen(application: Application, *, actor: Any, document_type: str, note: str = "") -> OriginalSeen:
    """Record that ``actor`` saw the original of a document ``application`` takes, without filing a copy.

    Checked as a filed document is: the actor's permission and scope, an application not closed, a
    type the application takes, a note of bounded length. Seeing the same type again records it
    again (who saw it, and when, is the point).
    """
    require_action(actor, Action.VIEW, application)
    require_action(actor, Action.CHANGE, application)
    _check_request(application, document_type, "", note)
    seen = OriginalSeen(
        application=application, document_type=document_type, seen_by=actor, seen_at=timezone.now(), note=note.strip()
    )
    with transaction.atomic():
        seen.save()
    return seen


def sweep_orphaned_files(*, older_than: dt.timedelta = dt.timedelta(hours=1)) -> list[Path]:
    """Remove stored files that no document record names (left by a rolled-back outer transaction),
    and stray temporary files; files younger than ``older_than`` are left, as their upload may still
    be committing. Returns the removed paths."""
    root = documents_root()
    if not root.is_dir():
        return []
    cutoff = (timezone.now() - older_than).timestamp()
    removed = []
    for shard in sorted(path for path in root.iterdir() if path.is_dir() and len(path.name) == 2):
        names = {path.name: path for path in shard.iterdir() if path.is_file()}
        if not names:
            continue
        known = set(
            ApplicationDocument.objects.filter(
                storage_name__in=[n for n in names if not n.startswith(".")]
            ).values_list("storage_name", flat=True)
        )
        for name, path in names.items():
            if name in known or path.stat().st_mtime > cutoff:
                continue
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
            logger.warning("Removed document file %s: no document record names it", path)
            removed.append(path)
    return removed
