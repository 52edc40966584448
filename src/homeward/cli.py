"""The ``homeward`` command: demo, serve, worker, migrate, createadmin, check, audit, keys, documents,
messages, import, export, places and readiness (the last four in ``cli_files``).

Failures a user can fix (a missing or wrong setting, an unreachable database, a port in use)
print one line naming the problem and exit non-zero; they never print a traceback.
"""

from __future__ import annotations

import errno
import os
import socket
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import click

from homeward import __version__

EXIT_CONFIGURATION = 2
EXIT_DATABASE = 3
EXIT_PORT = 4
EXIT_CHECK = 5


def fail(message: str, code: int) -> NoReturn:
    click.echo(f"homeward: error: {message}", err=True)
    sys.exit(code)


def setup_django() -> None:
    """Load settings and apps, turning configuration problems into one-line errors."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homeward.settings")
    from django.core.exceptions import ImproperlyConfigured

    from homeward.core.environment import ConfigurationError

    try:
        import django

        django.setup()
    except (ConfigurationError, ImproperlyConfigured) as error:
        fail(str(error), EXIT_CONFIGURATION)


def describe_database() -> str:
    from django.conf import settings

    config = settings.DATABASES["default"]
    if str(config["ENGINE"]).endswith("sqlite3"):
        return f"SQLite file {config['NAME']}"
    return (
        f"PostgreSQL database {config.get('NAME')} on {config.get('HOST') or 'localhost'}:{config.get('PORT') or 5432}"
    )


def require_database() -> None:
    """Connect once (creating the SQLite data directory first) or exit with one clear line."""
    from django.conf import settings
    from django.db import OperationalError, connection

    config = settings.DATABASES["default"]
    if str(config["ENGINE"]).endswith("sqlite3"):
        try:
            os.makedirs(os.path.dirname(str(config["NAME"])) or ".", exist_ok=True)
        except OSError as error:
            fail(f"cannot create the data directory for {config['NAME']}: {error.strerror}", EXIT_DATABASE)
    try:
        connection.ensure_connection()
    except OperationalError as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        fail(f"cannot reach the {describe_database()}: {reason}", EXIT_DATABASE)


def require_free_port(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                fail(f"port {port} on {host} is already in use; choose another with --port", EXIT_PORT)
            fail(f"cannot listen on {host}:{port}: {error.strerror}", EXIT_PORT)


@contextmanager
def cli_context(actor: Any = None) -> Iterator[None]:
    from homeward.core.context import acting_as

    with acting_as(actor, origin="cli"):
        yield


def run_migrations(verbosity: int = 0) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)


def progress_printer() -> tuple[Callable[[str, int, int], None], Callable[[], None]]:
    """A ``progress(label, done, total)`` callback drawing one progress bar per step."""
    state: dict[str, Any] = {"label": None, "bar": None, "done": 0}

    def close() -> None:
        if state["bar"] is not None:
            state["bar"].render_finish()
            state["bar"] = None

    def progress(label: str, done: int, total: int) -> None:
        if label != state["label"]:
            close()
            state.update(label=label, done=0, bar=click.progressbar(length=max(total, 1), label=label.ljust(28)))
            state["bar"].render_progress()
        bar = state["bar"]
        bar.update(max(done - state["done"], 0))
        state["done"] = done

    return progress, close


def wsgi_serve(host: str, port: int, workers: int, threads: int, timeout: int = 60) -> None:
    from django.conf import settings
    from gunicorn.app.base import BaseApplication

    # whitenoise also serves files collected here by `collectstatic`; it warns if the folder is missing.
    os.makedirs(settings.STATIC_ROOT, exist_ok=True)

    from django.urls import get_resolver

    from homeward.wsgi import application

    # Import every page's and API's module here, before gunicorn forks the workers: each would
    # otherwise spend about 2 s of CPU on it at its first request, every time it is started.
    get_resolver().url_patterns  # noqa: B018 - the property imports the URL configuration
    # Fork without a database connection (checking the database opened one). A worker with one thread
    # serves in its main thread, whose connection it inherits from the master: every worker would
    # share the master's socket, their statements would interleave on it, and requests would fail
    # ("server closed the connection unexpectedly"), as bench.casework showed with --threads 1.
    from django.db import connections

    connections.close_all()

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", f"[{host}]:{port}" if ":" in host else f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("timeout", timeout)
            self.cfg.set("accesslog", "-")
            if "control_socket_disable" in self.cfg.settings:
                # Nothing uses gunicorn's control socket; it would write under the user's home.
                self.cfg.set("control_socket_disable", True)
            # Heartbeat files on a RAM disk: a slow laptop disk must not make gunicorn kill workers.
            self.cfg.set("worker_tmp_dir", "/dev/shm" if os.path.isdir("/dev/shm") else None)  # noqa: S108

        def load(self) -> Any:
            return application

    Server().run()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="homeward")
def main() -> None:
    """Homeward: an information system for post-conflict recovery."""


@main.command()
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to serve on.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to serve on.")
@click.option(
    "--scale",
    type=click.Choice(["small", "district", "national"]),
    default="small",
    show_default=True,
    help="How much synthetic data to load.",
)
@click.option("--no-serve", is_flag=True, help="Load the demo and print the logins, then exit.")
def demo(port: int, host: str, scale: str, no_serve: bool) -> None:
    """Migrate, load demo data (idempotent), create one user per role, print logins, and serve."""
    setup_django()
    if not no_serve:
        require_free_port(host, port)
    require_database()
    from homeward.demo import ensure_demo_users, load_demo

    click.echo("Preparing the database …")
    run_migrations()
    progress, close = progress_printer()
    with cli_context():
        summary = load_demo(scale, progress=progress)
        close()
        logins = ensure_demo_users()
    click.echo(f"Demo data ({scale}): {summary}")
    click.echo("")
    click.echo("Demo logins (synthetic data only; do not use in production):")
    width = max(len(login.username) for login in logins)
    for login in logins:
        click.echo(f"  {login.username.ljust(width)}  password: {login.password}   {login.label}")
    click.echo("")
    if no_serve:
        return
    click.echo(f"Homeward is at http://{host}:{port}/  (Ctrl+C stops it)")
    wsgi_serve(host, port, workers=1, threads=8)


@main.command()
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--workers", default=3, show_default=True, type=click.IntRange(1, 64), help="Worker processes.")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64), help="Threads per worker.")
@click.option("--migrate/--no-migrate", default=False, help="Apply migrations before serving.")
def serve(port: int, host: str, workers: int, threads: int, migrate: bool) -> None:
    """Serve Homeward with gunicorn; static files come from whitenoise."""
    setup_django()
    require_free_port(host, port)
    require_database()
    if migrate:
        run_migrations()
    wsgi_serve(host, port, workers=workers, threads=threads)


@main.command()
def worker() -> None:
    """Run background tasks from the database queue (for PostgreSQL deployments)."""
    setup_django()
    require_database()
    from django.core.management import call_command

    call_command("db_worker")


@main.command()
@click.option("-v", "--verbose", is_flag=True, help="List each migration applied.")
def migrate(verbose: bool) -> None:
    """Create or update the database tables."""
    setup_django()
    require_database()
    run_migrations(verbosity=1 if verbose else 0)
    click.echo(f"Database is up to date ({describe_database()}).")


@main.command()
@click.option("--username", prompt=True, help="User name of the new administrator.")
@click.option("--email", default="", help="E-mail address (for password reset).")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True, help="Password.")
def createadmin(username: str, email: str, password: str) -> None:
    """Create an administrator account."""
    setup_django()
    require_database()
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from homeward.accounts.services import AccountError, create_user
    from homeward.core.roles import Role

    try:
        validate_password(password)
    except ValidationError as error:
        fail("password: " + " ".join(error.messages), EXIT_CONFIGURATION)
    try:
        with cli_context():
            create_user(
                username=username,
                password=password,
                role=Role.ADMINISTRATOR,
                email=email,
                all_districts=True,
                superuser=True,
            )
    except AccountError as error:
        fail(str(error), EXIT_CONFIGURATION)
    click.echo(f"Administrator {username} created.")


@main.command()
@click.option("--deploy", is_flag=True, help="Also run Django's deployment checks.")
def check(deploy: bool) -> None:
    """Check configuration, database connection, migrations and the audit chain head."""
    setup_django()
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    try:
        call_command("check", deploy=deploy, fail_level="ERROR")
    except SystemCheckError as error:
        fail(str(error).strip().splitlines()[0], EXIT_CHECK)
    require_database()
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        fail(f"{len(pending)} migrations are not applied; run `homeward migrate`", EXIT_CHECK)
    click.echo(f"OK: configuration valid, {describe_database()} reachable, migrations applied.")


@main.group()
def audit() -> None:
    """Work with the audit log."""


@audit.command("verify")
def audit_verify() -> None:
    """Recompute the audit hash chain; report OK or the first entry whose chain breaks."""
    setup_django()
    require_database()
    from homeward.core.audit import verify_chain

    report = verify_chain()
    click.echo(str(report))
    if not report.ok:
        sys.exit(1)


@main.group()
def keys() -> None:
    """Create encryption keys and re-encrypt stored identifiers with the current ones."""


@keys.command("generate")
@click.option("--lookup", is_flag=True, help="Print a key for HOMEWARD_LOOKUP_KEY instead.")
def keys_generate(lookup: bool) -> None:
    """Print a new random key for HOMEWARD_ENCRYPTION_KEYS (or, with --lookup, HOMEWARD_LOOKUP_KEY)."""
    if lookup:
        import secrets

        click.echo(secrets.token_urlsafe(48))
        return
    from cryptography.fernet import Fernet

    click.echo(Fernet.generate_key().decode("ascii"))


@keys.command("rotate")
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(1, 100_000), help="Rows per batch.")
def keys_rotate(batch_size: int) -> None:
    """Re-encrypt every encrypted value with the first of HOMEWARD_ENCRYPTION_KEYS and recompute
    every lookup hash with HOMEWARD_LOOKUP_KEY, in one transaction."""
    setup_django()
    require_database()
    from homeward.core.crypto import DecryptionError, rotate_keys

    try:
        with cli_context():
            counts = rotate_keys(batch_size=batch_size)
    except DecryptionError as error:
        fail(f"{error}; nothing was changed", EXIT_CONFIGURATION)
    for label, rows in sorted(counts.items()):
        click.echo(f"{label}: {rows} re-encrypted")
    click.echo(f"{sum(counts.values())} rows re-encrypted in {len(counts)} models.")


@main.group()
def documents() -> None:
    """Look after the documents filed with applications."""


@documents.command("sweep")
@click.option(
    "--older-than",
    "older_than_minutes",
    default=60,
    show_default=True,
    type=click.IntRange(min=1),
    metavar="MINUTES",
    help="Leave files younger than this: their upload may still be committing.",
)
def documents_sweep(older_than_minutes: int) -> None:
    """Remove stored document files that no document record names (left when a transaction rolled
    back after the file was written); print how many, and their names under the documents directory."""
    setup_django()
    require_database()
    import datetime as dt

    from django.core.exceptions import ImproperlyConfigured

    from homeward.cases.documents import sweep_orphaned_files
    from homeward.cases.models import documents_root

    try:
        root = documents_root()
        with cli_context():
            removed = sweep_orphaned_files(older_than=dt.timedelta(minutes=older_than_minutes))
    except ImproperlyConfigured as error:
        fail(str(error), EXIT_CONFIGURATION)
    except OSError as error:
        fail(f"cannot sweep the documents directory: {error}", 1)
    for path in removed:
        click.echo(path.relative_to(root).as_posix())
    click.echo(f"{len(removed)} orphaned document file{'' if len(removed) == 1 else 's'} removed from {root}.")


@main.group()
def messages() -> None:
    """Maintain the interface translations (no GNU gettext needed)."""


@messages.command("extract")
def messages_extract() -> None:
    """Update the az, hy, ru and en .po files from the code and templates."""
    setup_django()
    from homeward.core.catalogues import update_po_files

    for language, missing in update_po_files().items():
        click.echo(f"{language}: {missing} untranslated")


@messages.command("compile")
def messages_compile() -> None:
    """Compile .po files into the .mo files Django reads."""
    from homeward.core.catalogues import compile_catalogues

    written = compile_catalogues()
    click.echo(f"{len(written)} catalogues compiled.")


if __name__ == "__main__":
    main()


def _register_file_commands() -> None:
    from homeward.cli_files import export_command, import_command, places_group, readiness_group

    main.add_command(import_command)
    main.add_command(export_command)
    main.add_command(places_group)
    main.add_command(readiness_group)


_register_file_commands()
