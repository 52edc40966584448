"""Casework: the service catalogue, offices, applications and everything that happens to them.

Minimum personal data: an application keeps the applicant's names, birth date, a contact reference
and the fields its service asks for; no ethnicity, religion or political field, anywhere.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.validators import MinValueValidator
from django.db import connections, models, router
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from homeward.cases.choices import (
    ApplicationState,
    DecisionOutcome,
    DocumentType,
    HolidayKind,
    MessageDirection,
    ResponsibleAgency,
)
from homeward.core.models import BaseModel, VersionCounter
from homeward.core.permissions import Scope
from homeward.registry.choices import DocumentType as IdentityDocumentType


class ApplicantLanguage(models.TextChoices):
    """The languages an applicant may be written to in (the decision letter, messages)."""

    AZ = "az", _("Azerbaijani")
    HY = "hy", _("Armenian")
    RU = "ru", _("Russian")
    EN = "en", _("English")


APPLICANT_LANGUAGES = frozenset(ApplicantLanguage.values)


def default_applicant_language() -> str:
    """The deployment's default language (``LANGUAGE_CODE``), if an applicant can be written to in it."""
    language = str(settings.LANGUAGE_CODE).split("-")[0]
    return language if language in APPLICANT_LANGUAGES else ApplicantLanguage.EN.value


def _document_type_choices() -> list[tuple[str, Any]]:
    """The catalogue's document types, then the registry's identity-document types it does not already name."""
    choices: list[tuple[str, Any]] = list(DocumentType.choices)
    known = {value for value, _label in choices}
    choices += [(value, label) for value, label in IdentityDocumentType.choices if value not in known]
    return choices


# Every type a document attached to an application can have.
DOCUMENT_TYPE_CHOICES = _document_type_choices()
DOCUMENT_TYPES = frozenset(value for value, _label in DOCUMENT_TYPE_CHOICES)
# The registry's identity documents: accepted with an application of any service.
IDENTITY_DOCUMENT_TYPES = frozenset(IdentityDocumentType.values)


class ServiceType(BaseModel):
    """One service of the catalogue: what an applicant must give, who decides, how fast, what can come of it.

    Loaded from ``services.toml`` by code (see :mod:`homeward.cases.catalogue`) or added by a
    deployment through the admin or the API; both paths go through the same validation.
    """

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_az = models.CharField(_("name (Azerbaijani)"), max_length=200)
    name_hy = models.CharField(_("name (Armenian)"), max_length=200)
    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    responsible_agency = models.CharField(_("responsible authority"), max_length=30, choices=ResponsibleAgency.choices)
    deadline_working_days = models.PositiveSmallIntegerField(
        _("deadline (working days)"), validators=[MinValueValidator(1)]
    )
    required_fields = models.JSONField(_("required fields"), default=list, blank=True)
    required_documents = models.JSONField(_("required documents"), default=list, blank=True)
    outcomes = models.JSONField(
        _("possible outcomes"), default=list, help_text=_('A list of {"code": ..., "kind": "approved" | "rejected"}.')
    )
    is_active = models.BooleanField(_("accepting applications"), default=True)
    from_catalogue = models.BooleanField(_("from the catalogue file"), default=False, editable=False)

    homeward_domain = "cases"

    class Meta:
        ordering = ["code"]
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language, else in English."""
        language = (get_language() or "en").split("-")[0]
        return str(getattr(self, f"name_{language}", "") or self.name_en)

    def names(self) -> dict[str, str]:
        return {"az": self.name_az, "hy": self.name_hy, "ru": self.name_ru, "en": self.name_en}

    def outcome_kind(self, code: str) -> str | None:
        """``approved`` or ``rejected`` for one of this service's outcome codes; ``None`` if unknown."""
        for outcome in self.outcomes:
            if outcome.get("code") == code:
                return str(outcome.get("kind"))
        return None

    def clean(self) -> None:
        from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

        from homeward.cases.catalogue import CatalogueError, check_service

        try:
            check_service(self.catalogue_entry())
        except CatalogueError as error:
            field = error.field.replace("names.", "name_").split(".")[0].split("[")[0]
            known = {f.name for f in self._meta.get_fields()}
            raise ValidationError({field if field in known else NON_FIELD_ERRORS: error.message}) from error

    def catalogue_entry(self) -> dict[str, Any]:
        """This service as an entry of the catalogue file would give it."""
        return {
            "code": self.code,
            "names": self.names(),
            "responsible_agency": self.responsible_agency,
            "deadline_working_days": self.deadline_working_days,
            "required_fields": list(self.required_fields or []),
            "required_documents": list(self.required_documents or []),
            "outcomes": list(self.outcomes or []),
        }


class Holiday(BaseModel):
    """A deployment's own calendar entry: a decreed day off, or a weekend day declared worked.

    Public holidays come from the country calendar (``HOMEWARD_HOLIDAY_COUNTRY``); these are additions.
    """

    date = models.DateField(_("date"), unique=True)
    label = models.CharField(_("label"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=HolidayKind.choices, default=HolidayKind.DAY_OFF)

    homeward_domain = "cases"

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")

    def __str__(self) -> str:
        return f"{self.date}: {self.label}"


class ConfigurationVersion(VersionCounter):
    """Bumped, with a new random stamp, by every change of a service, an office or a holiday: the
    key of each process's cache of the configuration (:mod:`homeward.cases.configuration`)."""

    stamp = models.UUIDField(default=uuid.uuid4)

    @classmethod
    def bump(cls) -> None:
        """Add one and draw a new stamp, inside the caller's transaction."""
        cls._default_manager.get_or_create(id=1)
        cls._default_manager.filter(id=1).update(version=models.F("version") + 1, stamp=uuid.uuid4())

    @classmethod
    def current_stamp(cls) -> uuid.UUID | None:
        """The stamp now (``None`` before the first change)."""
        # Read by every request that touches the configuration: plain SQL, as building it through
        # the ORM costs ten times the read itself.
        connection = connections[router.db_for_read(cls)]
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {quote('stamp')} FROM {quote(cls._meta.db_table)} WHERE {quote('id')} = 1")  # noqa: S608 - names from the model
            row = cursor.fetchone()
        if row is None or row[0] is None:
            return None
        return row[0] if isinstance(row[0], uuid.UUID) else uuid.UUID(str(row[0]))


class Office(BaseModel):
    """A public office of an agency: takes the applications of the districts it serves.

    An office lists the services it handles; one that lists none handles every service (a one-stop
    centre). Its members are the caseworkers applications are assigned to; its supervisors receive
    the escalations of its overdue cases.
    """

    name = models.CharField(_("name"), max_length=200)
    agency = models.ForeignKey(
        "accounts.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="case_offices"
    )
    districts = models.ManyToManyField(
        "places.Place",
        verbose_name=_("districts served"),
        related_name="+",
        limit_choices_to={"level": "district"},
    )
    services = models.ManyToManyField(
        ServiceType,
        verbose_name=_("services handled"),
        blank=True,
        related_name="offices",
        help_text=_("Leave empty for an office that handles every service."),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("caseworkers"), blank=True, related_name="case_offices"
    )
    supervisors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("supervisors"), blank=True, related_name="supervised_case_offices"
    )
    is_active = models.BooleanField(_("active"), default=True)

    homeward_domain = "cases"

    class Meta:
        ordering = ["name"]
        verbose_name = _("office")
        verbose_name_plural = _("offices")

    def __str__(self) -> str:
        return self.name


class MobileTeam(BaseModel):
    """Caseworkers who travel to returnees and help them apply; an assisted application names its team."""

    name = models.CharField(_("name"), max_length=200)
    office = models.ForeignKey(Office, verbose_name=_("office"), on_delete=models.PROTECT, related_name="mobile_teams")
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members"), blank=True, related_name="mobile_teams"
    )
    is_active = models.BooleanField(_("active"), default=True)

    homeward_domain = "cases"

    class Meta:
        ordering = ["name"]
        verbose_name = _("mobile team")
        verbose_name_plural = _("mobile teams")

    def __str__(self) -> str:
        return self.name


class Application(BaseModel):
    """A resident's application for a service, and where it stands.

    ``state`` is driven only by :mod:`homeward.cases.workflow`; every change of state is a
    :class:`Transition`. The deadline is ``deadline_working_days + paused_working_days`` working days
    after ``clock_started_on`` (the submission, or the reopening on appeal): the clock stops while
    information is requested from the applicant, and the working days spent waiting are added.
    """

    reference = models.CharField(_("reference"), max_length=40, unique=True)
    service = models.ForeignKey(
        ServiceType, verbose_name=_("service"), on_delete=models.PROTECT, related_name="applications"
    )
    state = models.CharField(
        _("state"), max_length=30, choices=ApplicationState.choices, default=ApplicationState.DRAFT
    )
    # The district, office and caseworker are looked up through the indexes that pair them with the
    # state (Meta.indexes), which serve a look-up by the first column alone too: an index of their own
    # each would only add to the cost of every write.
    district = models.ForeignKey(
        "places.Place", verbose_name=_("district"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The agency handling the application: its office's, once submitted."),
    )
    office = models.ForeignKey(
        Office,
        verbose_name=_("office"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
        db_index=False,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("caseworker"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    # The applicant, as submitted.
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    patronymic = models.CharField(_("patronymic"), max_length=100, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    contact = models.CharField(
        _("contact"), max_length=200, blank=True, help_text=_("A phone number, address or registry contact reference.")
    )
    details = models.JSONField(_("details"), default=dict, blank=True)
    language = models.CharField(
        _("applicant's language"),
        max_length=2,
        choices=ApplicantLanguage.choices,
        default=default_applicant_language,
        help_text=_("The language the applicant is written to in, and their decision letter."),
    )
    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("registered person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    identity_candidates = models.JSONField(
        _("identity candidates"),
        default=list,
        blank=True,
        editable=False,
        help_text=_("Registered persons who may be the applicant, with the reasons, found on submission."),
    )
    # Who helped the applicant apply, if anyone.
    assisted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assisted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    mobile_team = models.ForeignKey(
        MobileTeam,
        verbose_name=_("mobile team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="applications",
    )
    # The deadline.
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    clock_started_on = models.DateField(
        _("deadline counted from"), null=True, blank=True, help_text=_("The submission, or the reopening on appeal.")
    )
    deadline_working_days = models.PositiveSmallIntegerField(_("deadline (working days)"), null=True, blank=True)
    paused_working_days = models.PositiveIntegerField(_("working days waiting for information"), default=0)
    information_requested_on = models.DateField(_("information requested on"), null=True, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True, db_index=True)
    # The latest decision.
    outcome = models.CharField(
        pgettext_lazy("decision", "outcome"), max_length=20, choices=DecisionOutcome.choices, blank=True
    )
    result = models.CharField(_("result"), max_length=60, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    homeward_domain = "cases"
    holds_personal_data = True
    audit_redacted_fields = frozenset({"given_name", "family_name", "patronymic", "birth_date", "contact", "details"})

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        indexes = [
            # The state alone (dashboards), without the pattern index a db_index would add on PostgreSQL.
            models.Index(fields=["state"], name="cases_application_state"),
            models.Index(fields=["district", "state"]),
            models.Index(fields=["office", "state"]),
            models.Index(fields=["assignee", "state"]),
            # An office's queue (selectors.queue_for): its unassigned applications, oldest submission
            # first. The condition has no parameter, so a prepared statement's generic plan can use it.
            models.Index(
                fields=["office", "submitted_on", "created_at"],
                name="cases_application_queue",
                condition=models.Q(assignee__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def audit_label(self) -> str:
        """How the audit log names an application: by reference, never by the applicant's name."""
        return f"application {self.reference}"

    def homeward_scope(self) -> Scope:
        return Scope(district_ids=frozenset({self.district_id}), agency_id=self.agency_id)

    @property
    def clock_stopped(self) -> bool:
        return self.state == ApplicationState.INFORMATION_REQUESTED


class _ApplicationPart(BaseModel):
    """A record that belongs to one application and shares its scope."""

    application: models.ForeignKey[Application, Application]

    homeward_domain = "cases"

    class Meta:
        abstract = True

    def homeward_scope(self) -> Scope:
        return self.application.homeward_scope()


class Transition(_ApplicationPart):
    """One change of an application's state: who, when, from what to what, and why. Never edited."""

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="transitions"
    )
    event = models.CharField(_("event"), max_length=40)
    from_state = models.CharField(_("from"), max_length=30, choices=ApplicationState.choices)
    to_state = models.CharField(_("to"), max_length=30, choices=ApplicationState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    note = models.TextField(_("note"), blank=True)

    audit_redacted_fields = frozenset({"note"})

    class Meta:
        ordering = ["at", "created_at"]
        verbose_name = _("transition")
        verbose_name_plural = _("transitions")

    def __str__(self) -> str:
        return f"{self.from_state} → {self.to_state}"


class Decision(_ApplicationPart):
    """A decision on an application: the service's outcome, whether it approves, and the reasons."""

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="decisions"
    )
    outcome = models.CharField(pgettext_lazy("decision", "outcome"), max_length=20, choices=DecisionOutcome.choices)
    result = models.CharField(_("result"), max_length=60)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    audit_redacted_fields = frozenset({"reasons"})

    class Meta:
        ordering = ["decided_at"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return f"{self.outcome}: {self.result}"


class Escalation(_ApplicationPart):
    """An overdue application brought to its office's supervisors; one per missed due date."""

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="escalations"
    )
    office = models.ForeignKey(Office, verbose_name=_("office"), on_delete=models.PROTECT, related_name="escalations")
    escalated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("escalated to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    due_on = models.DateField(_("missed due date"))
    escalated_at = models.DateTimeField(_("escalated at"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        ordering = ["escalated_at"]
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        constraints = [
            models.UniqueConstraint(fields=["application", "due_on"], name="cases_escalation_once_per_due_date")
        ]

    def __str__(self) -> str:
        return f"{self.application_id} overdue since {self.due_on}"


class InternalNote(_ApplicationPart):
    """A note among staff about an application; never shown to the applicant."""

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("text"))

    holds_personal_data = True
    audit_redacted_fields = frozenset({"text"})

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")

    def __str__(self) -> str:
        return f"note on {self.application_id}"


class Message(_ApplicationPart):
    """A message between the office and the applicant about an application."""

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="messages"
    )
    direction = models.CharField(_("direction"), max_length=20, choices=MessageDirection.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("text"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    holds_personal_data = True
    audit_redacted_fields = frozenset({"text"})

    class Meta:
        ordering = ["sent_at"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return f"message {self.direction} on {self.application_id}"


class InformationRequest(_ApplicationPart):
    """What the office asked the applicant for while the application waits: the document types and
    the message sent. Answered when the information is received; the documents that arrived name it
    (``ApplicationDocument.provided_for``).

    Documents are filed on their own (by staff now, by the applicant through the portal later) and
    linked when the caseworker records that the information arrived, so a document filed before the
    request, or one the applicant brought unasked, can answer it too; each document answers at most
    one request. Whether everything asked for arrived is the caseworker's judgement
    (:attr:`missing_types` helps).
    """

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="information_requests"
    )
    document_types = models.JSONField(_("documents requested"), default=list, blank=True)
    message = models.ForeignKey(
        Message,
        verbose_name=_("message to the applicant"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("received by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("received at"), null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "created_at"]
        verbose_name = _("information request")
        verbose_name_plural = _("information requests")

    def __str__(self) -> str:
        return f"information request on {self.application_id}"

    @property
    def is_open(self) -> bool:
        return self.answered_at is None

    @property
    def missing_types(self) -> list[str]:
        """The requested document types no document provided for this request has (yet)."""
        provided = {document.document_type for document in self.documents.all()}
        return [document_type for document_type in self.document_types if document_type not in provided]


def documents_root() -> Path:
    """Where documents are kept (``HOMEWARD_DOCUMENTS_DIR``); never inside a directory the web server
    serves (``MEDIA_ROOT``, ``STATIC_ROOT``), so a document is only ever reached through a scope check."""
    configured = getattr(settings, "HOMEWARD_DOCUMENTS_DIR", None)
    if not configured:
        raise ImproperlyConfigured("HOMEWARD_DOCUMENTS_DIR is not set")
    root = Path(configured).expanduser().resolve()
    for name in ("MEDIA_ROOT", "STATIC_ROOT"):
        served = getattr(settings, name, None)
        if served and (root == Path(served).resolve() or root.is_relative_to(Path(served).resolve())):
            raise ImproperlyConfigured(f"HOMEWARD_DOCUMENTS_DIR ({root}) must not be inside {name} ({served})")
    return root


class ApplicationDocument(_ApplicationPart):
    """A document filed with an application: a checked upload kept outside the web roots.

    The bytes live in ``HOMEWARD_DOCUMENTS_DIR`` under ``storage_name`` (a random name, never the
    uploader's); ``original_filename`` is only shown. Written by :func:`homeward.cases.documents.attach_document`,
    read through :func:`homeward.cases.selectors.open_document`.
    """

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.PROTECT, related_name="documents"
    )
    document_type = models.CharField(_("document type"), max_length=40, choices=DOCUMENT_TYPE_CHOICES)
    original_filename = models.CharField(_("file name (as uploaded)"), max_length=255, blank=True)
    media_type = models.CharField(_("media type"), max_length=100)
    extension = models.CharField(_("extension"), max_length=10)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    storage_name = models.CharField(_("stored as"), max_length=80, unique=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    provided_for = models.ForeignKey(
        InformationRequest,
        verbose_name=_("provided for"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="documents",
        help_text=_("The information request this document answers."),
    )
    note = models.TextField(_("note"), blank=True)

    holds_personal_data = True
    # The audit log keeps the type and size of a document, never its name, digest or where it is stored.
    audit_ignored_fields = frozenset(
        {"updated_at", "row_version", "updated_by", "original_filename", "sha256", "storage_name", "extension"}
    )
    audit_redacted_fields = frozenset({"note"})

    class Meta:
        ordering = ["uploaded_at", "created_at"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return f"{self.get_document_type_display()} ({self.application_id})"

    def audit_label(self) -> str:
        """How the audit log names a document: its type and application, never the file name."""
        return f"{self.document_type} of application {self.application.reference}"

    @property
    def path(self) -> Path:
        """Where the bytes are: sharded by the first two characters of the (random hex) storage name."""
        return storage_path(self.storage_name)


class OriginalSeen(_ApplicationPart):
    """A caseworker saw the original of a document the application needs, without filing a copy.

    Offices check papers at the counter; a scan is not always kept. A required document counts as
    provided when a copy is filed (:class:`ApplicationDocument`) or its original was seen; an approval
    needs every one (see :func:`homeward.cases.services.decide`). Written by
    :func:`homeward.cases.documents.record_original_seen`; never edited.
    """

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.PROTECT, related_name="originals_seen"
    )
    document_type = models.CharField(_("document type"), max_length=40, choices=DOCUMENT_TYPE_CHOICES)
    seen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("seen by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    seen_at = models.DateTimeField(_("seen at"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)

    holds_personal_data = True
    audit_redacted_fields = frozenset({"note"})

    class Meta:
        ordering = ["seen_at", "created_at"]
        verbose_name = _("original seen")
        verbose_name_plural = _("originals seen")

    def __str__(self) -> str:
        return f"{self.get_document_type_display()} seen ({self.application_id})"

    def audit_label(self) -> str:
        return f"original {self.document_type} of application {self.application.reference}"


def storage_path(storage_name: str) -> Path:
    """The path of a stored document by its storage name, under :func:`documents_root`."""
    if not storage_name or Path(storage_name).name != storage_name or storage_name.startswith("."):
        raise ValueError(f"not a storage name: {storage_name!r}")
    return documents_root() / storage_name[:2] / storage_name
