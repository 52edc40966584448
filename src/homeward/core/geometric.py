"""Geometry on a model without a spatial database: WKB in WGS 84 plus its envelope in plain columns.

SQLite without SpatiaLite and PostgreSQL without PostGIS hold the same data; shapely does the
geometry and the envelope columns answer bounding-box queries through an ordinary index.
"""

from __future__ import annotations

import shapely
from django.db import models
from django.utils.translation import gettext_lazy as _
from shapely.geometry.base import BaseGeometry


class Geometric(models.Model):
    """WKB geometry in WGS 84 plus its envelope, for bounding-box queries without a spatial index."""

    geometry = models.BinaryField(_("geometry"), null=True, blank=True, editable=False)
    min_lon = models.FloatField(null=True, blank=True, editable=False)
    min_lat = models.FloatField(null=True, blank=True, editable=False)
    max_lon = models.FloatField(null=True, blank=True, editable=False)
    max_lat = models.FloatField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def shape(self) -> BaseGeometry | None:
        return None if self.geometry is None else shapely.from_wkb(bytes(self.geometry))

    def set_shape(self, geometry: BaseGeometry | None) -> None:
        if geometry is None:
            self.geometry = None
            self.min_lon = self.min_lat = self.max_lon = self.max_lat = None
            return
        self.geometry = shapely.to_wkb(geometry)
        self.min_lon, self.min_lat, self.max_lon, self.max_lat = (float(v) for v in geometry.bounds)
