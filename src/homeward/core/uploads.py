"""Uploaded files on their way to an import: streamed to a private temporary file, size-checked."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _


class UploadTooLarge(Exception):
    pass


def _suffix(name: str) -> str:
    lowered = name.lower()
    for suffix in (".shp.zip", ".geojson", ".json", ".gpkg", ".zip", ".csv", ".xlsx", ".txt"):
        if lowered.endswith(suffix):
            return suffix
    return ""


@contextmanager
def stored_upload(upload: UploadedFile) -> Iterator[Path]:
    """The upload as a file on disk (outside the web root), deleted afterwards.

    Chunks are copied as they arrive, so a 200 MB file never sits in memory.
    """
    limit = settings.HOMEWARD_IMPORT_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise UploadTooLarge(
            _("The file is %(size)d MB; the limit is %(limit)d MB.")
            % {"size": upload.size // (1024 * 1024), "limit": limit // (1024 * 1024)}
        )
    with tempfile.TemporaryDirectory(prefix="homeward-upload-") as directory:
        path = Path(directory) / ("upload" + _suffix(upload.name or ""))
        with path.open("wb") as target:
            for chunk in upload.chunks():
                target.write(chunk)
        yield path
