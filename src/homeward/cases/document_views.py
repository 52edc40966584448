"""Downloads of casework files for signed-in staff: a filed document, a decision letter.

Both are sent as attachments, never shown inline, with the browser told not to guess the type and not
to keep a copy; outside the user's scope the answer is 404, as for the application itself. Each
download is audited (see :func:`homeward.cases.selectors.open_document` and
:func:`homeward.cases.letters.decision_letter_file`).
"""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.views.decorators.http import require_GET

from homeward.cases import letters, selectors
from homeward.cases.models import ApplicationDocument

__all__ = ["decision_letter_view", "document_download", "download_name", "private_download_headers"]


def private_download_headers(response: HttpResponse | StreamingHttpResponse) -> None:
    """Headers for a file holding personal data: no type sniffing, no caching, no active content."""
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"


def download_name(document: ApplicationDocument) -> str:
    """The name a document is downloaded as: the application's reference, its type and its real
    extension (never the uploader's name, which may say anything)."""
    return f"{document.application.reference}-{document.document_type}{document.extension}"


@login_required
@require_GET
def document_download(request: HttpRequest, document_id: uuid.UUID) -> StreamingHttpResponse:
    """Stream a document of an application in the user's scope (404 otherwise); audited."""
    document, handle = selectors.open_document(request.user, document_id, purpose="download a document")
    response = FileResponse(
        handle, as_attachment=True, filename=download_name(document), content_type=document.media_type
    )
    private_download_headers(response)
    return response


@login_required
@require_GET
def decision_letter_view(request: HttpRequest, application_id: uuid.UUID) -> HttpResponse:
    """The decision letter of an application in the user's scope as a PDF attachment named after its
    reference (404 outside the scope; 409 while there is no decision to write about)."""
    try:
        letter = letters.decision_letter_file(request.user, application_id)
    except letters.LetterNotAvailable as refused:
        return HttpResponse(refused.message, status=409, content_type="text/plain; charset=utf-8")
    response = HttpResponse(letter.content, content_type=letter.media_type)
    response["Content-Disposition"] = f'attachment; filename="{letter.filename}"'
    private_download_headers(response)
    return response
