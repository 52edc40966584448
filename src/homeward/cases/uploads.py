"""Documents cut off at the size limit while they stream in, not after Django has stored them whole.

Django reads every file of a multipart request before the view runs: into memory, or into a temporary
file above ``FILE_UPLOAD_MAX_MEMORY_SIZE``. :class:`DocumentSizeLimitHandler` comes first among
``FILE_UPLOAD_HANDLERS``; on the casework pages and API it passes on the first
``max_document_bytes() + 1`` bytes of each file and drops the rest, so a 2 GB upload costs at most
limit + 1 bytes of memory or disk. The view then gets a file one byte over the limit, and
:func:`homeward.cases.documents.attach_document` refuses it as it refuses any file over the limit:
``DocumentRefused`` with reason ``too_large``, field ``file`` and ``max_bytes``, leaving no record and no
file. Pages and API need no change of their own.

Why the file is kept short rather than dropped with one of Django's upload exceptions:

* ``StopUpload(connection_reset=True)`` stops reading the body, so the client gets a broken connection
  instead of an answer;
* ``StopUpload(connection_reset=False)`` reads the body anyway, drops every field after the file and
  closes the files the other handlers were writing, so the view sees a form with parts missing;
* ``SkipFile`` reads the rest of that file anyway, and the view sees no file at all: "this field is
  required", which is wrong.

Whatever is done, the rest of the body is still read (and thrown away) so that the answer reaches the
client. For the same reason the declared ``Content-Length`` is not used to refuse early: no upload
handler can answer a request, so refusing before reading could only reset the connection. Bodies far
over the largest limit are best refused with a 413 by the proxy in front (nginx
``client_max_body_size``), before they are sent.

Other uploads (imports of places and mine action data, up to ``HOMEWARD_IMPORT_MAX_BYTES``) pass
untouched: their own size check reads ``UploadedFile.size``, and its message would name the size of the
kept part instead of the file's.
"""

from __future__ import annotations

import logging

from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from homeward.cases.documents import max_document_bytes

__all__ = ["DocumentSizeLimitHandler", "takes_documents"]

logger = logging.getLogger(__name__)

# The casework pages, and the casework routes of the API (all of which start with "cases/").
_PAGES = "cases:queue"
_API_ROOT = "api:api-root"
_API_CASEWORK = "cases/"


def _casework_prefixes() -> list[str]:
    prefixes = []
    for name, suffix in ((_PAGES, ""), (_API_ROOT, _API_CASEWORK)):
        try:
            prefixes.append(reverse(name) + suffix)
        except NoReverseMatch:
            continue
    return prefixes


def takes_documents(request: HttpRequest | None) -> bool:
    """Whether ``request`` goes to the casework pages or API, whose only uploads are documents."""
    if request is None:
        return False
    return any(request.path.startswith(prefix) for prefix in _casework_prefixes())


class DocumentSizeLimitHandler(FileUploadHandler):
    """Pass on at most ``max_document_bytes() + 1`` bytes of each file uploaded to casework; list it
    before Django's own handlers in ``FILE_UPLOAD_HANDLERS``."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        # None: not a casework request, every byte is passed on.
        self.limit: int | None = max_document_bytes() if takes_documents(request) else None

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        # ``start`` is how much of this file came before this chunk.
        if self.limit is None:
            return raw_data
        keep = self.limit + 1 - start
        if keep >= len(raw_data):
            return raw_data
        if keep > 0:
            logger.info(
                "Upload to %s: field %s is over the document limit of %d bytes; the rest is dropped",
                self.request.path if self.request else "?",
                self.field_name,
                self.limit,
            )
            return raw_data[:keep]
        # Returning None keeps the chunk from the handlers after this one.
        return None

    def file_complete(self, file_size: int) -> None:
        # The next handler (memory or temporary file) returns the file, with what was passed on.
        return None
