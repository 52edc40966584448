"""The casework configuration cached per process: every change of a service, an office, a district or
a holiday is seen at once, by the transaction that made it and by every later read; a rolled-back
change never is."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from homeward.cases import configuration, selectors
from homeward.cases.models import ConfigurationVersion, Holiday, Office
from homeward.core.bulk_insert import insert_new_rows
from homeward.core.context import acting_as
from homeward.places.choices import PlaceLevel, PlaceSource
from homeward.places.models import Place
from tests.cases.test_services import set_up_casework

A_MONDAY = dt.date(2031, 3, 3)


@pytest.fixture
def casework(world, personas):
    return set_up_casework(world, personas)


def test_a_warm_read_costs_one_query(casework):
    selectors.working_calendar()
    with CaptureQueriesContext(connection) as queries:
        selectors.service_by_code("passport")
        selectors.working_calendar()
        configuration.office_serving(casework.world.aghdam.pk, selectors.service_by_code("passport").pk)

    assert len(queries.captured_queries) == 4  # the stamp, once per read


def test_a_web_request_reads_the_stamp_once_and_sees_its_own_changes(casework, personas):
    selectors.working_calendar()
    with acting_as(personas.supervisor, origin="web"):
        with CaptureQueriesContext(connection) as queries:
            selectors.service_by_code("passport")
            selectors.working_calendar()
            selectors.working_calendar()
        assert len(queries.captured_queries) == 1

        with transaction.atomic():
            Holiday(date=A_MONDAY, label="Decree").save()
            assert not selectors.working_calendar().is_working_day(A_MONDAY)
    with acting_as(personas.supervisor, origin="web"), CaptureQueriesContext(connection) as queries:
        assert not selectors.working_calendar().is_working_day(A_MONDAY)  # the next request reads it again
    assert any("stamp" in query["sql"] for query in queries.captured_queries)


def test_a_new_holiday_is_seen_at_once_and_a_rolled_back_one_never(casework):
    assert selectors.working_calendar().is_working_day(A_MONDAY)
    with pytest.raises(RuntimeError), transaction.atomic():
        Holiday(date=A_MONDAY, label="Decree").save()
        assert not selectors.working_calendar().is_working_day(A_MONDAY)
        raise RuntimeError("undo")
    assert selectors.working_calendar().is_working_day(A_MONDAY)

    Holiday(date=A_MONDAY, label="Decree").save()
    assert not selectors.working_calendar().is_working_day(A_MONDAY)


def test_office_routing_follows_its_districts_and_services(casework, world):
    passport = selectors.service_by_code("passport")
    assert configuration.office_serving(world.aghdam.pk, passport.pk).pk == casework.aghdam_office.pk

    casework.aghdam_office.services.set([selectors.service_by_code("pension")])
    assert configuration.office_serving(world.aghdam.pk, passport.pk) is None

    casework.aghdam_office.services.clear()
    casework.aghdam_office.districts.set([world.lachin])
    assert configuration.office_serving(world.aghdam.pk, passport.pk) is None
    assert [configuration.office_serving(world.lachin.pk, passport.pk).name] == ["Aghdam office"]


def test_a_service_change_is_seen_and_callers_get_copies(casework):
    service = selectors.service_by_code("passport")
    service.deadline_working_days = 99  # a copy: the cache is not touched
    assert selectors.service_by_code("passport").deadline_working_days != 99

    service.save(update_fields=["deadline_working_days"])
    assert selectors.service_by_code("passport").deadline_working_days == 99


def test_every_change_draws_a_new_stamp(casework):
    before = ConfigurationVersion.current_stamp()
    Office.objects.get(pk=casework.lachin_office.pk).save()
    assert ConfigurationVersion.current_stamp() not in {before, None}


def test_districts_come_from_the_snapshot_and_follow_changes(casework, world, personas):
    configuration.district_by_code("AZ-AGM")
    with CaptureQueriesContext(connection) as queries:
        found = selectors.district_by_code(personas.caseworker_aghdam, "AZ-AGM")
    assert found.pk == world.aghdam.pk
    assert len(queries.captured_queries) == 1  # the stamp
    found.name = "Changed in a copy"
    assert configuration.district_by_code("AZ-AGM").name == world.aghdam.name

    world.aghdam.name = "Ağdam rayonu"
    world.aghdam.save()
    assert configuration.district_by_code("AZ-AGM").name == "Ağdam rayonu"
    assert configuration.district_by_code("AZ-NOWHERE") is None


def test_a_district_loaded_in_bulk_without_signals_is_still_found(casework):
    configuration.district_by_code("AZ-AGM")  # the snapshot is built before the load
    insert_new_rows(Place, [Place(level=PlaceLevel.DISTRICT, code="AZ-NEW", name="New", source=PlaceSource.IMPORT)])

    assert configuration.district_by_code("AZ-NEW").name == "New"
