"""Mine action API: hazardous areas, land release, incidents, figures, map layers, import and export."""

import datetime as dt
import uuid
from functools import partial
from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from homeward.core.file_transfers import export_response, import_upload
from homeward.core.imports import ImportFileError
from homeward.core.permissions import Action, require
from homeward.core.uploads import UploadTooLarge
from homeward.interchange import ExportFormat
from homeward.mineaction import exporting, importing, map_layers, selectors
from homeward.mineaction.filters import HazardFilter, IncidentFilter
from homeward.mineaction.models import HazardousArea, HazardousAreaState, Incident, LandReleaseActivity

router = Router(tags=["mine action"])


class PlaceRef(Schema):
    code: str
    name: str


class HazardOut(Schema):
    id: uuid.UUID
    external_id: str
    name: str
    classification: str
    status: str
    eo_types: list[str]
    area_m2: float
    released_m2: float
    remaining_m2: float
    settlement: PlaceRef | None
    district: PlaceRef | None
    recorded_on: dt.date
    status_changed_on: dt.date | None
    survey_reference: str
    organisation: str
    is_synthetic: bool
    row_version: int

    @staticmethod
    def resolve_settlement(hazard: HazardousArea) -> PlaceRef | None:
        return PlaceRef(code=hazard.place.code, name=hazard.place.name) if hazard.place else None

    @staticmethod
    def resolve_district(hazard: HazardousArea) -> PlaceRef | None:
        return PlaceRef(code=hazard.district.code, name=hazard.district.name) if hazard.district else None


class StateOut(Schema):
    valid_from: dt.datetime
    valid_to: dt.datetime | None
    classification: str
    status: str
    area_m2: float
    remaining_m2: float
    cause: str
    geometry: dict[str, Any] | None

    @staticmethod
    def resolve_geometry(state: HazardousAreaState) -> dict[str, Any] | None:
        return map_layers.geojson_of(state.shape)


class HazardDetailOut(HazardOut):
    geometry: dict[str, Any] | None
    history: list[StateOut]

    @staticmethod
    def resolve_geometry(hazard: HazardousArea) -> dict[str, Any] | None:
        return map_layers.geojson_of(hazard.shape)

    @staticmethod
    def resolve_history(hazard: HazardousArea) -> list[HazardousAreaState]:
        return list(selectors.hazard_history(hazard))


class ReleaseOut(Schema):
    id: uuid.UUID
    external_id: str
    hazard_id: str
    method: str
    organisation: str
    started_on: dt.date
    completed_on: dt.date | None
    area_cancelled_m2: float
    area_reduced_m2: float
    area_cleared_m2: float

    @staticmethod
    def resolve_hazard_id(activity: LandReleaseActivity) -> str:
        return activity.hazardous_area.external_id


class CasualtyOut(Schema):
    sex: str
    age_band: str
    outcome: str
    count: int


class IncidentOut(Schema):
    id: uuid.UUID
    external_id: str
    occurred_on: dt.date
    latitude: float | None
    longitude: float | None
    settlement: PlaceRef | None
    district: PlaceRef | None
    device_type: str
    activity_at_time: str
    casualties: list[CasualtyOut]

    @staticmethod
    def resolve_settlement(incident: Incident) -> PlaceRef | None:
        return PlaceRef(code=incident.place.code, name=incident.place.name) if incident.place else None

    @staticmethod
    def resolve_district(incident: Incident) -> PlaceRef | None:
        return PlaceRef(code=incident.district.code, name=incident.district.name) if incident.district else None

    @staticmethod
    def resolve_casualties(incident: Incident) -> list[CasualtyOut]:
        return [
            CasualtyOut(sex=c.sex, age_band=c.age_band, outcome=c.outcome, count=c.count)
            for c in incident.casualties.all()
        ]


class MonthOut(Schema):
    month: dt.date
    cancelled_m2: float
    reduced_m2: float
    cleared_m2: float
    incidents: int
    casualties: int


class FiguresOut(Schema):
    place: PlaceRef
    open_areas: int
    sha_count: int
    cha_count: int
    remaining_m2: float
    cancelled_m2: float
    reduced_m2: float
    cleared_m2: float
    devices_destroyed: int
    incidents: int
    killed: int
    injured: int
    computed_at: dt.datetime
    inputs_version: int
    current_version: int
    months: list[MonthOut]


class RejectionOut(Schema):
    feature: int
    field: str
    reason: str
    external_id: str


class ImportReportOut(Schema):
    kind: str
    file: str
    format: str
    crs: str
    crs_assumed: bool
    encoding: str
    sha256: str
    dry_run: bool
    skip_invalid: bool
    read: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    refused: bool
    committed: bool
    rejections: list[RejectionOut]
    repairs: list[RejectionOut]


class ErrorOut(Schema):
    detail: str
    field: str = ""


@router.get("/mineaction/hazards", response=list[HazardOut], summary="Hazardous areas (filterable)")
@paginate
def list_hazards(request: HttpRequest, filters: Query[HazardFilter]) -> Any:
    return filters.apply(selectors.hazards_visible_to(request.user))


@router.get("/mineaction/hazards/{hazard_id}", response=HazardDetailOut, summary="One hazardous area with its history")
def get_hazard(request: HttpRequest, hazard_id: str) -> HazardousArea:
    return selectors.get_hazard_for_user(request.user, hazard_id)


@router.get("/mineaction/releases", response=list[ReleaseOut], summary="Land release activities")
@paginate
def list_releases(request: HttpRequest, hazard: str = "", method: str = "") -> Any:
    activities = selectors.activities_visible_to(request.user)
    if hazard:
        activities = activities.filter(hazardous_area__external_id=hazard)
    if method:
        activities = activities.filter(method=method)
    return activities


@router.get("/mineaction/incidents", response=list[IncidentOut], summary="Explosive-ordnance incidents")
@paginate
def list_incidents(request: HttpRequest, filters: Query[IncidentFilter]) -> Any:
    return filters.apply(selectors.incidents_visible_to(request.user)).prefetch_related("casualties")


@router.get(
    "/mineaction/figures/{place_code}",
    response={200: FiguresOut, 404: ErrorOut},
    summary="Stored figures of a settlement, district or the region",
)
def get_figures(request: HttpRequest, place_code: str) -> Any:
    figures = selectors.figures_by_code(request.user, place_code)
    if figures is None:
        return Status(404, ErrorOut(detail="No figures for this place (yet)."))
    return figures


@router.get("/mineaction/map/hazards", summary="Hazardous areas as GeoJSON for the map, simplified for the zoom")
def map_hazards(
    request: HttpRequest, bbox: str = "", zoom: int = 10, status: str = "", classification: str = ""
) -> Any:
    return map_layers.hazard_collection(
        request.user, bbox=bbox, zoom=zoom, status=status, classification=classification
    )


@router.get("/mineaction/map/incidents", summary="Incidents as GeoJSON points for the map")
def map_incidents(request: HttpRequest, bbox: str = "") -> Any:
    return map_layers.incident_collection(request.user, bbox=bbox)


@router.post(
    "/mineaction/imports/{kind}",
    response={200: ImportReportOut, 400: ErrorOut, 413: ErrorOut, 422: ImportReportOut},
    summary="Import hazards, releases or incidents from GeoJSON, GeoPackage, zipped Shapefile, CSV or XLSX",
)
def import_mine_action(
    request: HttpRequest,
    kind: str,
    file: File[UploadedFile],
    dry_run: Form[bool] = False,
    skip_invalid: Form[bool] = False,
    crs: Form[str] = "",
    encoding: Form[str] = "",
    layer: Form[str] = "",
) -> Any:
    require(request.user, Action.CREATE, HazardousArea)
    if kind not in importing.IMPORTERS:
        return Status(400, ErrorOut(detail=f"Unknown kind {kind!r}: hazards, releases or incidents.", field="kind"))
    try:
        report = import_upload(
            file,
            partial(importing.import_file, kind),
            dry_run=dry_run,
            skip_invalid=skip_invalid,
            crs=crs,
            encoding=encoding,
            layer=layer,
        )
    except UploadTooLarge as error:
        return Status(413, ErrorOut(detail=str(error), field="file"))
    except ImportFileError as error:
        return Status(400, ErrorOut(detail=str(error), field="file"))
    return Status(422 if report.refused else 200, report.as_dict())


@router.get("/mineaction/exports/{kind}", summary="Export as GeoJSON, GeoPackage, Shapefile, CSV, HXL CSV or XLSX")
def export_mine_action(request: HttpRequest, kind: str, format: str = "geojson") -> HttpResponse | FileResponse:
    try:
        fmt = ExportFormat(format)
    except ValueError:
        return HttpResponse(f"Unknown format {format!r}", status=400)
    try:
        return export_response(lambda path: exporting.export(kind, format, path, user=request.user), kind, fmt)
    except exporting.ExportError as error:
        return HttpResponse(str(error), status=400)
