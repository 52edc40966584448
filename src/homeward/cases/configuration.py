"""The casework configuration, cached per process: services by code, which office serves a district
(and service), the districts by code, and the working calendar (the ``Holiday`` table and the
holiday country).

It changes rarely and is read by every submission. Every change of a service, an office (its row,
districts or services), a district (a ``Place`` saved or deleted through the ORM) or a holiday renews the stamp of :class:`~homeward.cases.models.ConfigurationVersion`
in the same transaction (see :func:`_changed`); a reader fetches that stamp (one primary-key read,
once per web request) and rebuilds its snapshot when it differs from the one the snapshot was built at. So a change is
seen by every worker as soon as it commits, and by the transaction that made it at once. The stamp
is random, so a change rolled back, or a database emptied and refilled, never repeats one a process
has cached. The stamp is read before the rows, so a snapshot is never older than its stamp.

Callers get copies of the cached model instances, never the shared ones. A district code the
snapshot does not know is looked up in the database: districts loaded in bulk send no signal.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, TypeVar

import django
from django.conf import settings
from django.db import DJANGO_VERSION_PICKLE_KEY
from django.db.models.signals import m2m_changed, post_delete, post_save

from homeward.cases.choices import HolidayKind
from homeward.cases.models import ConfigurationVersion, Holiday, Office, ServiceType
from homeward.cases.working_days import WorkingCalendar
from homeward.core.context import current
from homeward.places.choices import PlaceLevel
from homeward.places.models import Place

DEFAULT_HOLIDAY_COUNTRY = "AZ"
ModelT = TypeVar("ModelT", ServiceType, Office, Place)


def holiday_country() -> str | None:
    """The country whose public holidays count (``HOMEWARD_HOLIDAY_COUNTRY``; empty for none)."""
    return getattr(settings, "HOMEWARD_HOLIDAY_COUNTRY", DEFAULT_HOLIDAY_COUNTRY) or None


@dataclass
class _Snapshot:
    stamp: uuid.UUID | None
    services: dict[str, ServiceType]
    # district id -> the active offices serving it, by name, each with the ids of the services it
    # handles (empty: every service).
    routes: dict[Any, list[tuple[Office, frozenset[Any]]]]
    days_off: dict[dt.date, str]
    working_days: list[dt.date]
    # code -> district, without its boundary
    districts: dict[str, Place]
    calendars: dict[str | None, WorkingCalendar] = field(default_factory=dict)


_lock = threading.Lock()
_snapshot: _Snapshot | None = None


def _build(stamp: uuid.UUID | None) -> _Snapshot:
    services = {service.code: service for service in ServiceType.objects.all()}
    routes: dict[Any, list[tuple[Office, frozenset[Any]]]] = defaultdict(list)
    offices = Office.objects.filter(is_active=True).order_by("name", "pk").prefetch_related("districts", "services")
    for office in offices:
        handled = frozenset(service.pk for service in office.services.all())
        for district in office.districts.all():
            routes[district.pk].append((office, handled))
    days_off: dict[dt.date, str] = {}
    working: list[dt.date] = []
    for day, label, kind in Holiday.objects.values_list("date", "label", "kind"):
        if kind == HolidayKind.WORKING_DAY:
            working.append(day)
        else:
            days_off[day] = label
    districts = {place.code: place for place in Place.objects.filter(level=PlaceLevel.DISTRICT).defer("boundary")}
    return _Snapshot(stamp, services, dict(routes), days_off, working, districts)


# The stamp a web request read, by request id: read once per request. A request that changes the
# configuration forgets it (``_changed``), so it sees its own change.
_seen = threading.local()


def _stamp() -> uuid.UUID | None:
    context = current()
    if context.origin != "web" or not context.request_id:
        return ConfigurationVersion.current_stamp()
    seen: tuple[str, uuid.UUID | None] | None = getattr(_seen, "stamp", None)
    if seen is not None and seen[0] == context.request_id:
        return seen[1]
    stamp = ConfigurationVersion.current_stamp()
    _seen.stamp = (context.request_id, stamp)
    return stamp


def _current() -> _Snapshot:
    global _snapshot
    stamp = _stamp()
    snapshot = _snapshot
    if snapshot is None or snapshot.stamp != stamp:
        snapshot = _build(stamp)
        with _lock:
            _snapshot = snapshot
    return snapshot


def _copy(instance: ModelT) -> ModelT:
    """A copy of a cached instance, made as pickling makes one (``copy.copy`` takes a slower road
    to the same ``__getstate__``, and every submission copies three)."""
    clone = instance.__class__.__new__(instance.__class__)
    state = {**instance.__getstate__(), DJANGO_VERSION_PICKLE_KEY: django.__version__}  # type: ignore[attr-defined]
    clone.__setstate__(state)  # type: ignore[attr-defined]
    return clone


def service_by_code(code: str) -> ServiceType | None:
    service = _current().services.get(code)
    return _copy(service) if service is not None else None


def district_by_code(code: str) -> Place | None:
    """The district with this code (without its boundary, which loads if read)."""
    district = _current().districts.get(code)
    if district is None:
        return Place.objects.filter(level=PlaceLevel.DISTRICT, code=code).defer("boundary").first()
    return _copy(district)


def office_serving(district_id: Any, service_id: Any) -> Office | None:
    """The active office serving the district that handles the service (the first by name)."""
    for office, handled in _current().routes.get(district_id, ()):
        if not handled or service_id in handled:
            return _copy(office)
    return None


def working_calendar() -> WorkingCalendar:
    """The deployment's calendar: the country's public holidays plus the ``Holiday`` table."""
    snapshot = _current()
    country = holiday_country()
    calendar = snapshot.calendars.get(country)
    if calendar is None:
        calendar = WorkingCalendar(country, extra_days_off=snapshot.days_off, extra_working_days=snapshot.working_days)
        snapshot.calendars[country] = calendar
    return calendar


def _changed(**kwargs: Any) -> None:
    if kwargs.get("raw"):
        return  # loaddata: fixtures are loaded before anything reads them
    _seen.stamp = None
    if "action" in kwargs and not str(kwargs["action"]).startswith("post_"):
        return
    ConfigurationVersion.bump()


def _place_changed(instance: Place, **kwargs: Any) -> None:
    if instance.level == PlaceLevel.DISTRICT:
        _changed(**kwargs)


def connect() -> None:
    """Renew the stamp on every change of the configuration (called once, when the app is ready)."""
    for model in (ServiceType, Office, Holiday):
        post_save.connect(_changed, sender=model, dispatch_uid=f"cases.configuration.save.{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"cases.configuration.delete.{model.__name__}")
    post_save.connect(_place_changed, sender=Place, dispatch_uid="cases.configuration.save.Place")
    post_delete.connect(_place_changed, sender=Place, dispatch_uid="cases.configuration.delete.Place")
    for through in (Office.districts.through, Office.services.through):
        m2m_changed.connect(_changed, sender=through, dispatch_uid=f"cases.configuration.m2m.{through.__name__}")
