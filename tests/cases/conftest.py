"""Casework test settings: each test keeps its documents in its own directory, and checks documents in
process (the isolated checker, the production default, costs a child process per upload; it has tests
of its own in test_document_checks.py and test_documents.py)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _casework_documents(settings, tmp_path):
    settings.HOMEWARD_DOCUMENTS_DIR = tmp_path / "documents"
    settings.HOMEWARD_DOCUMENT_CHECKS_ISOLATED = False
