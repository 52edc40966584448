"""Working days for casework deadlines: a country's public holidays, a deployment's own decrees, a weekend.

Each service promises an answer within so many working days. A :class:`WorkingCalendar` says which
days are worked and why the others are not, counts working days between two dates and finds the
deadline ``n`` working days after a start; :func:`deadline_status` says whether a case is on time,
due soon or overdue.

A day is worked when the deployment declared it a working day (a Saturday worked in exchange for a
bridge day), or else when it is neither a declared day off, nor a public holiday, nor a weekend day.
Public holidays come from the ``holidays`` package (its Azerbaijan calendar already includes the
observed and transferred days), fetched a year at a time when first needed and kept.

Pure: no Django, no I/O beyond the ``holidays`` package's built-in tables.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from enum import StrEnum
from functools import cache
from types import MappingProxyType
from typing import NamedTuple

import holidays

WEEKEND = "weekend"
"""The reason given for a day off that is only a weekend day."""

SATURDAY_AND_SUNDAY: frozenset[int] = frozenset({5, 6})
"""The default weekend, as :meth:`datetime.date.weekday` numbers (Monday is 0)."""

_NO_DAYS_OFF: Mapping[dt.date, str] = MappingProxyType({})
_ONE_DAY = dt.timedelta(days=1)


class DayOffKind(StrEnum):
    PUBLIC_HOLIDAY = "public_holiday"
    DECLARED = "declared"
    WEEKEND = "weekend"


class DayOff(NamedTuple):
    """A day not worked, and why: the holiday's name, the deployment's label, or ``"weekend"``."""

    day: dt.date
    reason: str
    kind: DayOffKind


class DeadlineStatus(StrEnum):
    ON_TIME = "on_time"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


class _Year(NamedTuple):
    """One year's public holidays, and its departures from the weekday rule for fast counting.

    ``departures`` are the sorted days whose status differs from what their weekday alone says: a
    weekday not worked counts -1, a weekend day worked +1; ``running[i]`` is the sum of the first
    ``i``. Working days in a span are then the weekday rule's count plus a difference of two sums.
    """

    holidays: dict[dt.date, str]
    departures: tuple[dt.date, ...]
    running: tuple[int, ...]


@cache
def _supported_countries() -> frozenset[str]:
    return frozenset(holidays.list_supported_countries(include_aliases=True))


@cache
def _localized_countries() -> Mapping[str, frozenset[str]]:
    return {code: frozenset(languages) for code, languages in holidays.list_localized_countries().items()}


def _require_date(value: object, name: str) -> dt.date:
    # A datetime is a date to isinstance, but comparing one with a date raises, far from the cause.
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise TypeError(f"{name} must be a datetime.date, not {type(value).__name__}")
    return value


class WorkingCalendar:
    """Which days are worked in a deployment; immutable, safe to share between threads.

    ``country`` is a code the ``holidays`` package knows (``"AZ"``), or ``None`` for no public
    holidays at all. ``weekend`` holds weekday numbers (Monday 0 … Sunday 6). ``extra_days_off``
    maps the deployment's own days off to a label shown to users (``"Decree 123: day off moved"``);
    ``extra_working_days`` are days declared worked, whatever their weekday or holiday — the two must
    not share a day. ``language`` picks the holiday names' language where the package has it
    (``"az"``, ``"en_US"``); without a country it has nothing to name and is ignored.

    Raises :class:`ValueError` for an unknown country or language, a weekend outside 0–6 or of all
    seven days, an empty label, or a day both off and worked.

    Conventions: the start day never counts. ``add_working_days(start, n)`` is the ``n``-th working
    day after ``start`` (before it when ``n`` is negative), and ``add_working_days(start, 0)`` is
    ``start`` itself, worked or not, so that ``working_days_between(start, add_working_days(start,
    n)) == n`` for every ``n``.
    """

    __slots__ = (
        "_by_year",
        "_country",
        "_extra_days_off",
        "_extra_working_days",
        "_extras_by_year",
        "_language",
        "_rule",
        "_rule_running",
        "_weekend",
    )

    def __init__(
        self,
        country: str | None,
        *,
        weekend: Iterable[int] = SATURDAY_AND_SUNDAY,
        extra_days_off: Mapping[dt.date, str] = _NO_DAYS_OFF,
        extra_working_days: Iterable[dt.date] = (),
        language: str | None = None,
    ) -> None:
        if country is not None and country not in _supported_countries():
            raise ValueError(
                f"unknown country code {country!r}: the holidays package has no calendar for it "
                "(use an ISO 3166-1 code such as 'AZ', or None for weekends and declared days only)"
            )
        if language is not None and country is not None and language not in _localized_countries().get(country, ()):
            known = ", ".join(sorted(_localized_countries().get(country, ()))) or "none"
            raise ValueError(f"no holiday names in language {language!r} for {country} (available: {known})")
        weekend = frozenset(weekend)
        if not weekend <= frozenset(range(7)):
            raise ValueError(f"weekend days must be weekday numbers 0 (Monday) to 6 (Sunday), got {sorted(weekend)}")
        if len(weekend) == 7:
            raise ValueError("a weekend of all seven days leaves no working day")
        days_off = {_require_date(day, "a day off"): label for day, label in extra_days_off.items()}
        unlabelled = sorted(day for day, label in days_off.items() if not label)
        if unlabelled:
            raise ValueError(f"days off need a label to show why they are off: {', '.join(map(str, unlabelled))}")
        working = frozenset(_require_date(day, "a working day") for day in extra_working_days)
        both = sorted(working & days_off.keys())
        if both:
            raise ValueError(f"days declared both off and worked: {', '.join(map(str, both))}")

        self._country = country
        self._language = language
        self._weekend = weekend
        self._extra_days_off = days_off
        self._extra_working_days = working
        self._rule = tuple(weekday not in weekend for weekday in range(7))
        self._rule_running = tuple(sum(self._rule[:weekday]) for weekday in range(8))
        extras_by_year: dict[int, list[dt.date]] = {}
        for day in (*days_off, *working):
            extras_by_year.setdefault(day.year, []).append(day)
        self._extras_by_year = extras_by_year
        # Filled lazily; a race only computes the same year twice, with the same result.
        self._by_year: dict[int, _Year] = {}

    @property
    def country(self) -> str | None:
        return self._country

    @property
    def language(self) -> str | None:
        return self._language

    @property
    def weekend(self) -> frozenset[int]:
        return self._weekend

    @property
    def extra_days_off(self) -> Mapping[dt.date, str]:
        return MappingProxyType(self._extra_days_off)

    @property
    def extra_working_days(self) -> frozenset[dt.date]:
        return self._extra_working_days

    def _key(self) -> tuple[object, ...]:
        return (
            self._country,
            self._language,
            self._weekend,
            frozenset(self._extra_days_off.items()),
            self._extra_working_days,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, WorkingCalendar):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"WorkingCalendar({self._country!r}, weekend={sorted(self._weekend)}, "
            f"extra_days_off={len(self._extra_days_off)} days, "
            f"extra_working_days={len(self._extra_working_days)} days, language={self._language!r})"
        )

    # --- one day -------------------------------------------------------------------------------

    def is_working_day(self, day: dt.date) -> bool:
        """Whether ``day`` is worked."""
        return self._day_off(_require_date(day, "day")) is None

    def day_off_reason(self, day: dt.date) -> str | None:
        """Why ``day`` is not worked — the declared label, the holiday's name, or ``"weekend"`` — or
        ``None`` when it is worked. A holiday on a weekend day gives the holiday's name."""
        found = self._day_off(_require_date(day, "day"))
        return None if found is None else found.reason

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day strictly after ``day``."""
        return self.add_working_days(day, 1)

    def _day_off(self, day: dt.date) -> DayOff | None:
        if day in self._extra_working_days:
            return None
        label = self._extra_days_off.get(day)
        if label is not None:
            return DayOff(day, label, DayOffKind.DECLARED)
        name = self._year(day.year).holidays.get(day)
        if name is not None:
            return DayOff(day, name, DayOffKind.PUBLIC_HOLIDAY)
        if not self._rule[day.weekday()]:
            return DayOff(day, WEEKEND, DayOffKind.WEEKEND)
        return None

    # --- spans ---------------------------------------------------------------------------------

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days from ``start`` to ``end``, signed, the start day not counted.

        For ``end >= start``: the working days in ``start < day <= end``; for ``end < start``: minus
        the working days in ``end <= day < start``. So ``working_days_between(s, add_working_days(s,
        n)) == n`` for every ``n``, and a deadline on the next working day is 1 away.
        """
        start = _require_date(start, "start")
        end = _require_date(end, "end")
        if end >= start:
            return self._count(start, end)
        return -self._count(end - _ONE_DAY, start - _ONE_DAY)

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The deadline ``n`` working days after ``start``: the ``n``-th working day after it.

        The start day does not count, worked or not: a case received on Friday with one working day
        is due on Monday (with a normal weekend), and one received on Saturday is due on Monday too.
        ``n == 0`` gives ``start`` itself; a negative ``n`` gives the ``-n``-th working day before
        ``start``. For ``n != 0`` the result is always a working day. Counts whole years at a time,
        so ``n`` in the tens of thousands is quick.
        """
        start = _require_date(start, "start")
        if n == 0:
            return start
        if n > 0:
            return self._forward(start, n)
        return self._backward(start, -n)

    def days_off(self, start: dt.date, end: dt.date, *, include_weekends: bool = True) -> tuple[DayOff, ...]:
        """The days not worked in ``start <= day <= end``, in order, each with its reason.

        Meant for showing on a case why its deadline falls where it does. With ``include_weekends``
        false, days off only because of the weekend are left out (a holiday on a Sunday stays).
        """
        start = _require_date(start, "start")
        end = _require_date(end, "end")
        if end < start:
            raise ValueError(f"days_off needs start <= end, got {start} > {end}")
        found: list[DayOff] = []
        for offset in range((end - start).days + 1):
            day_off = self._day_off(start + dt.timedelta(days=offset))
            if day_off is not None and (include_weekends or day_off.kind is not DayOffKind.WEEKEND):
                found.append(day_off)
        return tuple(found)

    # --- counting ------------------------------------------------------------------------------

    def _rule_count(self, ordinal: int) -> int:
        """Weekday-rule working days among ordinals 1..ordinal (ordinal 1, 0001-01-01, is a Monday)."""
        weeks, rest = divmod(ordinal, 7)
        return weeks * self._rule_running[7] + self._rule_running[rest]

    def _count(self, after: dt.date, through: dt.date) -> int:
        """Working days in ``after < day <= through`` (``after <= through``)."""
        count = self._rule_count(through.toordinal()) - self._rule_count(after.toordinal())
        for year in range(after.year, through.year + 1):
            entry = self._year(year)
            low = bisect_right(entry.departures, after) if year == after.year else 0
            high = bisect_right(entry.departures, through) if year == through.year else len(entry.departures)
            count += entry.running[high] - entry.running[low]
        return count

    def _first_guess(self, n: int) -> dt.timedelta:
        # The span that n working days take with no holidays, plus a week of slack.
        return dt.timedelta(days=n * 7 // self._rule_running[7] + 7)

    def _forward(self, start: dt.date, n: int) -> dt.date:
        # The smallest day after start with n working days in (start, day]: that day is worked.
        step = self._first_guess(n)
        low, high = start, start + step
        while self._count(start, high) < n:
            low, step = high, step * 2
            high = start + step
        while (high - low).days > 1:
            middle = low + dt.timedelta(days=(high - low).days // 2)
            if self._count(start, middle) >= n:
                high = middle
            else:
                low = middle
        return high

    def _backward(self, start: dt.date, n: int) -> dt.date:
        # The largest day before start with n working days in [day, start): that day is worked.
        before = start - _ONE_DAY
        step = self._first_guess(n)
        low, high = start - step, start
        while self._count(low - _ONE_DAY, before) < n:
            high, step = low, step * 2
            low = start - step
        while (high - low).days > 1:
            middle = low + dt.timedelta(days=(high - low).days // 2)
            if self._count(middle - _ONE_DAY, before) >= n:
                low = middle
            else:
                high = middle
        return low

    def _year(self, year: int) -> _Year:
        entry = self._by_year.get(year)
        if entry is None:
            entry = self._build_year(year)
            self._by_year[year] = entry
        return entry

    def _build_year(self, year: int) -> _Year:
        names: dict[dt.date, str] = {}
        if self._country is not None:
            table = holidays.country_holidays(self._country, years=year, language=self._language)
            names = {day: name for day, name in table.items() if day.year == year}
        departures: list[tuple[dt.date, int]] = []
        for day in sorted({*names, *self._extras_by_year.get(year, ())}):
            if day in self._extra_working_days:
                worked = True
            else:
                worked = day not in self._extra_days_off and day not in names and self._rule[day.weekday()]
            if worked != self._rule[day.weekday()]:
                departures.append((day, 1 if worked else -1))
        running = [0]
        for _, change in departures:
            running.append(running[-1] + change)
        return _Year(names, tuple(day for day, _ in departures), tuple(running))


def deadline_status(
    deadline: dt.date, today: dt.date, calendar: WorkingCalendar, *, due_soon_within: int = 2
) -> DeadlineStatus:
    """Where a case stands against its deadline on ``today``.

    Overdue once ``today`` is past the deadline (the deadline day itself is still on time); due soon
    when the deadline is at most ``due_soon_within`` working days away (counted as
    :meth:`WorkingCalendar.working_days_between` does, so the deadline day itself is 0 away and the
    next working day 1); on time otherwise.
    """
    deadline = _require_date(deadline, "deadline")
    today = _require_date(today, "today")
    if due_soon_within < 0:
        raise ValueError(f"due_soon_within must be 0 or more working days, got {due_soon_within}")
    if today > deadline:
        return DeadlineStatus.OVERDUE
    if calendar.working_days_between(today, deadline) <= due_soon_within:
        return DeadlineStatus.DUE_SOON
    return DeadlineStatus.ON_TIME
