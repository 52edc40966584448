import uuid
from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from homeward.core.file_transfers import export_response, import_upload
from homeward.core.imports import ImportFileError
from homeward.core.permissions import Action, require
from homeward.core.uploads import UploadTooLarge
from homeward.interchange import ExportFormat
from homeward.places import exporting, importing, selectors
from homeward.places.models import Place
from homeward.places.search import search_places

router = Router(tags=["places"])


class NameOut(Schema):
    text: str
    language: str
    script: str
    kind: str


class PlaceOut(Schema):
    id: uuid.UUID
    code: str
    level: str
    name: str
    district: str | None
    latitude: float | None
    longitude: float | None
    population_pre_conflict: int | None
    is_synthetic: bool
    names: list[NameOut]

    @staticmethod
    def resolve_district(place: Place) -> str | None:
        return place.district.code if place.district is not None else None

    @staticmethod
    def resolve_names(place: Place) -> list[NameOut]:
        return [NameOut(text=n.text, language=n.language, script=n.script, kind=n.kind) for n in place.names.all()]


@router.get("/places", response=list[PlaceOut], summary="Places of the gazetteer")
@paginate
def list_places(request: HttpRequest, level: str = "", district: str = "", q: str = "") -> object:
    return selectors.places_for(request.user, level=level, district=district, query=q)


class MatchedName(Schema):
    text: str
    language: str
    script: str
    kind: str


class SearchHitOut(Schema):
    id: uuid.UUID
    code: str
    level: str
    name: str
    display_name: str
    district: str | None
    latitude: float | None
    longitude: float | None
    is_synthetic: bool
    matched: MatchedName
    score: float
    how: str


class ErrorOut(Schema):
    detail: str
    field: str = ""


@router.get(
    "/places/search",
    response={200: list[SearchHitOut], 422: ErrorOut},
    summary="Find places by any of their names, in any script, tolerating typing errors",
)
def search(request: HttpRequest, q: str, limit: int = 10, level: str = "") -> Any:
    if not 1 <= limit <= 50:
        return Status(422, ErrorOut(detail="limit must be between 1 and 50", field="limit"))
    results = search_places(request.user, q, limit=limit, level=level)
    return [
        SearchHitOut(
            id=r.place.pk,
            code=r.place.code,
            level=r.place.level,
            name=r.place.name,
            display_name=r.place.display_name(),
            district=r.place.district.code if r.place.district else None,
            latitude=r.place.latitude,
            longitude=r.place.longitude,
            is_synthetic=r.place.is_synthetic,
            matched=MatchedName(text=r.hit.text, language=r.hit.language, script=r.hit.script, kind=r.hit.kind),
            score=round(r.hit.score, 1),
            how=r.hit.how,
        )
        for r in results
    ]


@router.get("/places/map", summary="Districts or settlements as GeoJSON points for the map")
def places_map(request: HttpRequest, level: str = "settlement") -> dict[str, Any]:
    return selectors.place_points(request.user, level)


@router.post(
    "/places/imports",
    response={200: dict[str, Any], 400: ErrorOut, 413: ErrorOut, 422: dict[str, Any]},
    summary="Import places and their names from GeoJSON, GeoPackage, zipped Shapefile, CSV or XLSX",
)
def import_places(
    request: HttpRequest,
    file: File[UploadedFile],
    dry_run: Form[bool] = False,
    skip_invalid: Form[bool] = False,
    crs: Form[str] = "",
    encoding: Form[str] = "",
    layer: Form[str] = "",
) -> Any:
    require(request.user, Action.CREATE, Place)
    try:
        report = import_upload(
            file,
            importing.import_file,
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


@router.get("/places/export", summary="The gazetteer as GeoJSON, GeoPackage, Shapefile, CSV, HXL CSV or XLSX")
def export_places(request: HttpRequest, format: str = "geojson") -> HttpResponse | FileResponse:
    try:
        fmt = ExportFormat(format)
    except ValueError:
        return HttpResponse(f"Unknown format {format!r}", status=400)
    return export_response(lambda path: exporting.export(format, path, user=request.user), "places", fmt)
