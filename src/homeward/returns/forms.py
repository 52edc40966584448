"""HTML forms of the readiness pages: the district filter, the what-if panel and the export format."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from homeward.interchange import ExportFormat
from homeward.returns.choices import ReadinessStatus
from homeward.returns.readiness import WhatIf, WhatIfError

# Names of the export formats as a user knows them; a format not listed here shows its code.
FORMAT_LABELS = {
    "GEOJSON": _("GeoJSON"),
    "GPKG": _("GeoPackage"),
    "SHAPEFILE_ZIP": _("Shapefile (zipped)"),
    "CSV": _("CSV"),
    "CSV_HXL": _("CSV with HXL hashtags"),
    "XLSX": _("Excel workbook (XLSX)"),
}
MAX_DELAY_MONTHS = 60


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


class ReadinessFilterForm(_Form):
    district = forms.ChoiceField(label=_("District"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *ReadinessStatus.choices]
    )

    def __init__(self, *args: Any, districts: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = [("", _("All districts")), *((d.code, d.name) for d in districts)]  # type: ignore[attr-defined]


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole calendar months (the 31st becomes the month's last day where needed)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


class WhatIfForm(_Form):
    """ "If project P slips N months" and "if these areas were cleared", among what this settlement's answer cites."""

    what_if = forms.CharField(widget=forms.HiddenInput, initial="1")
    delay_project = forms.ChoiceField(
        label=_("Delay project"),
        required=False,
        error_messages={
            "invalid_choice": _(
                "%(value)s is not a project this settlement's readiness depends on: choose one from the list."
            )
        },
    )
    delay_months = forms.IntegerField(
        label=_("by how many months"), required=False, min_value=1, max_value=MAX_DELAY_MONTHS, initial=3
    )
    clear_hazards = forms.MultipleChoiceField(
        label=_("Take these hazardous areas as cleared"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _(
                "%(value)s is not a hazardous area cited for this settlement: choose among those listed."
            )
        },
    )

    def __init__(
        self,
        *args: Any,
        projects: Sequence[tuple[str, str]] = (),
        hazards: Sequence[tuple[str, str]] = (),
        planned_ends: Mapping[str, dt.date] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.planned_ends = dict(planned_ends or {})
        self.fields["delay_project"].choices = [("", _("— no delay —")), *projects]  # type: ignore[attr-defined]
        self.fields["clear_hazards"].choices = list(hazards)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        project, months = data.get("delay_project"), data.get("delay_months")
        if project and not months and "delay_months" not in self.errors:
            self.add_error("delay_months", _("Say by how many months the project would slip."))
        if not project and not data.get("clear_hazards") and not self.errors:
            raise forms.ValidationError(_("Choose a project to delay or a hazardous area to clear."))
        return data

    def change(self) -> WhatIf:
        """The change to try, with months turned into days from the project's planned end."""
        data = self.cleaned_data
        delayed: dict[str, int] = {}
        project = data.get("delay_project")
        if project:
            months = int(data["delay_months"])
            planned_end = self.planned_ends.get(project)
            delayed[project] = (add_months(planned_end, months) - planned_end).days if planned_end else months * 30
        return WhatIf(delayed_projects=delayed, cleared_hazards=tuple(data.get("clear_hazards") or ()))

    def add_what_if_error(self, error: WhatIfError) -> None:
        """Put the engine's refusal on the field it names (on the whole form when it names none of ours)."""
        explained = {
            "project_id": (
                "delay_project",
                _("This project is no longer planned or under way, so it cannot slip (%(reason)s)."),
            ),
            "hazard_id": (
                "clear_hazards",
                _("This hazardous area is no longer active, so it cannot be cleared (%(reason)s)."),
            ),
        }
        if error.field in explained:
            field, message = explained[error.field]
            self.add_error(field, message % {"reason": error.message})
        else:
            self.add_error(None, f"{error.field}: {error.message}")


def export_format_choices() -> list[tuple[str, Any]]:
    return [(fmt.value, FORMAT_LABELS.get(fmt.name, fmt.value)) for fmt in ExportFormat]


class ExportForm(_Form):
    format = forms.ChoiceField(label=_("Format"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["format"].choices = export_format_choices()  # type: ignore[attr-defined]
