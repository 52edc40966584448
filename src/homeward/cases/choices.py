"""Casework vocabulary: application states, outcomes, the authorities behind services, the fields an
application can carry and the documents a service can ask for.

The service catalogue (``services.toml``) may only name fields and document types listed here, so a
typo in the file is refused when it is loaded, not discovered when an applicant cannot submit.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ApplicationState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    SCREENING = "screening", _("Screening")
    IN_REVIEW = "in_review", _("In review")
    INFORMATION_REQUESTED = "information_requested", _("Information requested")
    DECIDED = "decided", _("Decided")
    APPEALED = "appealed", _("Appealed")
    CLOSED = "closed", _("Closed")


# States in which the deadline clock runs: the office owes the applicant an answer.
CLOCK_RUNNING_STATES = frozenset({ApplicationState.SUBMITTED, ApplicationState.SCREENING, ApplicationState.IN_REVIEW})
# States that count towards a caseworker's load: someone has work to do on the case.
OPEN_STATES = CLOCK_RUNNING_STATES | {ApplicationState.INFORMATION_REQUESTED, ApplicationState.APPEALED}


class DecisionOutcome(models.TextChoices):
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ResponsibleAgency(models.TextChoices):
    """The kind of authority that decides on a service (not the organisation type of an agency)."""

    MIGRATION = "migration", _("Migration service")
    INTERNAL_AFFAIRS = "internal_affairs", _("Identity documents and registration authority")
    CIVIL_REGISTRY = "civil_registry", _("Civil status registry")
    SOCIAL_PROTECTION = "social_protection", _("Social protection")
    PROPERTY = "property", _("Property and housing authority")
    FAMILY_TRACING = "family_tracing", _("Family tracing service")


class HolidayKind(models.TextChoices):
    DAY_OFF = "day_off", _("Day off")
    WORKING_DAY = "working_day", _("Working day")


class MessageDirection(models.TextChoices):
    TO_APPLICANT = "to_applicant", _("To the applicant")
    FROM_APPLICANT = "from_applicant", _("From the applicant")


class DocumentType(models.TextChoices):
    """Supporting documents a service may require with an application."""

    IDENTITY_CARD = "identity_card", _("Identity card")
    PASSPORT = "passport", _("Passport")
    BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
    MARRIAGE_CERTIFICATE = "marriage_certificate", _("Marriage certificate")
    DEATH_CERTIFICATE = "death_certificate", _("Death certificate")
    PHOTO = "photo", _("Photograph")
    PROOF_OF_RESIDENCE = "proof_of_residence", _("Proof of residence")
    DISPLACEMENT_CERTIFICATE = "displacement_certificate", _("Certificate of internal displacement")
    MEDICAL_BIRTH_NOTICE = "medical_birth_notice", _("Medical notice of birth")
    MEDICAL_DEATH_NOTICE = "medical_death_notice", _("Medical notice of death")
    MEDICAL_ASSESSMENT = "medical_assessment", _("Medical assessment of disability")
    EMPLOYMENT_RECORD = "employment_record", _("Employment record")
    INCOME_STATEMENT = "income_statement", _("Statement of household income")
    HOUSEHOLD_COMPOSITION = "household_composition", _("Statement of household composition")
    PROPERTY_TITLE = "property_title", _("Property title or tenancy record")
    WITNESS_STATEMENT = "witness_statement", _("Witness statement")
    PROOF_OF_RELATIONSHIP = "proof_of_relationship", _("Proof of relationship")


class ApplicantField(models.TextChoices):
    """Fields kept in their own columns on every application."""

    GIVEN_NAME = "given_name", _("Given name")
    FAMILY_NAME = "family_name", _("Family name")
    PATRONYMIC = "patronymic", _("Patronymic")
    BIRTH_DATE = "birth_date", _("Date of birth")
    CONTACT = "contact", _("Contact")


class DetailField(models.TextChoices):
    """Service-specific fields, kept in the application's ``details``."""

    BIRTH_PLACE = "birth_place", _("Place of birth")
    PREVIOUS_ADDRESS = "previous_address", _("Previous address")
    CURRENT_ADDRESS = "current_address", _("Current address")
    RESIDENCE_SINCE = "residence_since", _("Living at the address since")
    CHILD_GIVEN_NAME = "child_given_name", _("Child's given name")
    CHILD_FAMILY_NAME = "child_family_name", _("Child's family name")
    CHILD_BIRTH_DATE = "child_birth_date", _("Child's date of birth")
    CHILD_BIRTH_PLACE = "child_birth_place", _("Child's place of birth")
    SPOUSE_GIVEN_NAME = "spouse_given_name", _("Spouse's given name")
    SPOUSE_FAMILY_NAME = "spouse_family_name", _("Spouse's family name")
    MARRIAGE_DATE = "marriage_date", _("Date of marriage")
    DECEASED_GIVEN_NAME = "deceased_given_name", _("Given name of the deceased")
    DECEASED_FAMILY_NAME = "deceased_family_name", _("Family name of the deceased")
    DEATH_DATE = "death_date", _("Date of death")
    DEATH_PLACE = "death_place", _("Place of death")
    RELATIONSHIP = "relationship", _("Relationship to the applicant")
    HOUSEHOLD_SIZE = "household_size", _("Household size")
    PROPERTY_ADDRESS = "property_address", _("Address of the property")
    PROPERTY_SETTLEMENT = "property_settlement", _("Settlement of the property")
    CLAIM_BASIS = "claim_basis", _("Basis of the claim")
    MISSING_GIVEN_NAME = "missing_given_name", _("Missing relative's given name")
    MISSING_FAMILY_NAME = "missing_family_name", _("Missing relative's family name")
    MISSING_SINCE = "missing_since", _("Missing since")
    LAST_SEEN_PLACE = "last_seen_place", _("Place last seen")


# As sets: a choices class's ``values`` is a new list at every use, and these are checked per request.
APPLICANT_FIELDS = frozenset(ApplicantField.values)
DETAIL_FIELDS = frozenset(DetailField.values)
APPLICATION_FIELDS = APPLICANT_FIELDS | DETAIL_FIELDS
# The languages every service name must be given in.
CATALOGUE_LANGUAGES = ("az", "hy", "ru", "en")
