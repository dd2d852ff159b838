"""Working days of mainland China: State Council holidays and make-up workdays (R15).

The `holidays` library knows the official notices up to some year; a later year is only
estimated (no make-up days), so every answer that depends on such a year is marked
*provisional* until the offices enter that year's notice themselves (CALENDAR.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import holidays
from holidays.countries.china import ChinaStaticHolidays

WINDOW_LENGTH = 5
ON_TIME_DAYS = 3  # R14: the whole flow within working days 1-3
LATE_DAYS = 5  # R15: working days 4-5 are late


@lru_cache
def official_years() -> frozenset[int]:
    """Years for which the library carries the real notice (make-up days included)."""
    return frozenset(ChinaStaticHolidays.special_public_holidays)


@lru_cache(maxsize=64)
def _library_year(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """(days off, make-up workdays) of one year according to the library."""
    china = holidays.China(years=year, categories=(holidays.PUBLIC,))
    days_off = frozenset(day for day in china if day.year == year)
    makeup = frozenset(day for day in china.weekend_workdays if day.year == year)
    return days_off, makeup


@dataclass(frozen=True)
class Window:
    """Working days 1-5 after a report period, and what they mean for a verdict."""

    period: str
    working_days: tuple[date, ...]
    provisional: bool

    @property
    def opens(self) -> date:
        return self.working_days[0]

    @property
    def on_time_until(self) -> date:
        return self.working_days[ON_TIME_DAYS - 1]

    @property
    def late_until(self) -> date:
        return self.working_days[LATE_DAYS - 1]

    def day_number(self, day: date) -> int | None:
        """Which working day of the window `day` is (1-5), or None."""
        try:
            return self.working_days.index(day) + 1
        except ValueError:
            return None

    def as_dict(self) -> dict[str, object]:
        return {
            "period": self.period,
            "working_days": [day.isoformat() for day in self.working_days],
            "on_time_until": self.on_time_until.isoformat(),
            "late_until": self.late_until.isoformat(),
            "provisional": self.provisional,
        }


@dataclass
class WorkCalendar:
    """The working-day calendar, with the offices' own entries winning over the library.

    `overrides` maps a day to True (a working day, e.g. a make-up Saturday) or False (a day
    off). A year with any override is taken as entered from its notice, hence not
    provisional.
    """

    overrides: Mapping[date, bool] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._entered_years = frozenset(day.year for day in self.overrides)

    def is_official(self, year: int) -> bool:
        return year in self._entered_years or year in official_years()

    def is_working_day(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        days_off, makeup = _library_year(day.year)
        if day in makeup:
            return True
        return day.weekday() < 5 and day not in days_off

    def working_days_from(self, start: date, count: int) -> tuple[date, ...]:
        """The first `count` working days on or after `start`."""
        found: list[date] = []
        day = start
        while len(found) < count:
            if self.is_working_day(day):
                found.append(day)
            day += timedelta(days=1)
        return tuple(found)

    def working_days_between(self, first: date, last: date) -> list[date]:
        """Working days from `first` to `last`, both included."""
        span = (last - first).days + 1
        days = (first + timedelta(days=offset) for offset in range(max(span, 0)))
        return [day for day in days if self.is_working_day(day)]

    def window_after(self, period: str, opens_on: date) -> Window:
        days = self.working_days_from(opens_on, WINDOW_LENGTH)
        provisional = not all(self.is_official(year) for year in _years(opens_on, days[-1]))
        return Window(period=period, working_days=days, provisional=provisional)

    def last_working_days(self, year: int, month: int, count: int) -> list[date]:
        """The last `count` working days of a month, in order."""
        first = date(year, month, 1)
        following = date(year + month // 12, month % 12 + 1, 1)
        days = self.working_days_between(first, following - timedelta(days=1))
        return days[-count:]


def _years(first: date, last: date) -> Iterable[int]:
    return range(first.year, last.year + 1)
