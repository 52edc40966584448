"""The supervisor's dashboard: every figure checked against values worked out by hand on a small
fixture, broken down by district, service and office only; the page, its filters and escalations.

The fixture (weekends only, no public holidays; today is Sunday 20 July 2025). Decided, with the
working days on the clock from Monday 2 June (the start day not counted), minus the days waiting:

    A1 passport     Aghdam  decided Mon  9 Jun   5 days            due 23 Jun  on time  issued (approved)
    A2 passport     Aghdam  decided Mon 30 Jun  20 - 3 paused = 17  due 26 Jun  late     refused (rejected)
    A3 citizenship  Fuzuli  decided Wed  4 Jun   2 days            due 25 Aug  on time  granted (approved)
    A4 citizenship  Aghdam  decided Mon 16 Jun  10 days            due 25 Aug  on time  refused (rejected)
    A5 passport     Fuzuli  decided Mon 14 Jul  30 days            due 23 Jun  late     issued (approved)
    A6 passport     Aghdam  decided Wed 15 Jan   7 days from Mon 6 Jan, due 27 Jan, on time, issued

Open: O1 passport Aghdam submitted due 5 Jun (overdue); O2 passport Aghdam in review due 1 Dec;
O3 citizenship Fuzuli information requested due 10 Jun (paused, not overdue); O4 citizenship Fuzuli
screening due 1 Jul (overdue). A draft in Aghdam, and an application in Lachin outside the
supervisor's districts, count nowhere.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from homeward.cases import dashboards, selectors, services
from homeward.cases.dashboards import Bin, Breakdown, Filters
from homeward.cases.models import Application, Office
from homeward.cases.working_days import WorkingCalendar
from homeward.core.context import acting_as
from tests.cases.test_services import set_up_casework

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 7, 20)
JUNE_AND_JULY = Filters(decided_from=dt.date(2025, 6, 1), decided_until=dt.date(2025, 7, 31))
CALENDAR = WorkingCalendar(None)


def at_noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, 12))


@pytest.fixture
def fixture(world, personas, settings, monkeypatch):
    settings.HOMEWARD_HOLIDAY_COUNTRY = ""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: dt.date(2025, 6, 2))
    casework = set_up_casework(world, personas)
    fuzuli_office = Office(name="Fuzuli office", agency=world.migration_service)
    fuzuli_office.save()
    fuzuli_office.districts.set([world.fuzuli])
    fuzuli_office.supervisors.set([personas.supervisor])
    supervisor = personas.supervisor

    def application(service: str, district: str, *, actor=supervisor, submit: bool = True, **fields) -> Application:
        details = {"birth_place": "Ağdam", "current_address": "Ağdam 1", "residence_since": "2020-01-01"}
        with acting_as(actor):
            created = services.create_application(
                services.ApplicationInput(
                    service=service,
                    district=district,
                    given_name="Leyla",
                    family_name="Quliyeva",
                    birth_date=dt.date(1970, 1, 1),
                    contact="+994 50 000 00 00",
                    details=details,
                ),
                actor=actor,
            )
            if submit:
                services.submit_application(created, actor=actor)
        if fields:
            Application.objects.filter(pk=created.pk).update(**fields)
        return Application.objects.get(pk=created.pk)

    def decided(service, district, start, decided_on, due, outcome, result, paused=0) -> Application:
        return application(
            service,
            district,
            state="decided",
            clock_started_on=start,
            due_on=due,
            paused_working_days=paused,
            decided_at=at_noon(decided_on),
            outcome=outcome,
            result=result,
        )

    june2 = dt.date(2025, 6, 2)
    made = {
        "A1": decided("passport", "AZ-AGM", june2, dt.date(2025, 6, 9), dt.date(2025, 6, 23), "approved", "issued"),
        "A2": decided(
            "passport", "AZ-AGM", june2, dt.date(2025, 6, 30), dt.date(2025, 6, 26), "rejected", "refused", paused=3
        ),
        "A3": decided("citizenship", "AZ-FUZ", june2, dt.date(2025, 6, 4), dt.date(2025, 8, 25), "approved", "granted"),
        "A4": decided(
            "citizenship", "AZ-AGM", june2, dt.date(2025, 6, 16), dt.date(2025, 8, 25), "rejected", "refused"
        ),
        "A5": decided("passport", "AZ-FUZ", june2, dt.date(2025, 7, 14), dt.date(2025, 6, 23), "approved", "issued"),
        "A6": decided(
            "passport", "AZ-AGM", dt.date(2025, 1, 6), dt.date(2025, 1, 15), dt.date(2025, 1, 27), "approved", "issued"
        ),
        "O1": application("passport", "AZ-AGM", due_on=dt.date(2025, 6, 5)),
        "O2": application("passport", "AZ-AGM", state="in_review", due_on=dt.date(2025, 12, 1)),
        "O3": application(
            "citizenship",
            "AZ-FUZ",
            state="information_requested",
            due_on=dt.date(2025, 6, 10),
            information_requested_on=dt.date(2025, 6, 5),
        ),
        "O4": application("citizenship", "AZ-FUZ", state="screening", due_on=dt.date(2025, 7, 1)),
        "draft": application("passport", "AZ-AGM", submit=False),
        "lachin": application("passport", "AZ-LAC", actor=personas.caseworker_lachin, due_on=dt.date(2025, 6, 5)),
    }
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    made["offices"] = {"aghdam": casework.aghdam_office, "fuzuli": fuzuli_office}
    return made


def scoped(personas):
    return selectors.applications_visible_to(personas.supervisor)


def build(personas, by: Breakdown, filters: Filters = JUNE_AND_JULY) -> dashboards.Dashboard:
    return dashboards.build(scoped(personas), by=by, filters=filters, today=TODAY, calendar=CALENDAR)


def by_label(rows) -> dict:
    return {row.group.label: row for row in rows}


def service_names(personas) -> tuple[str, str]:
    return selectors.service_by_code("passport").name, selectors.service_by_code("citizenship").name


# --- the figures, by hand -----------------------------------------------------------------------


def test_queue_sizes_by_state_for_each_breakdown(fixture, personas):
    passport, citizenship = service_names(personas)

    by_service = build(personas, Breakdown.SERVICE)
    rows = by_label(by_service.queue)
    assert rows[passport].by_state == {"submitted": 1, "in_review": 1}
    assert rows[citizenship].by_state == {"information_requested": 1, "screening": 1}
    assert by_service.queue_total.counts() == [1, 1, 1, 1, 0]  # submitted, screening, review, info, appealed
    assert by_service.queue_total.total == 4

    by_district = by_label(build(personas, Breakdown.DISTRICT).queue)
    assert {label: row.total for label, row in by_district.items()} == {"Ağdam": 2, "Füzuli": 2}
    by_office = by_label(build(personas, Breakdown.OFFICE).queue)
    assert {label: row.by_state for label, row in by_office.items()} == {
        "Aghdam office": {"submitted": 1, "in_review": 1},
        "Fuzuli office": {"information_requested": 1, "screening": 1},
    }


def test_deadline_compliance_shares_and_open_overdue(fixture, personas):
    passport, citizenship = service_names(personas)
    figures = build(personas, Breakdown.SERVICE)

    total = figures.compliance_total
    assert (total.decided, total.on_time, total.late, total.open_overdue) == (5, 3, 2, 2)
    assert total.share_on_time == pytest.approx(0.6)
    rows = by_label(figures.compliance)
    assert (rows[passport].decided, rows[passport].on_time, rows[passport].open_overdue) == (3, 1, 1)
    assert (rows[citizenship].decided, rows[citizenship].on_time, rows[citizenship].open_overdue) == (2, 2, 1)

    districts = by_label(build(personas, Breakdown.DISTRICT).compliance)
    assert (districts["Ağdam"].decided, districts["Ağdam"].on_time, districts["Ağdam"].open_overdue) == (3, 2, 1)
    assert (districts["Füzuli"].decided, districts["Füzuli"].on_time, districts["Füzuli"].open_overdue) == (2, 1, 1)


def test_time_to_decision_median_90th_percentile_and_histogram(fixture, personas):
    passport, citizenship = service_names(personas)
    figures = build(personas, Breakdown.SERVICE)

    assert figures.times_total.days == (2, 5, 10, 17, 30)
    assert (figures.times_total.median, figures.times_total.p90) == (10.0, 30)
    rows = by_label(figures.times)
    assert (rows[passport].days, rows[passport].median, rows[passport].p90) == ((5, 17, 30), 17.0, 30)
    assert (rows[citizenship].days, rows[citizenship].median, rows[citizenship].p90) == ((2, 10), 6.0, 10)
    assert [(b.low, b.high, b.count) for b in figures.bins] == [
        (0, 4, 1),
        (5, 9, 1),
        (10, 14, 1),
        (15, 19, 1),
        (20, 24, 0),
        (25, 29, 0),
        (30, 34, 1),
    ]


def test_outcomes_by_service(fixture, personas):
    passport, citizenship = service_names(personas)
    figures = build(personas, Breakdown.SERVICE)

    rows = by_label(figures.outcomes)
    assert (rows[passport].approved, rows[passport].rejected, rows[passport].results()) == (
        2,
        1,
        [("issued", 2), ("refused", 1)],
    )
    assert (rows[citizenship].approved, rows[citizenship].rejected) == (1, 1)
    assert rows[citizenship].share_approved == pytest.approx(0.5)
    assert (figures.outcomes_total.approved, figures.outcomes_total.rejected) == (3, 2)


def test_without_a_period_every_standing_decision_counts(fixture, personas):
    figures = build(personas, Breakdown.SERVICE, Filters())

    assert figures.times_total.days == (2, 5, 7, 10, 17, 30)
    assert (figures.times_total.median, figures.times_total.p90) == (8.5, 30)
    assert (figures.compliance_total.decided, figures.compliance_total.on_time) == (6, 4)


def test_filters_narrow_every_figure(fixture, personas, world):
    figures = build(
        personas,
        Breakdown.OFFICE,
        Filters(district_id=world.fuzuli.pk, decided_from=JUNE_AND_JULY.decided_from),
    )

    assert figures.queue_total.total == 2
    assert figures.times_total.days == (2, 30)
    assert (figures.compliance_total.decided, figures.compliance_total.open_overdue) == (2, 1)
    assert [row.group.label for row in figures.outcomes] == ["Fuzuli office"]


def test_figures_are_broken_down_by_district_service_and_office_only(fixture, personas, world):
    assert {by.value for by in Breakdown} == {"district", "service", "office"}
    offices = fixture["offices"]
    expected = {
        Breakdown.DISTRICT: {str(world.aghdam.pk), str(world.fuzuli.pk)},
        Breakdown.SERVICE: {str(selectors.service_by_code(code).pk) for code in ("passport", "citizenship")},
        Breakdown.OFFICE: {str(offices["aghdam"].pk), str(offices["fuzuli"].pk)},
    }
    for by, keys in expected.items():
        figures = build(personas, by)
        for rows in (figures.queue, figures.compliance, figures.times, figures.outcomes):
            assert {row.group.key for row in rows} == keys, by


def test_the_supervisors_scope_bounds_the_figures(fixture, personas):
    everything = dashboards.build(
        Application.objects.all(), by=Breakdown.DISTRICT, filters=Filters(), today=TODAY, calendar=CALENDAR
    )
    assert everything.queue_total.total == 5  # the Lachin application too
    assert build(personas, Breakdown.DISTRICT, Filters()).queue_total.total == 4


# --- the pure pieces -----------------------------------------------------------------------------


def test_percentile_is_the_nearest_rank():
    assert dashboards.percentile([], 90) is None
    assert dashboards.percentile([7], 90) == 7
    assert dashboards.percentile(list(range(1, 11)), 90) == 9
    assert dashboards.percentile(list(range(1, 11)), 91) == 10
    assert dashboards.percentile([3, 1, 2], 50) == 2
    with pytest.raises(ValueError):
        dashboards.percentile([1], 0)


def test_median_of_an_even_count_is_the_mean_of_the_middle_two():
    assert dashboards.median([]) is None
    assert dashboards.median([4, 1, 3, 2]) == 2.5


def test_histogram_bins_have_a_round_width_and_cover_every_value():
    assert dashboards.histogram([]) == []
    assert dashboards.histogram([0, 0, 3]) == [Bin(0, 0, 2), Bin(1, 1, 0), Bin(2, 2, 0), Bin(3, 3, 1)]
    wide = dashboards.histogram([0, 119, 250])
    assert (wide[0].low, wide[0].high, len(wide)) == (0, 49, 6)
    assert sum(b.count for b in wide) == 3
    assert Bin(10, 14, 0).label == "10–14" and Bin(3, 3, 0).label == "3"


def test_the_histogram_picture_matches_its_figures():
    bins = [Bin(0, 4, 2), Bin(5, 9, 4), Bin(10, 14, 1)]
    chart = dashboards.histogram_chart(bins, median_days=6.0, p90_days=10)

    assert chart is not None
    tallest = max(chart.bars, key=lambda bar: bar.bin.count)
    assert tallest.bin.count == 4
    assert chart.bars[0].height == pytest.approx(tallest.height / 2)
    assert all(chart.left <= bar.x and bar.x + bar.width <= chart.right for bar in chart.bars)
    assert all(bar.y + bar.height == pytest.approx(chart.bottom) for bar in chart.bars)
    median, p90 = chart.markers
    # 6.5 and 10.5 days on an axis of 15 days, 580 units wide, from x=44.
    assert median.x == pytest.approx(44 + 6.5 / 15 * 580)
    assert p90.x == pytest.approx(44 + 10.5 / 15 * 580)
    assert dashboards.histogram_chart([], median_days=None, p90_days=None) is None


def test_working_days_to_decision_leave_out_the_wait():
    monday = dt.date(2025, 6, 2)
    assert dashboards.working_days_to_decision(monday, dt.date(2025, 6, 9), 0, CALENDAR) == 5
    assert dashboards.working_days_to_decision(monday, dt.date(2025, 6, 9), 2, CALENDAR) == 3
    assert dashboards.working_days_to_decision(monday, monday, 4, CALENDAR) == 0


# --- the page ------------------------------------------------------------------------------------


def test_the_dashboard_page_shows_the_figures_and_the_escalated_cases(fixture, personas, as_user):
    assert services.escalate_overdue(today=TODAY) == 3  # O1, O4, and the Lachin one (not this supervisor's)
    client = as_user(personas.supervisor)

    html = client.get(
        reverse("cases:dashboard"), {"decided_from": "2025-06-01", "decided_until": "2025-07-31", "by": "service"}
    ).content.decode()

    escalated = set(re.findall(r'data-escalation="([^"]+)"', html))
    assert escalated == {fixture["O1"].reference, fixture["O4"].reference}
    assert 'data-median="10"' in html and 'data-p90="30"' in html
    assert '<svg viewBox="0 0 640 260" role="img"' in html
    assert html.count('class="bar"') == 7
    compliance = html.split('data-section="compliance"')[1].split('data-section="time-to-decision"')[0]
    total = compliance.split('data-group="total"')[1]
    assert "60%" in total and "data-overdue>2<" in total
    assert fixture["lachin"].reference not in html


def test_the_dashboard_offers_only_district_service_and_office_breakdowns(fixture, personas, as_user):
    html = as_user(personas.supervisor).get(reverse("cases:dashboard"), {"by": "language"}).content.decode()

    select = html.split('name="by"')[1].split("</select>")[0]
    assert set(re.findall(r'value="([a-z_]*)"', select)) == {"district", "service", "office"}
    assert "Select a valid choice" in html  # and the default breakdown is used


def test_the_dashboard_is_for_supervisors(fixture, personas, as_user):
    assert as_user(personas.caseworker_aghdam).get(reverse("cases:dashboard")).status_code == 403
    assert as_user(personas.auditor).get(reverse("cases:dashboard")).status_code == 403
