"""The reporting season (报送期) of a period: when a liaison reports on it, and which are open now.

A period's season opens on the third-last working day of its final month, because the rules
ask for the report at month end (月末), and closes after the fifth working day of the window
that follows it: reports in working days 4-5 still count, as 逾期上报 (R14, R15). The periods
open on a day are those whose season contains it; outside every season nothing is open and
the next season is announced instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.calendar import WorkCalendar
from bot.periods import Period

MONTH_END_WORKING_DAYS = 3


@dataclass(frozen=True)
class Season:
    """The days in which reports for `period` are taken."""

    period: Period
    opens: date
    closes: date  # the last day, included

    def contains(self, day: date) -> bool:
        return self.opens <= day <= self.closes


def season_of(period: Period, calendar: WorkCalendar) -> Season:
    month_end = calendar.last_working_days(period.year, period.last_month, MONTH_END_WORKING_DAYS)
    return Season(period, opens=month_end[0], closes=period.window(calendar).late_until)


def open_periods(today: date, calendar: WorkCalendar) -> list[Period]:
    """The periods a liaison reports on today, earliest first (a month and a half-year may
    both be open at the end of June and December)."""
    return sorted(
        season.period for season in _nearby_seasons(today, calendar) if season.contains(today)
    )


def next_seasons(today: date, calendar: WorkCalendar) -> list[Season]:
    """The seasons that open next after `today` (one month, and its half-year when it ends
    one), for telling a user when reporting starts."""
    ahead = [season for season in _nearby_seasons(today, calendar) if season.opens > today]
    if not ahead:
        return []
    first = min(season.opens for season in ahead)
    return sorted((season for season in ahead if season.opens == first), key=lambda s: s.period)


def _nearby_seasons(today: date, calendar: WorkCalendar) -> list[Season]:
    month, half = Period.month_of(today), Period.half_of(today)
    periods = {month, month.previous(), month.next(), half, half.previous(), half.next()}
    return [season_of(period, calendar) for period in periods]
