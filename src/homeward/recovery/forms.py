"""HTML forms of the recovery pages: the project filters, completion, observations and exports.

Forms only check types and shapes; the domain rules (a date in the future, habitable units above
the total, a settlement that does not exist) are the services' to enforce, and their
``RecoveryError`` is put back on the field it names.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from homeward.interchange import ExportFormat
from homeward.recovery.choices import ProjectStatus, Sector, ServiceKind, ServiceStatus
from homeward.recovery.exporting import XML, ExportKind
from homeward.recovery.models import Project

# Names of the export formats as a user knows them; a format not listed here shows its code.
FORMAT_LABELS = {
    "GEOJSON": _("GeoJSON"),
    "GPKG": _("GeoPackage"),
    "SHAPEFILE_ZIP": _("Shapefile (zipped)"),
    "CSV": _("CSV"),
    "CSV_HXL": _("CSV with HXL hashtags"),
    "XLSX": _("Excel workbook (XLSX)"),
}
BLOCKED_YES = "yes"
BLOCKED_NO = "no"


def _any(label: Any) -> list[tuple[str, Any]]:
    return [("", label)]


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


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

    def add_domain_error(self, field: str, message: str) -> None:
        """Show a service's refusal on the field it names, or above the form if it names none here."""
        self.add_error(field if field in self.fields else None, message)


class ProjectFilterForm(_Form):
    q = forms.CharField(label=_("Id, title, agency or settlement"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[*_any(_("Any status")), *ProjectStatus.choices]
    )
    sector = forms.ChoiceField(label=_("Sector"), required=False, choices=[*_any(_("Any sector")), *Sector.choices])
    district = forms.ChoiceField(label=_("District"), required=False)
    blocked = forms.ChoiceField(
        label=_("Blocked by a hazardous area"),
        required=False,
        choices=[
            *_any(_("Blocked or not")),
            (BLOCKED_YES, _("Blocked by a hazardous area")),
            (BLOCKED_NO, _("Not blocked")),
        ],
    )

    def __init__(self, *args: Any, districts: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = [  # type: ignore[attr-defined]
            *_any(_("All districts")),
            *((d.code, d.name) for d in districts),
        ]

    def apply(self, projects: QuerySet[Project]) -> QuerySet[Project]:
        """Narrow ``projects`` by the valid filters (an invalid one filters nothing more)."""
        values = self.valid_values()
        if text := values.get("q"):
            in_settlement = Project.objects.filter(settlements__name__icontains=text).values("pk")
            projects = projects.filter(
                Q(external_id__icontains=text)
                | Q(title__icontains=text)
                | Q(implementing_agency__name__icontains=text)
                | Q(funder__icontains=text)
                | Q(pk__in=in_settlement)
            )
        if values.get("status"):
            projects = projects.filter(status=values["status"])
        if values.get("sector"):
            projects = projects.filter(sector=values["sector"])
        if values.get("district"):
            projects = projects.filter(district__code=values["district"])
        if values.get("blocked") == BLOCKED_YES:
            projects = projects.exclude(blocked_by_hazards=[])
        elif values.get("blocked") == BLOCKED_NO:
            projects = projects.filter(blocked_by_hazards=[])
        return projects.order_by("planned_end", "external_id")


class CompleteProjectForm(_Form):
    actual_end = forms.DateField(
        label=_("Actual end date"),
        widget=_date_widget(),
        help_text=_("The day the work was finished; not in the future."),
    )
    # The version of the project the user saw, so a change made meanwhile is not overwritten.
    row_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "complete")
        super().__init__(*args, **kwargs)
        self.fields["actual_end"].initial = timezone.localdate


class ServiceObservationForm(_Form):
    kind = forms.ChoiceField(label=_("Service"), choices=ServiceKind.choices)
    status = forms.ChoiceField(label=_("Status"), choices=ServiceStatus.choices)
    capacity = forms.FloatField(label=_("Capacity"), required=False, min_value=0)
    capacity_unit = forms.CharField(
        label=_("Capacity unit"), required=False, max_length=30, help_text=_("e.g. m³/day, kW, pupils, beds")
    )
    observed_on = forms.DateField(label=_("Observed on"), widget=_date_widget())
    source = forms.CharField(
        label=_("Source"), required=False, max_length=200, help_text=_("Who reported it, or which survey.")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "service")
        super().__init__(*args, **kwargs)
        self.fields["observed_on"].initial = timezone.localdate


class HousingObservationForm(_Form):
    units_total = forms.IntegerField(label=_("Housing units in total"), min_value=0)
    units_damaged = forms.IntegerField(label=_("Damaged units"), min_value=0)
    units_habitable = forms.IntegerField(label=_("Habitable units"), min_value=0)
    observed_on = forms.DateField(label=_("Observed on"), widget=_date_widget())
    source = forms.CharField(
        label=_("Source"), required=False, max_length=200, help_text=_("Who reported it, or which survey.")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "housing")
        super().__init__(*args, **kwargs)
        self.fields["observed_on"].initial = timezone.localdate


def export_format_choices(kind: str) -> list[tuple[str, Any]]:
    """The formats ``kind`` can be exported to: IATI only as XML, the 3W table to every format."""
    if kind == ExportKind.PROJECTS_IATI:
        return [(XML, _("IATI activity XML"))]
    return [(fmt.value, FORMAT_LABELS.get(fmt.name, fmt.value)) for fmt in ExportFormat]


class ExportForm(_Form):
    format = forms.ChoiceField(label=_("Format"))

    def __init__(self, *args: Any, kind: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["format"].choices = export_format_choices(kind)  # type: ignore[attr-defined]
