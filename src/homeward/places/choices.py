from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PlaceLevel(models.TextChoices):
    COUNTRY = "country", _("Country")
    DISTRICT = "district", _("District")
    MUNICIPALITY = "municipality", _("Municipality")
    SETTLEMENT = "settlement", _("Settlement")


class NameLanguage(models.TextChoices):
    AZ = "az", _("Azerbaijani")
    HY = "hy", _("Armenian")
    RU = "ru", _("Russian")
    EN = "en", _("English")
    OTHER = "other", _("Other")


class Script(models.TextChoices):
    LATIN = "Latn", pgettext_lazy("script", "Latin")
    ARMENIAN = "Armn", pgettext_lazy("script", "Armenian")
    CYRILLIC = "Cyrl", pgettext_lazy("script", "Cyrillic")


class NameKind(models.TextChoices):
    OFFICIAL = "official", _("Official")
    FORMER = "former", _("Former")
    COLLOQUIAL = "colloquial", _("Colloquial")
    VARIANT = "variant", _("Spelling variant")


class PlaceSource(models.TextChoices):
    ISO_3166_2 = "iso3166-2", _("ISO 3166-2")
    GEONAMES = "geonames", _("GeoNames")
    SYNTHETIC = "synthetic", _("Synthetic demo data")
    SURVEY = "survey", _("Field survey")
    IMPORT = "import", _("Imported file")
