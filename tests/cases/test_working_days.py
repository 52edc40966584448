"""Working-day deadlines: Azerbaijan's 2026 holidays, declared days off and worked days, and the counting laws."""

from __future__ import annotations

import copy
import datetime as dt
import pickle
import time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from homeward.cases import working_days
from homeward.cases.working_days import (
    WEEKEND,
    DayOff,
    DayOffKind,
    DeadlineStatus,
    WorkingCalendar,
    deadline_status,
)

D = dt.date
AZ = WorkingCalendar("AZ")
# A Saturday worked, a holiday worked by decree, a bridge day off, one each side of New Year.
AZ_WITH_DECREES = WorkingCalendar(
    "AZ",
    extra_working_days={D(2026, 11, 7), D(2026, 3, 27), D(2027, 1, 9)},
    extra_days_off={D(2026, 6, 25): "Decree 412: day off moved", D(2026, 12, 30): "Decree 415: bridge day"},
)
NO_COUNTRY_FRIDAY_SATURDAY = WorkingCalendar(None, weekend={4, 5})
NO_COUNTRY_SUNDAY_ONLY = WorkingCalendar(
    None, weekend={6}, extra_days_off={D(2026, 1, 1): "New Year"}, extra_working_days={D(2026, 1, 4)}
)
FIXED_CALENDARS = [AZ, AZ_WITH_DECREES, NO_COUNTRY_FRIDAY_SATURDAY, NO_COUNTRY_SUNDAY_ONLY]


def naive_add(calendar: WorkingCalendar, start: dt.date, n: int) -> dt.date:
    step = dt.timedelta(days=1 if n > 0 else -1)
    day, left = start, abs(n)
    while left:
        day += step
        left -= calendar.is_working_day(day)
    return day


def naive_between(calendar: WorkingCalendar, start: dt.date, end: dt.date) -> int:
    if end >= start:
        return sum(calendar.is_working_day(start + dt.timedelta(days=k)) for k in range(1, (end - start).days + 1))
    return -sum(calendar.is_working_day(end + dt.timedelta(days=k)) for k in range((start - end).days))


def days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=k) for k in range((last - first).days + 1)]


# --- Azerbaijan 2026 ---------------------------------------------------------------------------


def test_the_novruz_and_eid_block_of_2026_is_off_with_each_days_name() -> None:
    assert AZ.is_working_day(D(2026, 3, 19))
    assert [AZ.day_off_reason(day) for day in days(D(2026, 3, 20), D(2026, 3, 31))] == [
        "Eid al-Fitr; Spring Festival",
        "Eid al-Fitr; Spring Festival",
        "Spring Festival",
        "Spring Festival",
        "Spring Festival",
        "Eid al-Fitr (observed)",
        "Spring Festival (observed)",
        "Spring Festival (observed)",
        WEEKEND,
        WEEKEND,
        "Eid al-Fitr (observed)",
        None,
    ]


def test_a_case_received_before_novruz_is_due_after_the_whole_block() -> None:
    assert AZ.add_working_days(D(2026, 3, 19), 1) == D(2026, 3, 31)
    assert AZ.next_working_day(D(2026, 3, 19)) == D(2026, 3, 31)
    assert AZ.working_days_between(D(2026, 3, 19), D(2026, 3, 31)) == 1
    assert AZ.add_working_days(D(2026, 3, 16), 10) == D(2026, 4, 8)


def test_victory_and_flag_days_of_november_2026_with_the_observed_tuesday() -> None:
    assert [AZ.day_off_reason(day) for day in days(D(2026, 11, 8), D(2026, 11, 11))] == [
        "Victory Day",
        "National Flag Day",
        "Victory Day (observed)",
        None,
    ]
    assert AZ.add_working_days(D(2026, 11, 6), 1) == D(2026, 11, 11)


def test_a_deadline_across_new_year_uses_the_next_years_holidays() -> None:
    # Dec 30 worked; Dec 31, Jan 1 holidays; Jan 2 a Saturday holiday; Jan 4 its observed Monday.
    assert AZ.add_working_days(D(2026, 12, 29), 3) == D(2027, 1, 6)
    assert AZ.add_working_days(D(2027, 1, 6), -3) == D(2026, 12, 29)
    assert AZ.days_off(D(2026, 12, 29), D(2027, 1, 6), include_weekends=False) == (
        DayOff(D(2026, 12, 31), "International Azerbaijanis Solidarity Day", DayOffKind.PUBLIC_HOLIDAY),
        DayOff(D(2027, 1, 1), "New Year's Day", DayOffKind.PUBLIC_HOLIDAY),
        DayOff(D(2027, 1, 2), "New Year's Day", DayOffKind.PUBLIC_HOLIDAY),
        DayOff(D(2027, 1, 4), "New Year's Day (observed)", DayOffKind.PUBLIC_HOLIDAY),
    )
    assert DayOff(D(2027, 1, 3), WEEKEND, DayOffKind.WEEKEND) in AZ.days_off(D(2026, 12, 29), D(2027, 1, 6))


def test_holidays_are_fetched_a_year_at_a_time_when_first_needed_and_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    fetched: list[Any] = []
    real = working_days.holidays.country_holidays

    def recording(*args: Any, **kwargs: Any) -> Any:
        fetched.append(kwargs["years"])
        return real(*args, **kwargs)

    monkeypatch.setattr(working_days.holidays, "country_holidays", recording)
    calendar = WorkingCalendar("AZ")
    assert fetched == []
    assert calendar.add_working_days(D(2026, 12, 29), 3) == D(2027, 1, 6)
    assert fetched == [2026, 2027]
    calendar.add_working_days(D(2026, 12, 1), 20)
    calendar.days_off(D(2026, 1, 1), D(2027, 12, 31))
    assert fetched == [2026, 2027]


def test_holiday_names_in_azerbaijani() -> None:
    calendar = WorkingCalendar("AZ", language="az")
    assert calendar.day_off_reason(D(2026, 1, 1)) == "Yeni il bayramı"
    assert calendar.add_working_days(D(2026, 3, 19), 1) == D(2026, 3, 31)


# --- the deployment's own decrees --------------------------------------------------------------


def test_a_saturday_declared_worked_counts_as_a_working_day() -> None:
    saturday = D(2026, 11, 7)
    assert not AZ.is_working_day(saturday)
    assert AZ_WITH_DECREES.is_working_day(saturday)
    assert AZ_WITH_DECREES.day_off_reason(saturday) is None
    assert AZ_WITH_DECREES.add_working_days(D(2026, 11, 6), 1) == saturday
    assert AZ_WITH_DECREES.working_days_between(D(2026, 11, 6), D(2026, 11, 11)) == 2


def test_a_holiday_declared_worked_counts_as_a_working_day() -> None:
    assert AZ_WITH_DECREES.is_working_day(D(2026, 3, 27))
    assert AZ_WITH_DECREES.add_working_days(D(2026, 3, 19), 1) == D(2026, 3, 27)
    assert AZ_WITH_DECREES.add_working_days(D(2026, 3, 19), 2) == D(2026, 3, 31)


def test_a_declared_day_off_moves_the_deadline_and_shows_its_label() -> None:
    # Thursday off by decree, Friday Armed Forces Day, then the weekend.
    assert AZ.add_working_days(D(2026, 6, 24), 1) == D(2026, 6, 25)
    assert AZ_WITH_DECREES.add_working_days(D(2026, 6, 24), 1) == D(2026, 6, 29)
    assert AZ_WITH_DECREES.days_off(D(2026, 6, 24), D(2026, 6, 29)) == (
        DayOff(D(2026, 6, 25), "Decree 412: day off moved", DayOffKind.DECLARED),
        DayOff(D(2026, 6, 26), "Armed Forces Day", DayOffKind.PUBLIC_HOLIDAY),
        DayOff(D(2026, 6, 27), WEEKEND, DayOffKind.WEEKEND),
        DayOff(D(2026, 6, 28), WEEKEND, DayOffKind.WEEKEND),
    )


def test_a_declared_day_off_across_new_year_counts_in_its_own_year() -> None:
    assert AZ_WITH_DECREES.add_working_days(D(2026, 12, 29), 3) == D(2027, 1, 7)
    # 5 to 9 January (Saturday the 9th worked) and Monday the 11th.
    assert AZ_WITH_DECREES.working_days_between(D(2026, 12, 29), D(2027, 1, 11)) == 6


def test_without_a_country_only_weekends_and_declared_days_are_off() -> None:
    calendar = WorkingCalendar(None, extra_days_off={D(2026, 3, 20): "Novruz"}, extra_working_days={D(2026, 3, 21)})
    assert calendar.is_working_day(D(2026, 1, 1))
    assert calendar.day_off_reason(D(2026, 1, 3)) == WEEKEND
    assert calendar.day_off_reason(D(2026, 3, 20)) == "Novruz"
    assert calendar.is_working_day(D(2026, 3, 21))
    assert calendar.add_working_days(D(2026, 3, 19), 2) == D(2026, 3, 23)


def test_the_weekend_is_configurable() -> None:
    thursday = D(2026, 4, 2)
    assert NO_COUNTRY_FRIDAY_SATURDAY.add_working_days(thursday, 1) == D(2026, 4, 5)
    assert NO_COUNTRY_FRIDAY_SATURDAY.is_working_day(D(2026, 4, 5))
    assert NO_COUNTRY_SUNDAY_ONLY.add_working_days(D(2026, 4, 3), 1) == D(2026, 4, 4)


# --- conventions -------------------------------------------------------------------------------


def test_the_start_day_does_not_count_worked_or_not() -> None:
    friday, saturday, monday = D(2026, 4, 3), D(2026, 4, 4), D(2026, 4, 6)
    assert AZ.add_working_days(friday, 1) == monday
    assert AZ.add_working_days(saturday, 1) == monday
    assert AZ.working_days_between(saturday, monday) == 1


def test_zero_working_days_is_the_start_itself_even_on_a_day_off() -> None:
    saturday = D(2026, 4, 4)
    assert AZ.add_working_days(saturday, 0) == saturday
    assert AZ.working_days_between(saturday, saturday) == 0


def test_negative_days_count_back_from_before_the_start() -> None:
    monday = D(2026, 4, 6)
    assert AZ.add_working_days(monday, -1) == D(2026, 4, 3)
    assert AZ.working_days_between(monday, D(2026, 4, 3)) == -1
    assert AZ.working_days_between(D(2026, 4, 4), D(2026, 4, 3)) == -1


def test_ten_thousand_working_days_are_quick_and_exact() -> None:
    calendar = WorkingCalendar("AZ", extra_days_off={D(2040, 5, 2): "Decree"}, extra_working_days={D(2050, 6, 4)})
    began = time.perf_counter()
    deadline = calendar.add_working_days(D(2026, 1, 5), 10_000)
    back = calendar.add_working_days(deadline, -10_000)
    between = calendar.working_days_between(D(2026, 1, 5), deadline)
    elapsed = time.perf_counter() - began
    assert deadline == naive_add(calendar, D(2026, 1, 5), 10_000)
    assert back == naive_add(calendar, deadline, -10_000)
    assert between == 10_000
    assert elapsed < 2.0, f"10,000 working days took {elapsed:.2f} s"


# --- refusals ----------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["XX", "az", "Azerbaijan", ""])
def test_an_unknown_country_is_refused_by_name(code: str) -> None:
    with pytest.raises(ValueError, match=f"unknown country code {code!r}"):
        WorkingCalendar(code)


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="'xx'"):
        WorkingCalendar("AZ", language="xx")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"weekend": {7}}, "weekday numbers"),
        ({"weekend": {-1, 6}}, "weekday numbers"),
        ({"weekend": range(7)}, "no working day"),
        ({"extra_days_off": {D(2026, 5, 1): ""}}, "need a label"),
        ({"extra_days_off": {D(2026, 5, 2): "x"}, "extra_working_days": [D(2026, 5, 2)]}, "both off and worked"),
    ],
)
def test_an_inconsistent_calendar_is_refused(arguments: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        WorkingCalendar(None, **arguments)


def test_a_datetime_is_refused_where_a_date_is_meant() -> None:
    moment = dt.datetime(2026, 4, 6, 9, 0, tzinfo=dt.UTC)
    with pytest.raises(TypeError, match=r"datetime\.date"):
        AZ.add_working_days(moment, 1)
    with pytest.raises(TypeError, match=r"datetime\.date"):
        WorkingCalendar(None, extra_working_days=[moment])
    with pytest.raises(TypeError, match=r"datetime\.date"):
        deadline_status(D(2026, 4, 6), moment, AZ)


def test_days_off_needs_an_ordered_span() -> None:
    with pytest.raises(ValueError, match="start <= end"):
        AZ.days_off(D(2026, 4, 6), D(2026, 4, 5))


# --- the calendar as a value -------------------------------------------------------------------


def test_a_calendar_is_an_immutable_value() -> None:
    same = WorkingCalendar(
        "AZ",
        extra_working_days=[D(2027, 1, 9), D(2026, 3, 27), D(2026, 11, 7)],
        extra_days_off={D(2026, 12, 30): "Decree 415: bridge day", D(2026, 6, 25): "Decree 412: day off moved"},
    )
    assert same == AZ_WITH_DECREES
    assert hash(same) == hash(AZ_WITH_DECREES)
    assert same != AZ
    assert pickle.loads(pickle.dumps(AZ_WITH_DECREES)) == AZ_WITH_DECREES  # noqa: S301 - our own bytes
    assert copy.deepcopy(AZ_WITH_DECREES).add_working_days(D(2026, 3, 19), 1) == D(2026, 3, 27)
    with pytest.raises(AttributeError):
        AZ.country = "GE"  # type: ignore[misc]
    with pytest.raises(TypeError):
        AZ_WITH_DECREES.extra_days_off[D(2026, 1, 5)] = "sneaked in"  # type: ignore[index]


# --- deadline status ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "within", "status"),
    [
        (D(2026, 3, 16), 2, DeadlineStatus.ON_TIME),  # 17, 18, 19 and 31 March still to work
        (D(2026, 3, 16), 4, DeadlineStatus.DUE_SOON),
        (D(2026, 3, 18), 2, DeadlineStatus.DUE_SOON),
        (D(2026, 3, 19), 2, DeadlineStatus.DUE_SOON),  # twelve calendar days, one working day
        (D(2026, 3, 19), 0, DeadlineStatus.ON_TIME),
        (D(2026, 3, 31), 0, DeadlineStatus.DUE_SOON),  # the deadline day itself is not late
        (D(2026, 4, 1), 2, DeadlineStatus.OVERDUE),
    ],
)
def test_deadline_status_counts_working_days_to_the_deadline(today: dt.date, within: int, status: str) -> None:
    assert deadline_status(D(2026, 3, 31), today, AZ, due_soon_within=within) == status


def test_deadline_status_defaults_to_two_working_days() -> None:
    assert deadline_status(D(2026, 4, 8), D(2026, 4, 6), AZ) == DeadlineStatus.DUE_SOON
    assert deadline_status(D(2026, 4, 9), D(2026, 4, 6), AZ) == DeadlineStatus.ON_TIME
    assert deadline_status(D(2026, 4, 9), D(2026, 4, 6), AZ) == "on_time"


def test_deadline_status_refuses_a_negative_window() -> None:
    with pytest.raises(ValueError, match="due_soon_within"):
        deadline_status(D(2026, 4, 8), D(2026, 4, 6), AZ, due_soon_within=-1)


# --- properties --------------------------------------------------------------------------------

wide_dates = st.dates(D(2000, 1, 1), D(2060, 12, 31))
near_decrees = st.dates(D(2025, 12, 1), D(2027, 2, 28))
starts = st.one_of(wide_dates, near_decrees)
fixed_calendars = st.sampled_from(FIXED_CALENDARS)
window = st.dates(D(2025, 6, 1), D(2027, 6, 30))


@st.composite
def calendars(draw: st.DrawFn) -> WorkingCalendar:
    worked = draw(st.frozensets(window, max_size=8))
    off = draw(st.dictionaries(window.filter(lambda day: day not in worked), st.just("decree"), max_size=8))
    return WorkingCalendar(
        draw(st.sampled_from([None, "AZ"])),
        weekend=draw(st.frozensets(st.integers(0, 6), max_size=6)),
        extra_days_off=off,
        extra_working_days=worked,
    )


@settings(deadline=None)
@given(calendar=fixed_calendars, start=starts, n=st.integers(-800, 800))
def test_the_deadline_is_a_working_day_that_round_trips(calendar: WorkingCalendar, start: dt.date, n: int) -> None:
    deadline = calendar.add_working_days(start, n)
    if n != 0:
        assert calendar.is_working_day(deadline)
    assert calendar.working_days_between(start, deadline) == n


@settings(deadline=None)
@given(calendar=fixed_calendars, start=starts, n=st.integers(-800, 800), more=st.integers(1, 400))
def test_more_working_days_give_a_strictly_later_deadline(
    calendar: WorkingCalendar, start: dt.date, n: int, more: int
) -> None:
    assert calendar.add_working_days(start, n) < calendar.add_working_days(start, n + more)


@settings(deadline=None)
@given(calendar=fixed_calendars, start=starts, n=st.integers(0, 800))
def test_n_working_days_are_never_fewer_than_n_calendar_days(calendar: WorkingCalendar, start: dt.date, n: int) -> None:
    assert calendar.add_working_days(start, n) >= start + dt.timedelta(days=n)
    assert calendar.add_working_days(start, -n) <= start - dt.timedelta(days=n)


@settings(deadline=None)
@given(calendar=calendars(), start=window, n=st.integers(-150, 150), end=window)
def test_counting_agrees_with_walking_day_by_day(
    calendar: WorkingCalendar, start: dt.date, n: int, end: dt.date
) -> None:
    assert calendar.add_working_days(start, n) == naive_add(calendar, start, n)
    assert calendar.working_days_between(start, end) == naive_between(calendar, start, end)


@settings(deadline=None)
@given(calendar=calendars(), start=window, span=st.integers(0, 120))
def test_every_day_is_either_worked_or_listed_off_with_a_reason(
    calendar: WorkingCalendar, start: dt.date, span: int
) -> None:
    end = start + dt.timedelta(days=span)
    listed = calendar.days_off(start, end)
    assert all(calendar.day_off_reason(day.day) == day.reason for day in listed)
    assert all(calendar.is_working_day(day) == (calendar.day_off_reason(day) is None) for day in days(start, end))
    # Days in (start, end]: each is worked or listed off.
    assert calendar.working_days_between(start, end) + len([day for day in listed if day.day != start]) == span
    following = calendar.next_working_day(end)
    assert following > end
    assert calendar.is_working_day(following)
    assert not any(calendar.is_working_day(day) for day in days(end + dt.timedelta(days=1), following)[:-1])
