"""Documents filed with applications: checked before they are kept, kept owner-only outside the web
roots, served only within scope and audited; a refused or failed upload leaves neither a record nor a
file; the information-request round trip."""

from __future__ import annotations

import io
import os
import stat
import struct
import uuid
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connection
from django.http import Http404
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import include, path
from PIL import Image
from pypdf import PdfWriter

from homeward.accounts import services as accounts
from homeward.cases import documents, selectors, services
from homeward.cases.choices import ApplicationState
from homeward.cases.document_views import decision_letter_view, document_download
from homeward.cases.documents import DocumentRefused, attach_document
from homeward.cases.models import Application, ApplicationDocument, InformationRequest, Transition
from homeward.cases.services import ActionRefused, CaseError
from homeward.core.context import acting_as
from homeward.core.environment import ConfigurationError, read_environment
from homeward.core.models import AuditEntry
from tests.cases.test_services import set_up_casework
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

MB = 1024 * 1024

# The views are wired into the site by the casework pages; these tests mount them on their own.
urlpatterns = [
    path("documents/<uuid:document_id>/", document_download, name="document-download"),
    path("letters/<uuid:application_id>/", decision_letter_view, name="decision-letter"),
    path("", include("homeward.urls")),
]


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), "teal").save(buffer, "PNG")
    return buffer.getvalue()


PDF = pdf_bytes()
PNG = png_bytes()
WINDOWS_PROGRAM = b"MZ\x90\x00\x03" + bytes(55) + struct.pack("<I", 64) + b"PE\x00\x00" + bytes(200)


class Zeros:
    """A 60 MB upload that is never held in memory: reads return zeros until 60 MB have been read."""

    def __init__(self, size: int = 60 * MB) -> None:
        self.size = size
        self.read_so_far = 0

    def read(self, size: int = -1, /) -> bytes:
        size = self.size - self.read_so_far if size < 0 else min(size, self.size - self.read_so_far)
        self.read_so_far += size
        return bytes(size)


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("passport.pdf", bytes(25 * MB))
    return buffer.getvalue()


class Unreadable:
    """An upload that must not be read: the check comes before the content."""

    def read(self, size: int = -1, /) -> bytes:
        raise AssertionError("the upload was read before the permission check")


@pytest.fixture
def casework(world, personas):
    return set_up_casework(world, personas)


def stored_files() -> list[Path]:
    root = Path(settings.HOMEWARD_DOCUMENTS_DIR)
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def footprint() -> tuple[int, list[Path], int]:
    return ApplicationDocument.objects.count(), stored_files(), AuditEntry.objects.count()


def attach(application: Application, actor, content, *, document_type="passport", filename="scan.pdf", **kwargs):
    content_type = kwargs.pop("content_type", "application/pdf")
    with acting_as(actor):
        return attach_document(
            application,
            actor=actor,
            document_type=document_type,
            source=content,
            filename=filename,
            content_type=content_type,
            **kwargs,
        )


# --- filing a document ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "filename", "content_type", "media_type", "extension"),
    [
        (PDF, "Passport scan (final).PDF", "application/pdf", "application/pdf", ".pdf"),
        (PNG, "photo.png", "image/png", "image/png", ".png"),
    ],
)
def test_a_good_document_is_kept_owner_only_outside_the_web_roots(
    casework, personas, content, filename, content_type, media_type, extension
):
    application = casework.submitted()

    document = attach(application, personas.caseworker_aghdam, content, filename=filename, content_type=content_type)

    document.refresh_from_db()
    assert (document.media_type, document.extension, document.size) == (media_type, extension, len(content))
    assert document.original_filename == filename
    assert document.uploaded_by == personas.caseworker_aghdam
    assert document.storage_name.endswith(extension) and filename not in document.storage_name
    stored = document.path
    assert stored.parent.name == document.storage_name[:2]
    assert stored.parent.parent == Path(settings.HOMEWARD_DOCUMENTS_DIR).resolve()
    assert stored.read_bytes() == content
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    for served in (settings.MEDIA_ROOT, settings.STATIC_ROOT):
        assert not stored.resolve().is_relative_to(Path(served).resolve())
    assert stored_files() == [stored]


def test_the_audit_log_names_the_documents_type_and_size_never_its_name(casework, personas):
    application = casework.submitted()

    document = attach(application, personas.caseworker_aghdam, PDF, filename="Aygün Məmmədova passport.pdf")

    entry = AuditEntry.objects.get(action="create", object_type="cases.applicationdocument")
    assert entry.changes["document_type"] == "passport"
    assert entry.changes["size"] == len(PDF)
    logged = f"{entry.changes} {entry.object_label}"
    for secret in ("Aygün", "passport.pdf", document.sha256, document.storage_name):
        assert secret not in logged


def test_a_filed_document_is_checked_in_a_separate_process_by_default(casework, personas, settings):
    settings.HOMEWARD_DOCUMENT_CHECKS_ISOLATED = True
    application = casework.submitted()

    document = attach(application, personas.caseworker_aghdam, PDF)

    assert document.path.read_bytes() == PDF


@pytest.mark.parametrize(
    ("make_content", "reason"),
    [
        (lambda: WINDOWS_PROGRAM, "executable"),
        (Zeros, "too_large"),
        (zip_bomb, "archive_bomb"),
        (lambda: b"", "empty"),
        (lambda: PNG, "type_mismatch"),
    ],
    ids=["executable claiming pdf", "60 MB", "zip bomb", "empty", "png claiming pdf"],
)
def test_a_refused_upload_leaves_no_record_and_no_file(casework, personas, make_content, reason):
    application = casework.submitted()
    before = footprint()

    with pytest.raises(DocumentRefused) as refused:
        attach(application, personas.caseworker_aghdam, make_content(), filename="passport.pdf")

    assert (refused.value.field, refused.value.reason_code) == ("file", reason)
    assert refused.value.message
    assert footprint() == before


def test_a_sixty_megabyte_upload_is_refused_without_reading_it_all(casework, personas):
    application = casework.submitted()
    upload = Zeros()

    with pytest.raises(DocumentRefused) as refused:
        attach(application, personas.caseworker_aghdam, upload)

    assert refused.value.reason_code == "too_large"
    assert refused.value.params["max_bytes"] == 20 * MB
    assert upload.read_so_far == 20 * MB + 1


def test_the_size_limit_is_a_setting(casework, personas, settings):
    settings.HOMEWARD_DOCUMENT_MAX_BYTES = len(PNG) - 1
    application = casework.submitted()

    with pytest.raises(DocumentRefused, match="larger than the limit"):
        attach(application, personas.caseworker_aghdam, PNG, filename="photo.png", content_type="image/png")


@pytest.mark.parametrize("outsider", ["caseworker_lachin", "auditor", "partner", "resident"])
def test_only_staff_working_on_the_case_may_file_a_document(casework, personas, outsider):
    application = casework.submitted()
    before = footprint()

    with pytest.raises(ActionRefused):
        attach(application, getattr(personas, outsider), Unreadable())

    assert footprint() == before


@pytest.mark.parametrize(
    ("document_type", "field"),
    [("horoscope", "document_type"), ("witness_statement", "document_type")],
    ids=["unknown", "not for this service"],
)
def test_a_document_type_the_service_does_not_take_is_refused(casework, personas, document_type, field):
    application = casework.submitted()  # a passport: identity card and photograph, or identity documents
    before = footprint()

    with pytest.raises(CaseError) as refused:
        attach(application, personas.caseworker_aghdam, Unreadable(), document_type=document_type)

    assert refused.value.field == field
    assert footprint() == before


def test_the_types_a_service_takes_are_its_documents_and_identity_documents(casework):
    application = casework.submitted()

    types = documents.document_types_for(application)

    assert {"identity_card", "photo", "passport", "national_id", "birth_certificate", "other"} <= set(types)
    assert "witness_statement" not in types
    assert ("photo", "Photograph") in documents.document_type_choices(application)


def test_no_document_is_added_to_a_closed_application(casework, personas):
    application = casework.in_review()
    services.decide(application, actor=personas.supervisor, result="issued")
    services.close(application, actor=personas.supervisor)

    with pytest.raises(CaseError) as refused:
        attach(application, personas.caseworker_aghdam, PDF)

    assert refused.value.field == "application"
    assert not ApplicationDocument.objects.exists()


def test_when_the_record_cannot_be_written_the_stored_file_is_removed(casework, personas, monkeypatch):
    application = casework.submitted()
    before = footprint()

    def failing_save(self, *args, **kwargs):
        raise IntegrityError("disk full, or a constraint")

    monkeypatch.setattr(ApplicationDocument, "save", failing_save)
    with pytest.raises(IntegrityError):
        attach(application, personas.caseworker_aghdam, PDF)

    assert footprint() == before


def test_orphaned_files_are_swept_and_recorded_ones_kept(casework, personas):
    application = casework.submitted()
    kept = attach(application, personas.caseworker_aghdam, PDF)
    orphan = kept.path.parent / f"{kept.storage_name[:2]}{uuid.uuid4().hex[2:]}.pdf"
    orphan.write_bytes(PDF)
    os.utime(orphan, (0, 0))

    assert documents.sweep_orphaned_files() == [orphan]
    assert stored_files() == [kept.path]


def test_the_documents_directory_defaults_to_the_data_directory_and_may_not_be_served(tmp_path):
    assert read_environment({"HOMEWARD_DATA_DIR": str(tmp_path)}).documents_dir == tmp_path / "documents"
    chosen = read_environment({"HOMEWARD_DATA_DIR": str(tmp_path), "HOMEWARD_DOCUMENTS_DIR": str(tmp_path / "vault")})
    assert chosen.documents_dir == tmp_path / "vault"
    for served in ("files", "static/documents"):
        with pytest.raises(ConfigurationError, match="HOMEWARD_DOCUMENTS_DIR must not be inside"):
            read_environment({"HOMEWARD_DATA_DIR": str(tmp_path), "HOMEWARD_DOCUMENTS_DIR": str(tmp_path / served)})


def test_documents_are_never_kept_inside_the_web_roots(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"
    settings.HOMEWARD_DOCUMENTS_DIR = tmp_path / "files" / "documents"

    with pytest.raises(ImproperlyConfigured, match="must not be inside MEDIA_ROOT"):
        documents.documents_root()


# --- reading a document -----------------------------------------------------------------------


def test_a_document_is_opened_only_within_scope_and_each_read_is_audited(casework, personas):
    application = casework.submitted()
    document = attach(application, personas.caseworker_aghdam, PDF)

    found, handle = selectors.open_document(personas.supervisor, document.pk, purpose="check the passport")
    with handle:
        assert handle.read() == PDF
    assert found == document
    read = AuditEntry.objects.filter(action="read", object_type="cases.applicationdocument").get()
    assert (read.actor, read.object_id, read.purpose) == (personas.supervisor, str(document.pk), "check the passport")

    for outsider in (personas.caseworker_lachin, personas.partner, personas.resident):
        with pytest.raises(Http404):
            selectors.open_document(outsider, document.pk, purpose="curiosity")
    assert AuditEntry.objects.filter(action="read", object_type="cases.applicationdocument").count() == 1


@pytest.mark.urls(__name__)
def test_the_download_is_an_uncached_attachment_of_the_checked_type(casework, personas):
    application = casework.submitted()
    document = attach(application, personas.caseworker_aghdam, PNG, filename="me.png", content_type="image/png")

    response = client_for(personas.caseworker_aghdam).get(f"/documents/{document.pk}/")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == f'attachment; filename="{application.reference}-passport.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert AuditEntry.objects.filter(action="read", object_id=str(document.pk)).count() == 1


@pytest.mark.urls(__name__)
def test_a_download_outside_the_scope_is_not_found_and_not_audited(casework, personas):
    application = casework.submitted()
    document = attach(application, personas.caseworker_aghdam, PDF)
    reads = AuditEntry.objects.filter(action="read").count()

    assert client_for(personas.caseworker_lachin).get(f"/documents/{document.pk}/").status_code == 404
    assert client_for(personas.caseworker_aghdam).get(f"/documents/{uuid.uuid4()}/").status_code == 404
    assert Client().get(f"/documents/{document.pk}/").status_code == 302  # to the login page
    assert AuditEntry.objects.filter(action="read").count() == reads


# --- the information request round trip -------------------------------------------------------


def test_request_upload_and_receive_information_with_the_documents_that_arrived(casework, personas):
    caseworker = personas.caseworker_aghdam
    application = casework.in_review()
    with acting_as(caseworker):
        services.request_information(
            application,
            actor=caseworker,
            request="Please bring proof of your residence.",
            document_types=["proof_of_residence"],
        )
    assert "proof_of_residence" in documents.document_types_for(application)  # not a passport document otherwise

    proof = attach(application, caseworker, PDF, document_type="proof_of_residence", filename="lease.pdf")
    with acting_as(caseworker):
        services.receive_information(application, actor=caseworker, documents=[proof.pk])

    request = InformationRequest.objects.get(application=application)
    proof.refresh_from_db()
    assert proof.provided_for == request
    assert (request.is_open, request.answered_by, request.missing_types) == (False, caseworker, [])
    assert [d.pk for d in request.documents.all()] == [proof.pk]
    assert Application.objects.get(pk=application.pk).state == ApplicationState.IN_REVIEW


def test_receiving_a_document_of_another_application_changes_nothing(casework, personas):
    caseworker = personas.caseworker_aghdam
    application = casework.in_review()
    other = casework.submitted()
    foreign = attach(other, caseworker, PDF)
    services.request_information(application, actor=caseworker, request="Your passport, please")
    before = (
        Application.objects.filter(pk=application.pk).values_list("state", "row_version").get(),
        Transition.objects.count(),
        AuditEntry.objects.count(),
    )

    with pytest.raises(CaseError) as refused:
        services.receive_information(application, actor=caseworker, documents=[foreign.pk])

    assert refused.value.field == "documents[0]"
    assert application.state == ApplicationState.INFORMATION_REQUESTED
    assert (
        Application.objects.filter(pk=application.pk).values_list("state", "row_version").get(),
        Transition.objects.count(),
        AuditEntry.objects.count(),
    ) == before
    assert InformationRequest.objects.get(application=application).is_open


def test_a_document_answers_one_request_only(casework, personas):
    caseworker = personas.caseworker_aghdam
    application = casework.in_review()
    services.request_information(application, actor=caseworker, request="Your passport, please")
    passport = attach(application, caseworker, PDF)
    services.receive_information(application, actor=caseworker, documents=[passport.pk])
    services.request_information(application, actor=caseworker, request="A clearer copy, please")

    with pytest.raises(CaseError, match="already answers an earlier information request"):
        services.receive_information(application, actor=caseworker, documents=[passport.pk])


# --- through the API --------------------------------------------------------------------------


def api_client(user) -> Client:
    _token, key = accounts.issue_token(user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def upload(client: Client, application: Application, content: bytes, name: str, **fields: str):
    file = io.BytesIO(content)
    file.name = name
    return client.post(
        f"/api/cases/applications/{application.pk}/documents", {"document_type": "passport", "file": file, **fields}
    )


def test_the_api_files_lists_and_serves_documents_within_scope(casework, personas):
    application = casework.submitted()
    client = api_client(personas.caseworker_aghdam)

    created = upload(client, application, PDF, "scan.pdf", note="Original seen")
    listed = client.get(f"/api/cases/applications/{application.pk}/documents")
    served = client.get(f"/api/cases/documents/{created.json()['id']}/file")
    outside = api_client(personas.caseworker_lachin).get(f"/api/cases/documents/{created.json()['id']}/file")

    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["document_type"], body["media_type"], body["size"], body["note"]) == (
        "passport",
        "application/pdf",
        len(PDF),
        "Original seen",
    )
    assert [item["id"] for item in listed.json()] == [body["id"]]
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == PDF
    assert served["Content-Disposition"].startswith("attachment;")
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Cache-Control"] == "private, no-store"
    assert outside.status_code == 404


def test_the_api_refuses_a_program_naming_the_reason_and_keeps_nothing(casework, personas):
    application = casework.submitted()
    before = footprint()

    response = upload(api_client(personas.caseworker_aghdam), application, WINDOWS_PROGRAM, "passport.pdf")

    assert response.status_code == 422
    assert (response.json()["field"], response.json()["reason"]) == ("file", "executable")
    assert response.json()["params"]["detected"] == "pe_executable"
    assert footprint()[:2] == before[:2]


def test_the_information_request_round_trip_through_the_api(casework, personas):
    application = casework.in_review()
    client = api_client(personas.caseworker_aghdam)
    url = f"/api/cases/applications/{application.pk}"

    asked = client.post(
        f"{url}/events/request_information",
        {"note": "Proof of residence, please", "document_types": ["proof_of_residence"]},
        content_type="application/json",
    )
    proof = upload(client, application, PNG, "proof.png", document_type="proof_of_residence").json()
    received = client.post(
        f"{url}/events/receive_information", {"documents": [proof["id"]]}, content_type="application/json"
    )
    requests = client.get(f"{url}/information-requests").json()

    assert asked.json()["state"] == "information_requested"
    assert received.json()["state"] == "in_review"
    assert requests == [
        {
            "id": requests[0]["id"],
            "document_types": ["proof_of_residence"],
            "message": "Proof of residence, please",
            "requested_by": "caseworker.aghdam",
            "requested_at": requests[0]["requested_at"],
            "answered_by": "caseworker.aghdam",
            "answered_at": requests[0]["answered_at"],
            "documents": [proof["id"]],
        }
    ]
    assert client.get(f"{url}/documents").json()[0]["provided_for"] == requests[0]["id"]


def test_the_document_list_takes_a_bounded_number_of_queries(casework, personas):
    application = casework.submitted()
    client = api_client(personas.caseworker_aghdam)
    url = f"/api/cases/applications/{application.pk}/documents"
    attach(application, personas.caseworker_aghdam, PDF)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(4):
        attach(application, casework.second_caseworker, PNG, filename="photo.png", content_type="image/png")
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(url).json()) == 5

    assert len(many) == len(few)
