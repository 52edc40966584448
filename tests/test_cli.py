"""The `homeward` command, run as a user would run it: in a subprocess, against its own data dir."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

SUBCOMMANDS = [
    [],
    ["demo"],
    ["serve"],
    ["worker"],
    ["migrate"],
    ["createadmin"],
    ["check"],
    ["audit"],
    ["audit", "verify"],
    ["messages"],
    ["messages", "extract"],
    ["messages", "compile"],
    ["keys"],
    ["keys", "rotate"],
    ["keys", "generate"],
]


def homeward(*args: str, data_dir: Path, extra_env: dict[str, str] | None = None, timeout: int = 120):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("HOMEWARD_", "DJANGO_"))}
    env.update({"HOMEWARD_DATA_DIR": str(data_dir), **(extra_env or {})})
    return subprocess.run(
        [sys.executable, "-m", "homeward.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def assert_one_line_error(result, *, code: int, mentions: str) -> None:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("homeward: error:")
    assert mentions in lines[0]


@pytest.mark.parametrize("words", SUBCOMMANDS, ids=lambda words: " ".join(words) or "homeward")
def test_every_subcommand_has_help(words):
    from click.testing import CliRunner

    from homeward.cli import main

    result = CliRunner().invoke(main, [*words, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_the_installed_command_runs(tmp_path):
    result = homeward("--version", data_dir=tmp_path)
    assert result.returncode == 0
    assert "homeward" in result.stdout


def test_unreachable_database_is_one_clear_line(tmp_path):
    result = homeward(
        "migrate", data_dir=tmp_path, extra_env={"HOMEWARD_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}
    )
    assert_one_line_error(result, code=3, mentions="cannot reach the PostgreSQL database none on 127.0.0.1:1")


def test_wrong_database_url_is_one_clear_line(tmp_path):
    result = homeward("check", data_dir=tmp_path, extra_env={"HOMEWARD_DATABASE_URL": "oracle://x/y"})
    assert_one_line_error(result, code=2, mentions="HOMEWARD_DATABASE_URL")


def test_unsafe_production_settings_are_one_clear_line(tmp_path):
    result = homeward("serve", data_dir=tmp_path, extra_env={"HOMEWARD_ENV": "production"})
    assert_one_line_error(result, code=2, mentions="refusing to start in production")


def test_port_in_use_is_one_clear_line(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = homeward("serve", "--port", str(port), data_dir=tmp_path)
    assert_one_line_error(result, code=4, mentions=f"port {port} on 127.0.0.1 is already in use")


def test_check_reports_pending_migrations_then_ok(tmp_path):
    assert_one_line_error(homeward("check", data_dir=tmp_path), code=5, mentions="not applied")
    assert homeward("migrate", data_dir=tmp_path).returncode == 0
    result = homeward("check", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "OK" in result.stdout


def test_audit_verify_reports_ok_then_names_the_edited_entry(tmp_path):
    assert homeward("migrate", data_dir=tmp_path).returncode == 0
    created = homeward("createadmin", "--username", "root", "--password", "a long enough passphrase", data_dir=tmp_path)
    assert created.returncode == 0, created.stderr
    ok = homeward("audit", "verify", data_dir=tmp_path)
    assert ok.returncode == 0
    assert ok.stdout.startswith("OK:")

    with sqlite3.connect(tmp_path / "homeward.sqlite3") as db:
        db.execute("UPDATE core_auditentry SET object_label = 'forged' WHERE sequence = 1")
        (chain,) = db.execute("SELECT chain FROM core_auditentry WHERE sequence = 1").fetchone()
    broken = homeward("audit", "verify", data_dir=tmp_path)
    assert broken.returncode == 1
    assert f"BROKEN in chain {chain} at entry #1" in broken.stdout


def test_createadmin_refuses_a_weak_password_and_writes_nothing(tmp_path):
    assert homeward("migrate", data_dir=tmp_path).returncode == 0
    result = homeward("createadmin", "--username", "root", "--password", "123", data_dir=tmp_path)
    assert_one_line_error(result, code=2, mentions="password")
    with sqlite3.connect(tmp_path / "homeward.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM accounts_user").fetchone()[0] == 0


def test_demo_twice_creates_nothing_new_and_prints_a_login_per_role(tmp_path):
    first = homeward("demo", "--no-serve", data_dir=tmp_path, timeout=300)
    assert first.returncode == 0, first.stderr
    with sqlite3.connect(tmp_path / "homeward.sqlite3") as db:
        counts = [
            db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in ("places_place", "places_placename", "registry_person", "registry_household", "accounts_user")
        ]
    second = homeward("demo", "--no-serve", data_dir=tmp_path, timeout=300)
    assert second.returncode == 0, second.stderr
    with sqlite3.connect(tmp_path / "homeward.sqlite3") as db:
        again = [
            db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in ("places_place", "places_placename", "registry_person", "registry_household", "accounts_user")
        ]
    assert again == counts
    for username in (
        "admin",
        "analyst",
        "planner",
        "coordinator",
        "caseworker",
        "supervisor",
        "partner",
        "auditor",
        "resident",
    ):
        assert f"  {username}" in second.stdout
    assert homeward("audit", "verify", data_dir=tmp_path).returncode == 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_serve_answers_health_checks_and_serves_static_files_itself(tmp_path):
    import time
    import urllib.request

    assert homeward("migrate", data_dir=tmp_path).returncode == 0
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("HOMEWARD_", "DJANGO_"))}
    env["HOMEWARD_DATA_DIR"] = str(tmp_path)
    server = subprocess.Popen(
        [sys.executable, "-m", "homeward.cli", "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    assert response.status == 200
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.3)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/homeward/homeward.css", timeout=5) as css:
            assert css.status == 200
            assert b"--accent" in css.read()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5) as login:
            assert b'name="username"' in login.read()
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.mark.django_db(transaction=True)
def test_serve_forks_its_workers_without_a_database_connection(monkeypatch):
    from django.db import connection, connections
    from gunicorn.app.base import BaseApplication

    from homeward import cli

    def shared(handler: Any) -> bool:  # an in-memory SQLite test database stays open by design
        return handler.connection is not None and not (handler.vendor == "sqlite" and handler.is_in_memory_db())

    open_at_fork: list[str] = []
    monkeypatch.setattr(
        BaseApplication, "run", lambda self: open_at_fork.extend(c.alias for c in connections.all() if shared(c))
    )
    connection.ensure_connection()  # as `homeward serve` does when it checks the database

    cli.wsgi_serve("127.0.0.1", _free_port(), workers=2, threads=1)

    assert open_at_fork == []
