"""The one import loop every domain shares: read, reproject, validate, map rows, write, report.

A domain app supplies an :class:`Importer` (how a row becomes a record, and how a batch of
records is written through its services); this module guarantees the rest of the contract:
the file is streamed in batches, every feature's geometry is reprojected to WGS 84 and
validated, every bad row is reported by number and field, and the whole import is one
transaction: refused (nothing written) if any row is bad unless ``skip_invalid``, and rolled
back after a complete rehearsal when ``dry_run``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from django.db import transaction
from django.utils.translation import gettext as _
from shapely.geometry.base import BaseGeometry

from homeward.core.geometry_messages import describe_problem
from homeward.core.import_fields import RowError
from homeward.engines.geo import MissingCrs, UnknownCrs, ValidationPolicy, check_geometries, resolve_crs, to_wgs84
from homeward.interchange import InterchangeError, SourceFeature, open_features

BATCH = 2_000
# Beyond this many, rejections are counted but not listed one by one.
LISTED_REJECTIONS = 1_000


class ImportFileError(Exception):
    """The file as a whole cannot be imported (unreadable, no CRS, a forbidden column, ...)."""


@dataclass(frozen=True)
class Rejection:
    feature: int
    field: str
    reason: str
    external_id: str = ""


@dataclass
class ImportReport:
    kind: str
    file_name: str
    dry_run: bool = False
    skip_invalid: bool = False
    file_format: str = ""
    crs: str = ""
    crs_assumed: bool = False
    encoding: str = ""
    sha256: str = ""
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected_count: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    repairs: list[Rejection] = field(default_factory=list)
    committed: bool = False

    @property
    def refused(self) -> bool:
        """Nothing was written because some feature was invalid and skipping was not asked for."""
        return self.rejected_count > 0 and not self.skip_invalid

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "file": self.file_name,
            "format": self.file_format,
            "crs": self.crs,
            "crs_assumed": self.crs_assumed,
            "encoding": self.encoding,
            "sha256": self.sha256,
            "dry_run": self.dry_run,
            "skip_invalid": self.skip_invalid,
            "read": self.read,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected_count,
            "refused": self.refused,
            "committed": self.committed,
            "rejections": [vars(r) for r in self.rejected],
            "repairs": [vars(r) for r in self.repairs],
        }


@dataclass(frozen=True)
class WriteResult:
    created: int
    updated: int
    unchanged: int
    # Rows a domain rule refused while writing (e.g. more land released than the area holds).
    rejected: tuple[Rejection, ...] = ()


class Importer(Protocol):
    """What a domain supplies to import one kind of record."""

    kind: str
    # None: the kind has no geometry (a tabular file); otherwise what each feature must carry.
    policy: ValidationPolicy | None
    geometry_required: bool

    def check_fields(self, fields: Sequence[str]) -> None:
        """Refuse the whole file (ImportFileError) for a missing or forbidden column."""

    def parse(self, feature: SourceFeature, geometry: BaseGeometry | None) -> Any:
        """Turn one feature into the domain's input, or raise RowError naming the field."""

    def write(self, rows: list[Any]) -> WriteResult:
        """Create or update the records of one batch through the domain's services."""

    def finish(self, report: ImportReport) -> None:
        """After the last batch, inside the transaction: audit entries, figure recomputation."""


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _batches(features: Iterator[SourceFeature]) -> Iterator[list[SourceFeature]]:
    batch: list[SourceFeature] = []
    for feature in features:
        batch.append(feature)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


class _Rehearsal(Exception):
    """Raised to roll the transaction back after a dry run or a refused import."""


def run_import(
    importer: Importer,
    path: Path,
    *,
    dry_run: bool = False,
    skip_invalid: bool = False,
    crs: str | None = None,
    encoding: str | None = None,
    layer: str | None = None,
    file_name: str | None = None,
) -> ImportReport:
    """Import ``path`` with ``importer``; return the report. Raise :class:`ImportFileError` for a bad file."""
    report = ImportReport(
        kind=importer.kind, file_name=file_name or path.name, dry_run=dry_run, skip_invalid=skip_invalid
    )
    report.sha256 = file_digest(path)
    try:
        with transaction.atomic():
            _import(importer, path, report, crs=crs, encoding=encoding, layer=layer)
            if dry_run or report.refused:
                raise _Rehearsal
            report.committed = True
    except _Rehearsal:
        report.committed = False
    except InterchangeError as error:
        raise ImportFileError(str(error)) from error
    return report


def _import(
    importer: Importer, path: Path, report: ImportReport, *, crs: str | None, encoding: str | None, layer: str | None
) -> None:
    with open_features(path, layer=layer, encoding=encoding, crs=crs) as source:
        report.file_format = str(source.format)
        report.encoding = source.encoding or ""
        importer.check_fields(source.fields)
        source_crs = None
        if importer.policy is not None:
            try:
                source_crs = resolve_crs(source.crs)
            except MissingCrs:
                raise ImportFileError(
                    _("The file declares no coordinate reference system; give one (for example EPSG:4326).")
                ) from None
            except UnknownCrs as error:
                raise ImportFileError(
                    _("Unknown coordinate reference system: %(crs)s") % {"crs": error.value}
                ) from None
            report.crs = source_crs.to_string()
            report.crs_assumed = source.crs_assumed
        for batch in _batches(iter(source)):
            rows = _parse_batch(importer, batch, source_crs, report)
            # Valid rows are written even once the import is refused: the transaction is rolled
            # back anyway, and writing them is how rules that span records (an unknown hazard id,
            # more land released than the area holds) reach the report, so one run lists every error.
            if rows:
                result = importer.write(rows)
                report.created += result.created
                report.updated += result.updated
                report.unchanged += result.unchanged
                for rejection in result.rejected:
                    _reject(report, rejection)
        if not report.refused:
            importer.finish(report)


def _reject(report: ImportReport, rejection: Rejection) -> None:
    report.rejected_count += 1
    if len(report.rejected) < LISTED_REJECTIONS:
        report.rejected.append(rejection)


def _parse_batch(importer: Importer, batch: list[SourceFeature], source_crs: Any, report: ImportReport) -> list[Any]:
    report.read += len(batch)
    geometries: list[BaseGeometry | None] = [None] * len(batch)
    problems: dict[int, str] = {}
    if importer.policy is not None:
        present = [i for i, feature in enumerate(batch) if feature.geometry is not None]
        if present:
            projected = to_wgs84(np.array([batch[i].geometry for i in present], dtype=object), source_crs)
            checks = check_geometries(list(projected), importer.policy)
            for i, check in zip(present, checks, strict=True):
                if check.ok:
                    geometries[i] = check.geometry
                    for repair in check.repairs:
                        report.repairs.append(Rejection(batch[i].number, "geometry", describe_problem(repair)))
                else:
                    problems[i] = "; ".join(describe_problem(p) for p in check.problems if not p.repaired)
    rows = []
    for i, feature in enumerate(batch):
        try:
            if feature.geometry_error:
                raise RowError("geometry", feature.geometry_error)
            if i in problems:
                raise RowError("geometry", problems[i])
            if importer.policy is not None and importer.geometry_required and geometries[i] is None:
                raise RowError("geometry", _("is missing"))
            rows.append(importer.parse(feature, geometries[i]))
        except RowError as error:
            external_id = str(feature.properties.get("external_id") or feature.properties.get("id") or "")
            _reject(report, Rejection(feature.number, error.field, error.message, external_id))
    return rows
