"""HTML forms of the mine action pages: list filters, the "as it was on" date, import and export."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from homeward.interchange import ExportFormat
from homeward.mineaction.choices import EOType, HazardClassification, HazardStatus, ReleaseMethod
from homeward.mineaction.exporting import TABULAR_FORMATS, TABULAR_ONLY
from homeward.mineaction.filters import HazardFilter, IncidentFilter
from homeward.mineaction.importing import IMPORTERS

# Names of the export formats as a user knows them; a format not listed here shows its code.
FORMAT_LABELS = {
    "GEOJSON": _("GeoJSON"),
    "GPKG": _("GeoPackage"),
    "SHAPEFILE_ZIP": _("Shapefile (zipped)"),
    "CSV": _("CSV"),
    "CSV_HXL": _("CSV with HXL hashtags"),
    "XLSX": _("Excel workbook (XLSX)"),
}
IMPORT_KINDS = {
    "hazards": _("Hazardous areas"),
    "releases": _("Land release activities"),
    "incidents": _("Explosive-ordnance incidents"),
}


def _any(label: Any) -> list[tuple[str, Any]]:
    return [("", label)]


class _Form(forms.Form):
    """Labels without a trailing colon: the templates lay labels out above or beside controls."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def valid_values(self) -> dict[str, Any]:
        """The fields that validated (an invalid one is reported on the page and not applied)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return self.cleaned_data


def district_choices(districts: Any) -> list[tuple[str, Any]]:
    return [*_any(_("All districts")), *((d.code, d.name) for d in districts)]


class HazardFilterForm(_Form):
    q = forms.CharField(label=_("Id, name or settlement"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[*_any(_("Any status")), *HazardStatus.choices]
    )
    classification = forms.ChoiceField(
        label=_("Classification"), required=False, choices=[*_any(_("SHA and CHA")), *HazardClassification.choices]
    )
    district = forms.ChoiceField(label=_("District"), required=False)
    eo_type = forms.ChoiceField(
        label=_("Explosive ordnance"), required=False, choices=[*_any(_("Any type")), *EOType.choices]
    )

    def __init__(self, *args: Any, districts: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = district_choices(districts)  # type: ignore[attr-defined]

    def apply(self, hazards: QuerySet[Any]) -> QuerySet[Any]:
        """Narrow ``hazards`` by the valid filters (an invalid form filters nothing more)."""
        values = self.valid_values()
        return HazardFilter(**{key: values.get(key) or "" for key in HazardFilter.model_fields}).apply(hazards)


class ReleaseFilterForm(_Form):
    hazard = forms.CharField(label=_("Hazardous area id"), required=False, max_length=100)
    method = forms.ChoiceField(
        label=_("Method"), required=False, choices=[*_any(_("Any method")), *ReleaseMethod.choices]
    )
    district = forms.ChoiceField(label=_("District"), required=False)
    since = forms.DateField(
        label=_("Started on or after"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Started on or before"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, districts: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = district_choices(districts)  # type: ignore[attr-defined]

    def apply(self, activities: QuerySet[Any]) -> QuerySet[Any]:
        values = self.valid_values()
        if values.get("hazard"):
            activities = activities.filter(
                Q(hazardous_area__external_id__icontains=values["hazard"]) | Q(external_id__icontains=values["hazard"])
            )
        if values.get("method"):
            activities = activities.filter(method=values["method"])
        if values.get("district"):
            activities = activities.filter(hazardous_area__district__code=values["district"])
        if values.get("since"):
            activities = activities.filter(started_on__gte=values["since"])
        if values.get("until"):
            activities = activities.filter(started_on__lte=values["until"])
        return activities.order_by("-started_on", "external_id")


class IncidentFilterForm(_Form):
    district = forms.ChoiceField(label=_("District"), required=False)
    device_type = forms.ChoiceField(
        label=_("Device type"), required=False, choices=[*_any(_("Any type")), *EOType.choices]
    )
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, districts: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = district_choices(districts)  # type: ignore[attr-defined]

    def apply(self, incidents: QuerySet[Any]) -> QuerySet[Any]:
        values = self.valid_values()
        return IncidentFilter(
            district=values.get("district") or "",
            device_type=values.get("device_type") or "",
            since=values.get("since"),
            until=values.get("until"),
        ).apply(incidents)


class StateDateForm(_Form):
    """``?at=YYYY-MM-DD`` on a hazardous area's page: show the area as it was at the end of that day."""

    at = forms.DateField(
        label=_("Show the area as it was on"),
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD, for example 2023-05-01.")},
    )

    def clean_at(self) -> dt.date:
        value: dt.date = self.cleaned_data["at"]
        if value.year < 1900:
            raise forms.ValidationError(_("Enter a date after 1900."))
        return value


class PlaceChoiceForm(_Form):
    """Which place's monthly progress to show: the region or one district."""

    place = forms.ChoiceField(label=_("Place"), required=False)

    def __init__(self, *args: Any, places: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = [(p.code, p.name) for p in places]  # type: ignore[attr-defined]


class ImportForm(_Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=[(k, IMPORT_KINDS[k]) for k in IMPORTERS])
    file = forms.FileField(
        label=_("File"),
        help_text=_("GeoJSON, GeoPackage, zipped Shapefile, CSV or XLSX."),
    )
    dry_run = forms.BooleanField(
        label=_("Dry run: check the file and report what would change, without writing anything"),
        required=False,
        initial=True,
    )
    skip_invalid = forms.BooleanField(
        label=_("Skip invalid features and import the rest"),
        required=False,
        help_text=_("Otherwise one invalid feature refuses the whole file."),
    )
    crs = forms.CharField(
        label=_("Coordinate reference system"),
        required=False,
        max_length=100,
        help_text=_("Only if the file declares none, for example EPSG:4326 or EPSG:32638."),
    )
    encoding = forms.CharField(
        label=_("Text encoding"), required=False, max_length=40, help_text=_("Only if detection fails, e.g. cp1251.")
    )
    layer = forms.CharField(
        label=_("Layer"), required=False, max_length=200, help_text=_("For a GeoPackage or workbook with several.")
    )


def export_format_choices(kind: str = "") -> list[tuple[str, Any]]:
    """The formats ``kind`` can be exported to (a table without geometry only to tabular ones)."""
    formats = [fmt for fmt in ExportFormat if kind not in TABULAR_ONLY or fmt in TABULAR_FORMATS]
    return [(fmt.value, FORMAT_LABELS.get(fmt.name, fmt.value)) for fmt in formats]


class ExportForm(_Form):
    format = forms.ChoiceField(label=_("Format"))

    def __init__(self, *args: Any, kind: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["format"].choices = export_format_choices(kind)  # type: ignore[attr-defined]
