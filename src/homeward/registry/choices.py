from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    UNKNOWN = "unknown", _("Not recorded")


class DatePrecision(models.TextChoices):
    """How much of a date is known; a partial date is stored as the first day of its period."""

    DAY = "day", _("Day, month and year")
    MONTH = "month", _("Month and year")
    YEAR = "year", _("Year only")


class NameKind(models.TextChoices):
    GIVEN = "given", _("Given name")
    FAMILY = "family", _("Family name")
    PATRONYMIC = "patronymic", _("Patronymic")


class DocumentType(models.TextChoices):
    NATIONAL_ID = "national_id", _("National identity card")
    PASSPORT = "passport", _("Passport")
    BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
    RESIDENCE_PERMIT = "residence_permit", _("Residence permit")
    REFUGEE_IDP_CARD = "refugee_idp_card", _("Refugee or IDP card")
    OTHER = "other", pgettext_lazy("identity document", "Other")


class ContactKind(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    ADDRESS = "address", _("Postal address")


class ConsentPurpose(models.TextChoices):
    REGISTRATION = "registration", _("Keeping the registry record")
    CASEWORK = "casework", _("Handling applications and cases")
    CONTACT = "contact", _("Being contacted about services and appointments")
    DATA_SHARING = "data_sharing", _("Sharing data with partner organisations")
    FAMILY_TRACING = "family_tracing", _("Family tracing")
