"""HTML forms of the casework pages: the workflow's actions, notes and messages, identity, documents,
the staff-assisted application and the dashboard's filters.

Forms check types and shapes only; the rules (a rejection needs a reason, a step the state does not
allow, a field the service requires) are the services' to enforce, and their ``CaseError`` is put back
on the field it names. Every form acting on an application carries the row version the page showed,
so an action on a page opened before someone else's change is refused instead of overwriting it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from homeward.cases.choices import ApplicantField, DetailField, MessageDirection
from homeward.cases.models import (
    DOCUMENT_TYPE_CHOICES,
    ApplicantLanguage,
    MobileTeam,
    ServiceType,
    default_applicant_language,
)

# Detail fields entered as dates (kept in ``details`` as ISO text) or as whole numbers.
DATE_DETAILS = frozenset(
    {
        DetailField.RESIDENCE_SINCE,
        DetailField.CHILD_BIRTH_DATE,
        DetailField.MARRIAGE_DATE,
        DetailField.DEATH_DATE,
        DetailField.MISSING_SINCE,
    }
)
NUMBER_DETAILS = frozenset({DetailField.HOUSEHOLD_SIZE})
TEXT_LIMIT = 10_000
UPLOAD_ACCEPT = ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"


def mobile_teams_for(user: Any) -> QuerySet[MobileTeam]:
    """The active mobile teams of the user's agency, for saying which one helped an applicant."""
    agency_id = getattr(user, "agency_id", None)
    if agency_id is None:
        return MobileTeam.objects.none()
    return MobileTeam.objects.filter(is_active=True, office__agency_id=agency_id).order_by("name")


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CaseForm(forms.Form):
    """Labels without a trailing colon; a service's refusal goes on the field it names."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def add_domain_error(self, field: str, message: str) -> None:
        """Show a refusal on the field it names (``reasons[2]`` on ``reasons``), else above the form."""
        name = field.split("[")[0].split(".")[0]
        if name not in self.fields and field.startswith("details."):
            name = field.removeprefix("details.")
        self.add_error(name if name in self.fields else None, message)


class VersionedForm(CaseForm):
    # The version of the application the user saw, so a change made meanwhile is not overwritten.
    row_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


# --- the workflow -----------------------------------------------------------------------------


class StepForm(VersionedForm):
    """A step with an optional note for the history (screening, review, closing, ruling on an appeal)."""

    note = forms.CharField(
        label=_("Note for the history (optional)"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RequestInformationForm(VersionedForm):
    request = forms.CharField(
        label=_("What is requested from the applicant"),
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sent to the applicant as written."),
    )
    document_types = forms.MultipleChoiceField(
        label=_("Documents requested (optional)"),
        required=False,
        choices=DOCUMENT_TYPE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )

    def add_domain_error(self, field: str, message: str) -> None:
        # The service calls the request its note.
        super().add_domain_error("request" if field == "note" else field, message)


class ReceiveInformationForm(StepForm):
    """The information arrived: the documents already filed that answer the request, and one more
    uploaded with it (optional)."""

    field_order = ["documents", "document_type", "file", "note"]
    documents = forms.MultipleChoiceField(
        label=_("Documents filed that answer the request"), required=False, widget=forms.CheckboxSelectMultiple
    )
    document_type = forms.ChoiceField(label=_("Type of the document received"), required=False)
    file = forms.FileField(
        label=_("Document received (optional)"),
        required=False,
        help_text=_("A scan or photograph (PDF, PNG or JPEG). It is checked before it is stored."),
        widget=forms.ClearableFileInput(attrs={"accept": UPLOAD_ACCEPT}),
    )

    def __init__(
        self,
        *args: Any,
        documents: list[Any] = (),  # type: ignore[assignment]
        document_types: list[tuple[str, str]] = (),  # type: ignore[assignment]
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["documents"].choices = [  # type: ignore[attr-defined]
            (str(document.pk), f"{document.get_document_type_display()} — {document.original_filename}")
            for document in documents
        ]
        if not documents:
            del self.fields["documents"]
        self.fields["document_type"].choices = [("", _("Choose a type")), *document_types]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned.setdefault("documents", [])
        if cleaned.get("file") and not cleaned.get("document_type"):
            self.add_error("document_type", _("Say what the document received is."))
        return cleaned


class DecideForm(VersionedForm):
    result = forms.ChoiceField(label=_("Result"))
    reasons = forms.CharField(
        label=_("Reasons, one per line"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Written in the decision letter as given. A rejection needs at least one reason."),
    )
    note = forms.CharField(
        label=_("Note for the history (optional)"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, service: ServiceType, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kinds = {"approved": _("approves the application"), "rejected": _("rejects the application")}
        self.fields["result"].choices = [  # type: ignore[attr-defined]
            ("", _("Choose a result")),
            *(
                (outcome["code"], f"{outcome['code'].replace('_', ' ')} — {kinds.get(outcome['kind'], '')}")
                for outcome in service.outcomes
            ),
        ]

    def reason_lines(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("reasons", "").splitlines() if line.strip()]


class AppealForm(VersionedForm):
    grounds = forms.CharField(
        label=_("Grounds of the appeal"),
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("As the applicant gives them."),
    )

    def add_domain_error(self, field: str, message: str) -> None:
        super().add_domain_error("grounds" if field == "note" else field, message)


# --- notes, messages, identity, assignment ------------------------------------------------------


class NoteForm(CaseForm):
    text = forms.CharField(label=_("Internal note"), max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 3}))


class MessageForm(CaseForm):
    direction = forms.ChoiceField(label=_("Direction"), choices=MessageDirection.choices)
    text = forms.CharField(label=_("Message"), max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 3}))


class LinkPersonForm(VersionedForm):
    person = forms.UUIDField(widget=forms.HiddenInput)


class NewPersonForm(VersionedForm):
    pass


class AssignForm(VersionedForm):
    caseworker = forms.ChoiceField(label=_("Caseworker"), required=False)

    def __init__(self, *args: Any, caseworkers: list[tuple[Any, int]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["caseworker"].choices = [  # type: ignore[attr-defined]
            ("", _("The least-loaded caseworker of the office")),
            *(
                (user.username, _("%(name)s (%(count)s open)") % {"name": user.get_username(), "count": load})
                for user, load in caseworkers
            ),
        ]


# --- documents --------------------------------------------------------------------------------


class DocumentUploadForm(CaseForm):
    document_type = forms.ChoiceField(label=_("Document type"))
    file = forms.FileField(
        label=_("File"),
        help_text=_("A scan or photograph (PDF, PNG or JPEG). It is checked before it is stored."),
        widget=forms.ClearableFileInput(attrs={"accept": UPLOAD_ACCEPT}),
    )

    def __init__(self, *args: Any, document_types: list[tuple[str, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        kwargs.setdefault("prefix", "document")
        super().__init__(*args, **kwargs)
        self.fields["document_type"].choices = [("", _("Choose a type")), *document_types]  # type: ignore[attr-defined]


class OriginalSeenForm(CaseForm):
    """The caseworker saw the original of a required document at the counter (no copy is filed)."""

    document_type = forms.ChoiceField(label=_("Document seen in the original"))
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        help_text=_("Optional: e.g. the number or the issuing office, if the copy is not kept."),
    )

    def __init__(self, *args: Any, document_types: list[tuple[str, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        kwargs.setdefault("prefix", "original")
        super().__init__(*args, **kwargs)
        self.fields["document_type"].choices = [("", _("Choose a type")), *document_types]  # type: ignore[attr-defined]


# --- the staff-assisted application -------------------------------------------------------------


class ServiceChoiceForm(CaseForm):
    """The first step of a new application: which service (its fields depend on it)."""

    service = forms.ChoiceField(label=_("Service"))

    def __init__(self, *args: Any, services: list[ServiceType] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [  # type: ignore[attr-defined]
            ("", _("Choose a service")),
            *((service.code, service.name) for service in services),
        ]


class NewApplicationForm(CaseForm):
    """The applicant's data for one service: the names, birth date and contact every application
    carries, the applicant's language, and the service's own fields (required as the catalogue says)."""

    service = forms.CharField(widget=forms.HiddenInput)
    district = forms.ChoiceField(label=_("District"))
    given_name = forms.CharField(label=ApplicantField.GIVEN_NAME.label, max_length=100)
    family_name = forms.CharField(label=ApplicantField.FAMILY_NAME.label, max_length=100)
    patronymic = forms.CharField(label=ApplicantField.PATRONYMIC.label, max_length=100, required=False)
    birth_date = forms.DateField(label=ApplicantField.BIRTH_DATE.label, required=False, widget=_date_widget())
    contact = forms.CharField(
        label=ApplicantField.CONTACT.label,
        max_length=200,
        required=False,
        help_text=_("A phone number or an address where the applicant can be reached."),
    )
    language = forms.ChoiceField(
        label=_("Applicant's language"),
        choices=ApplicantLanguage.choices,
        help_text=_("Letters and messages to the applicant are written in it."),
    )
    mobile_team = forms.ModelChoiceField(
        label=_("Mobile team that helped (optional)"),
        queryset=MobileTeam.objects.none(),
        required=False,
        empty_label=_("No mobile team"),
    )

    def __init__(
        self,
        *args: Any,
        service: ServiceType,
        districts: list[Any],
        mobile_teams: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.chosen_service = service
        self.fields["service"].initial = service.code
        self.fields["district"].choices = [  # type: ignore[attr-defined]
            ("", _("Choose a district")),
            *((district.code, district.name) for district in districts),
        ]
        if len(districts) == 1:
            self.fields["district"].initial = districts[0].code
        if mobile_teams is not None:
            self.fields["mobile_team"].queryset = mobile_teams  # type: ignore[attr-defined]
        self.fields["language"].initial = default_applicant_language()
        required = set(service.required_fields or [])
        for name in ApplicantField.values:
            if name in required:
                self.fields[name].required = True
        self.detail_names: list[str] = []
        for name in service.required_fields or []:
            if name in DetailField.values:
                self.fields[name] = self._detail_field(name)
                self.detail_names.append(name)

    @staticmethod
    def _detail_field(name: str) -> forms.Field:
        label = DetailField(name).label
        if name in DATE_DETAILS:
            return forms.DateField(label=label, widget=_date_widget())
        if name in NUMBER_DETAILS:
            return forms.IntegerField(label=label, min_value=1, max_value=100)
        return forms.CharField(label=label, max_length=1000)

    def clean_birth_date(self) -> dt.date | None:
        value: dt.date | None = self.cleaned_data.get("birth_date")
        if value is not None and value > timezone.localdate():
            raise forms.ValidationError(_("The date of birth cannot be in the future."))
        return value

    def applicant_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("given_name", "family_name", "patronymic", "birth_date", "contact")]

    def detail_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.detail_names]

    def details(self) -> dict[str, Any]:
        """The service's own fields as the application keeps them (dates as ISO text)."""
        values: dict[str, Any] = {}
        for name in self.detail_names:
            value = self.cleaned_data.get(name)
            if isinstance(value, dt.date):
                value = value.isoformat()
            if value not in (None, ""):
                values[name] = value
        return values


# --- the dashboard ----------------------------------------------------------------------------


class DashboardFilterForm(CaseForm):
    district = forms.ChoiceField(label=_("District"), required=False)
    service = forms.ChoiceField(label=_("Service"), required=False)
    office = forms.ChoiceField(label=_("Office"), required=False)
    decided_from = forms.DateField(label=_("Decided from"), required=False, widget=_date_widget())
    decided_until = forms.DateField(label=_("Decided until"), required=False, widget=_date_widget())
    by = forms.ChoiceField(label=_("Break down by"), required=False)

    def __init__(
        self,
        *args: Any,
        districts: list[Any] = (),  # type: ignore[assignment]
        services: list[ServiceType] = (),  # type: ignore[assignment]
        offices: list[Any] = (),  # type: ignore[assignment]
        breakdowns: list[tuple[str, Any]] = (),  # type: ignore[assignment]
        default_breakdown: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = [  # type: ignore[attr-defined]
            ("", _("All districts")),
            *((str(d.pk), d.name) for d in districts),
        ]
        self.fields["service"].choices = [  # type: ignore[attr-defined]
            ("", _("All services")),
            *((str(s.pk), s.name) for s in services),
        ]
        self.fields["office"].choices = [  # type: ignore[attr-defined]
            ("", _("All offices")),
            *((str(o.pk), o.name) for o in offices),
        ]
        self.fields["by"].choices = list(breakdowns)  # type: ignore[attr-defined]
        if breakdowns and default_breakdown:
            self.fields["by"].initial = default_breakdown

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("decided_from"), cleaned.get("decided_until")
        if start and end and start > end:
            self.add_error("decided_until", _("The end of the period is before its start."))
        return cleaned

    def valid_values(self) -> dict[str, Any]:
        """The filters that validated (an invalid one is reported and not applied)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return self.cleaned_data
