"""``homeward import``, ``export``, ``places search`` and ``readiness recompute``: data in, out and derived."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from homeward.cli import cli_context, fail, require_database, setup_django

EXIT_INPUT = 6
IMPORT_KINDS = ("hazards", "releases", "incidents", "places")
EXPORT_KINDS = (
    "hazards",
    "releases",
    "incidents",
    "mdr-areas",
    "mdr-summary",
    "places",
    "projects-3w",
    "projects-iati",
    "readiness",
)
FORMATS = ("geojson", "gpkg", "shp", "csv", "hxl-csv", "xlsx", "xml")


def _user(username: str | None) -> Any:
    from homeward.accounts.models import User

    if not username:
        fail("give --user USERNAME: imports and exports are recorded under a user's name and scope", EXIT_INPUT)
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        fail(f"no active user named {username!r}", EXIT_INPUT)
    return user


def _print_report(report: Any, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        return
    mode = (
        "dry run: nothing was written" if report.dry_run else ("written" if report.committed else "nothing was written")
    )
    click.echo(
        f"{report.kind} from {report.file_name} ({report.file_format}, CRS {report.crs or 'none'}"
        f"{' assumed' if report.crs_assumed else ''}{', ' + report.encoding if report.encoding else ''})"
    )
    click.echo(
        f"  read {report.read}: {report.created} to create, {report.updated} to update, "
        f"{report.unchanged} unchanged, {report.rejected_count} rejected; {mode}"
    )
    for repair in report.repairs[:20]:
        click.echo(f"  repaired feature {repair.feature}: {repair.reason}")
    if len(report.repairs) > 20:
        click.echo(f"  ... and {len(report.repairs) - 20} more repairs")
    for rejection in report.rejected:
        label = f" ({rejection.external_id})" if rejection.external_id else ""
        click.echo(f"  rejected feature {rejection.feature}{label}: {rejection.field}: {rejection.reason}")
    if report.rejected_count > len(report.rejected):
        click.echo(f"  ... and {report.rejected_count - len(report.rejected)} more rejected features")
    if report.refused:
        click.echo("  refused: fix the rejected features, or import the others with --skip-invalid")


@click.command("import")
@click.argument("kind", type=click.Choice(IMPORT_KINDS))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--user", "username", help="Who imports (their name goes in the audit log).")
@click.option("--dry-run", is_flag=True, help="Validate and report what would change; write nothing.")
@click.option("--skip-invalid", is_flag=True, help="Import the valid features and list the rejected ones.")
@click.option("--crs", default=None, help="Coordinate reference system if the file declares none, e.g. EPSG:32638.")
@click.option("--encoding", default=None, help="Text encoding of a CSV (detected if not given), e.g. cp1251.")
@click.option("--layer", default=None, help="Layer of a GeoPackage, shapefile in a zip, or sheet of a workbook.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def import_command(
    kind: str,
    file: Path,
    username: str | None,
    dry_run: bool,
    skip_invalid: bool,
    crs: str | None,
    encoding: str | None,
    layer: str | None,
    as_json: bool,
) -> None:
    """Import KIND (hazards, releases, incidents, places) from FILE: GeoJSON, GeoPackage, zipped Shapefile, CSV, XLSX."""
    setup_django()
    require_database()
    from homeward.core.imports import ImportFileError
    from homeward.core.permissions import Action, may
    from homeward.mineaction import importing as mine_action_import
    from homeward.mineaction.models import HazardousArea
    from homeward.places import importing as places_import
    from homeward.places.models import Place

    user = _user(username)
    if not may(user, Action.CREATE, Place if kind == "places" else HazardousArea):
        fail(f"{user.username} may not import {kind}", EXIT_INPUT)
    options = {"dry_run": dry_run, "skip_invalid": skip_invalid, "crs": crs, "encoding": encoding, "layer": layer}
    try:
        with cli_context(user):
            if kind == "places":
                report = places_import.import_file(file, **options)
            else:
                report = mine_action_import.import_file(kind, file, **options)
    except ImportFileError as error:
        fail(f"{file.name}: {error}", EXIT_INPUT)
    _print_report(report, as_json)
    if report.refused:
        raise SystemExit(EXIT_INPUT)


@click.command("export")
@click.argument("kind", type=click.Choice(EXPORT_KINDS))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="geojson", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="File to write.")
@click.option("--user", "username", help="Whose view of the data to export (recorded in the audit log).")
def export_command(kind: str, fmt: str, output: Path, username: str | None) -> None:
    """Export KIND to a file: records, the GICHD Minimum Data Requirements tables, or the gazetteer."""
    setup_django()
    require_database()
    from django.core.exceptions import PermissionDenied

    from homeward.interchange import ExportFormat
    from homeward.mineaction import exporting as mine_action_export
    from homeward.places import exporting as places_export
    from homeward.recovery import exporting as recovery_export
    from homeward.returns import exporting as readiness_export

    user = _user(username)
    export_format = {"shp": ExportFormat.SHAPEFILE_ZIP.value, "hxl-csv": ExportFormat.CSV_HXL.value}.get(fmt, fmt)
    if kind == "projects-iati":
        export_format = "xml"
    try:
        with cli_context(user):
            if kind == "places":
                count = places_export.export(export_format, output, user=user)
            elif kind.startswith("projects-"):
                count = recovery_export.export(kind, export_format, output, user=user)
            elif kind == "readiness":
                count = readiness_export.export(kind, export_format, output, user=user)
            else:
                count = mine_action_export.export(kind, export_format, output, user=user)
    except PermissionDenied:
        fail(f"{user.username} may not export {kind}", EXIT_INPUT)
    except (mine_action_export.ExportError, recovery_export.ExportError, readiness_export.ExportError) as error:
        fail(str(error), EXIT_INPUT)
    click.echo(f"wrote {count} rows to {output}")


@click.group("places")
def places_group() -> None:
    """The gazetteer."""


@places_group.command("search")
@click.argument("text")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 50))
def places_search(text: str, limit: int) -> None:
    """Find places by any of their names, in any script, tolerating typing errors."""
    setup_django()
    require_database()
    from homeward.places.search import place_index
    from homeward.places.selectors import places_by_ids

    hits = place_index().search(text, limit=limit)
    if not hits:
        click.echo(f"no place matches {text!r}")
        raise SystemExit(1)
    places = places_by_ids([hit.place_id for hit in hits])
    for hit in hits:
        place = places[hit.place_id]
        click.echo(
            f"{hit.score:5.1f}  {place.code:<16} {place.level:<12} {place.name}"
            f"  (matched {hit.text!r}, {hit.language}/{hit.script}, {hit.kind}, {hit.how})"
        )


@click.group("readiness")
def readiness_group() -> None:
    """Settlement readiness."""


@readiness_group.command("recompute")
@click.option("--settlement", "codes", multiple=True, help="Only these settlements (codes); default all.")
def readiness_recompute(codes: tuple[str, ...]) -> None:
    """Recompute readiness now (normally background tasks do it) and store changed answers."""
    setup_django()
    require_database()
    from homeward.places.selectors import settlement_by_code
    from homeward.returns import readiness

    ids = None
    if codes:
        found = {code: settlement_by_code(code) for code in codes}
        missing = [code for code, place in found.items() if place is None]
        if missing:
            fail(f"no settlement has the code {', '.join(missing)}", EXIT_INPUT)
        ids = [place.pk for place in found.values() if place is not None]
    stored = readiness.recompute(ids)
    click.echo(f"stored {stored} new readiness snapshots (answers whose inputs did not change keep theirs)")
