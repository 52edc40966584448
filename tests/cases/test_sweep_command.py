"""`homeward documents sweep`: removes stored document files no record names, once they are old enough
that their upload cannot still be committing, and says which."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from django.conf import settings

from homeward.cases import documents
from homeward.cli import main
from homeward.core import context
from tests.cases.test_documents import PDF, attach, stored_files
from tests.cases.test_services import set_up_casework

pytestmark = pytest.mark.django_db

HOUR = 60 * 60


@pytest.fixture
def casework(world, personas, settings):
    settings.HOMEWARD_HOLIDAY_COUNTRY = ""
    return set_up_casework(world, personas)


def stray_file(name: str, *, age_seconds: int) -> Path:
    """A file in the documents directory as a rolled-back upload leaves it, written ``age_seconds`` ago."""
    path = Path(settings.HOMEWARD_DOCUMENTS_DIR) / name[:2] / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(PDF)
    written = time.time() - age_seconds
    os.utime(path, (written, written))
    return path


def sweep(*args: str):
    return CliRunner().invoke(main, ["documents", "sweep", *args])


@pytest.mark.parametrize("words", [["documents"], ["documents", "sweep"]])
def test_the_documents_commands_have_help(words):
    result = CliRunner().invoke(main, [*words, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_sweep_removes_old_orphans_and_keeps_filed_and_recent_files(casework, personas):
    filed = attach(casework.submitted(), personas.caseworker_aghdam, PDF)
    os.utime(filed.path, (time.time() - 2 * HOUR, time.time() - 2 * HOUR))
    orphan = stray_file("ab12cd34ef.pdf", age_seconds=2 * HOUR)
    recent = stray_file("cd56ef78ab.pdf", age_seconds=60)

    result = sweep()

    root = Path(settings.HOMEWARD_DOCUMENTS_DIR).resolve()
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["ab/ab12cd34ef.pdf", f"1 orphaned document file removed from {root}."]
    assert not orphan.exists()
    assert sorted(stored_files()) == sorted([filed.path, recent])


def test_sweep_runs_as_the_command_line(casework, monkeypatch):
    origins = []
    monkeypatch.setattr(documents, "sweep_orphaned_files", lambda **_: origins.append(context.current().origin) or [])

    assert sweep().exit_code == 0
    assert origins == ["cli"]


def test_older_than_sets_how_old_an_orphan_must_be(casework):
    orphan = stray_file("ef90ab12cd.png", age_seconds=30 * 60)

    kept = sweep()
    removed = sweep("--older-than", "10")

    assert kept.stdout.startswith("0 orphaned document files removed")
    assert removed.exit_code == 0 and "ef/ef90ab12cd.png" in removed.stdout
    assert not orphan.exists()


def test_sweep_without_a_documents_directory_removes_nothing(casework):
    assert not Path(settings.HOMEWARD_DOCUMENTS_DIR).exists()

    result = sweep()

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("0 orphaned document files removed")


def test_an_age_below_one_minute_is_refused_naming_the_option(casework):
    orphan = stray_file("0a1b2c3d4e.pdf", age_seconds=2 * HOUR)

    result = sweep("--older-than", "0")

    assert result.exit_code == 2
    assert "--older-than" in result.output and "x>=1" in result.output
    assert orphan.exists()
