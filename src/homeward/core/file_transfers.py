"""Files through the web: an export written to a temporary file and sent, an upload imported.

Shared by the API and the pages of every domain that imports or exports files.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse

from homeward.core.imports import ImportReport
from homeward.core.uploads import stored_upload
from homeward.interchange import ExportFormat, export_content_type, export_extension


def export_response(write: Callable[[Path], object], stem: str, fmt: ExportFormat) -> FileResponse:
    """Run ``write(path)`` into a private temporary directory and answer with the file as a download."""
    return file_response(write, f"{stem}{export_extension(fmt)}", export_content_type(fmt))


def file_response(write: Callable[[Path], object], filename: str, content_type: str) -> FileResponse:
    """``write(path)`` into a private temporary directory, then the file as a download.

    Whatever ``write`` raises propagates, and the directory is removed in every case: the open
    handle keeps the file readable while it is sent.
    """
    directory = Path(tempfile.mkdtemp(prefix="homeward-export-"))
    try:
        path = directory / filename
        write(path)
        handle = path.open("rb")
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)


def import_upload(upload: UploadedFile, run: Callable[..., ImportReport], **options: object) -> ImportReport:
    """Stream ``upload`` to disk and call ``run(path, file_name=..., **options)``.

    Raises ``UploadTooLarge`` and ``ImportFileError`` for the caller to answer in its own terms.
    Empty options ("" from a form) are passed as None.
    """
    cleaned = {key: (value if value != "" else None) for key, value in options.items()}
    with stored_upload(upload) as path:
        return run(path, file_name=upload.name, **cleaned)
