from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from homeward.core.models import BaseModel
from homeward.core.permissions import Scope
from homeward.places.choices import NameKind, NameLanguage, PlaceLevel, PlaceSource, Script


class Place(BaseModel):
    """A node of the gazetteer: country, district, municipality or settlement."""

    level = models.CharField(_("level"), max_length=20, choices=PlaceLevel.choices, db_index=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("part of"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    district = models.ForeignKey(
        "self",
        verbose_name=_("district"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The district this place lies in (itself, for a district); used for access scope."),
    )
    code = models.CharField(_("code"), max_length=40, unique=True, help_text=_("ISO 3166-2 or other stable key."))
    name = models.CharField(
        _("name"), max_length=200, help_text=_("The official name in the deployment's first language.")
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    boundary = models.BinaryField(
        _("boundary"), null=True, blank=True, editable=False, help_text=_("Polygon in WGS 84, as WKB.")
    )
    population_pre_conflict = models.PositiveIntegerField(_("pre-conflict population"), null=True, blank=True)
    households_pre_conflict = models.PositiveIntegerField(_("pre-conflict households"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=PlaceSource.choices)
    geonames_id = models.PositiveIntegerField(_("GeoNames id"), null=True, blank=True)
    is_synthetic = models.BooleanField(
        _("synthetic"), default=False, help_text=_("Invented demo data, not a real place.")
    )

    homeward_domain = "places"

    class Meta:
        ordering = ["level", "name"]
        verbose_name = _("place")
        verbose_name_plural = _("places")
        indexes = [models.Index(fields=["district", "level"])]

    def __str__(self) -> str:
        return self.name

    def homeward_scope(self) -> Scope:
        # The gazetteer is public knowledge: every role that may see places sees all of them.
        return Scope()

    def display_name(self, language: str | None = None) -> str:
        """The official name in ``language`` (default: the active one), else in the first language
        of the deployment's ``HOMEWARD_PLACE_NAME_ORDER`` that has one, else the stored name."""
        language = (language or get_language() or "en")[:2]
        official = {name.language: name.text for name in self.names.all() if name.kind == NameKind.OFFICIAL}
        for candidate in (language, *settings.HOMEWARD_PLACE_NAME_ORDER):
            if candidate in official:
                return official[candidate]
        return self.name


class PlaceName(BaseModel):
    """One of a place's names, in a language and script, of a kind (official, former, ...)."""

    place = models.ForeignKey(Place, verbose_name=_("place"), on_delete=models.CASCADE, related_name="names")
    text = models.CharField(_("name"), max_length=200)
    language = models.CharField(_("language"), max_length=8, choices=NameLanguage.choices)
    script = models.CharField(_("script"), max_length=4, choices=Script.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=NameKind.choices, default=NameKind.OFFICIAL)

    homeward_domain = "places"

    class Meta:
        ordering = ["place", "language", "kind", "text"]
        verbose_name = _("place name")
        verbose_name_plural = _("place names")
        constraints = [
            models.UniqueConstraint(fields=["place", "text", "language", "kind"], name="places_name_unique_per_place"),
        ]

    def __str__(self) -> str:
        return f"{self.text} ({self.language}, {self.kind})"
