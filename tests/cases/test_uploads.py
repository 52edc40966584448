"""A document over the size limit is cut off while it streams in, then refused as too large, on the page
and through the API, leaving nothing; a document within the limit arrives whole; other uploads (imports)
are not touched."""

from __future__ import annotations

import io
import uuid
from typing import Any, ClassVar

import pytest
from django.core.files.uploadedfile import InMemoryUploadedFile, TemporaryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.test import RequestFactory
from django.urls import reverse

from homeward.cases.models import ApplicationDocument
from tests.cases.test_documents import PDF, api_client, footprint, upload
from tests.cases.test_services import set_up_casework

pytestmark = pytest.mark.django_db

LIMIT = 10_000
# Several of the parser's 64 KB chunks, so the cut is made mid-stream, not on the last chunk.
OVERSIZED = PDF + bytes(300_000)


class PassedOn(FileUploadHandler):
    """Listed after the limit: how many bytes of each file reached Django's own handlers."""

    sizes: ClassVar[list[int]] = []

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        PassedOn.sizes.append(0)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        PassedOn.sizes[-1] += len(raw_data)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


@pytest.fixture
def passed_on(settings) -> list[int]:
    settings.FILE_UPLOAD_HANDLERS = [
        "homeward.cases.uploads.DocumentSizeLimitHandler",
        f"{__name__}.PassedOn",
        "django.core.files.uploadhandler.MemoryFileUploadHandler",
        "django.core.files.uploadhandler.TemporaryFileUploadHandler",
    ]
    PassedOn.sizes = []
    return PassedOn.sizes


@pytest.fixture
def casework(world, personas, settings):
    settings.HOMEWARD_HOLIDAY_COUNTRY = ""
    return set_up_casework(world, personas)


def named(content: bytes, name: str) -> io.BytesIO:
    file = io.BytesIO(content)
    file.name = name
    return file


def test_the_settings_put_the_limit_before_djangos_handlers():
    from django.conf import settings

    assert settings.FILE_UPLOAD_HANDLERS == [
        "homeward.cases.uploads.DocumentSizeLimitHandler",
        "django.core.files.uploadhandler.MemoryFileUploadHandler",
        "django.core.files.uploadhandler.TemporaryFileUploadHandler",
    ]


# --- through the API and the page -------------------------------------------------------------


def test_the_api_refuses_an_upload_over_the_limit_naming_the_field_and_the_limit(
    casework, personas, settings, passed_on
):
    settings.HOMEWARD_DOCUMENT_MAX_BYTES = LIMIT
    application = casework.submitted()
    before = footprint()

    response = upload(api_client(personas.caseworker_aghdam), application, OVERSIZED, "passport.pdf")

    assert response.status_code == 422, response.content
    body = response.json()
    assert (body["field"], body["reason"], body["params"]["max_bytes"]) == ("file", "too_large", LIMIT)
    assert "“passport.pdf” is larger than the limit of 9.77 KB" in body["detail"]
    assert footprint()[:2] == before[:2]
    assert passed_on == [LIMIT + 1]


def test_the_page_refuses_an_upload_over_the_limit_and_saves_nothing(casework, personas, settings, passed_on, as_user):
    settings.HOMEWARD_DOCUMENT_MAX_BYTES = LIMIT
    application = casework.submitted()
    before = footprint()

    response = as_user(personas.caseworker_aghdam).post(
        reverse("cases:upload_document", args=[application.pk]),
        {"document-document_type": "photo", "document-file": named(OVERSIZED, "photo.pdf")},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "File: The file is larger than the limit of 9.8\xa0KB." in html and "Nothing was saved" in html
    assert footprint()[:2] == before[:2]
    assert passed_on == [LIMIT + 1]


def test_a_file_one_byte_over_the_limit_is_refused_not_cut_to_size(casework, personas, settings, passed_on):
    settings.HOMEWARD_DOCUMENT_MAX_BYTES = len(PDF) - 1
    application = casework.submitted()

    response = upload(api_client(personas.caseworker_aghdam), application, PDF, "passport.pdf")

    assert response.status_code == 422, response.content
    assert response.json()["reason"] == "too_large"
    assert not ApplicationDocument.objects.exists()


@pytest.mark.parametrize("limit", [len(PDF), 20 * 1024 * 1024], ids=["exactly the limit", "default limit"])
def test_a_document_within_the_limit_is_filed_whole(casework, personas, settings, passed_on, limit):
    settings.HOMEWARD_DOCUMENT_MAX_BYTES = limit
    application = casework.submitted()

    response = upload(api_client(personas.caseworker_aghdam), application, PDF, "passport.pdf")

    assert response.status_code == 201, response.content
    assert ApplicationDocument.objects.get().path.read_bytes() == PDF
    assert passed_on == [len(PDF)]


# --- the handler, on a parsed request ----------------------------------------------------------


@pytest.mark.parametrize(
    ("memory_size", "kept_as"),
    [(2 * 1024 * 1024, InMemoryUploadedFile), (1024, TemporaryUploadedFile)],
    ids=["in memory", "in a temporary file"],
)
def test_a_casework_upload_keeps_one_byte_past_the_limit_and_the_fields_after_it(
    settings, passed_on, memory_size, kept_as
):
    settings.HOMEWARD_DOCUMENT_MAX_BYTES = LIMIT
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = memory_size
    path = f"/api/cases/applications/{uuid.uuid4()}/documents"
    request = RequestFactory().post(
        path, {"document_type": "passport", "file": named(OVERSIZED, "passport.pdf"), "note": "after the file"}
    )

    kept = request.FILES["file"]

    assert isinstance(kept, kept_as)
    assert (kept.name, kept.size, kept.read()) == ("passport.pdf", LIMIT + 1, OVERSIZED[: LIMIT + 1])
    assert request.POST["note"] == "after the file"
    assert passed_on == [LIMIT + 1]


@pytest.mark.parametrize(
    "path",
    [lambda: reverse("api:import_places"), lambda: reverse("mineaction:import")],
    ids=["places import API", "mine action import page"],
)
def test_other_uploads_pass_untouched(settings, passed_on, path):
    settings.HOMEWARD_DOCUMENT_MAX_BYTES = LIMIT
    content = bytes(range(256)) * 1200

    request = RequestFactory().post(path(), {"file": named(content, "hazards.geojson")})

    assert request.FILES["file"].read() == content
    assert passed_on == [len(content)]
