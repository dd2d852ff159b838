"""Which periods a liaison reports on today: from the third-last working day of the period's
last month through the fifth working day of its window (R14, R15)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.calendar import WorkCalendar
from bot.handlers.reporting_season import next_seasons, open_periods, season_of
from bot.periods import Period

CALENDAR = WorkCalendar()


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 9, 15), []),  # mid-month: nothing to report yet
        (date(2026, 9, 25), []),  # the Friday before the last three working days
        (date(2026, 9, 28), ["2026-09"]),  # the season opens on the third-last working day
        (date(2026, 10, 1), ["2026-09"]),  # National Day holidays inside the window
        (date(2026, 10, 13), ["2026-09"]),  # working day 5 of the window: still 逾期上报
        (date(2026, 10, 14), []),  # the window has closed
        (date(2026, 6, 26), ["2026-H1", "2026-06"]),  # a month and its half-year end together
        (date(2027, 1, 8), ["2026-H2", "2026-12"]),  # across the year boundary
        (date(2027, 1, 11), []),
    ],
)
def test_open_periods(today: date, expected: list[str]) -> None:
    assert [str(period) for period in open_periods(today, CALENDAR)] == expected


def test_a_make_up_saturday_counts_among_the_last_working_days() -> None:
    # 2026-02-28 is a Saturday worked for the Spring Festival (State Council notice).
    season = season_of(Period.parse("2026-02"), CALENDAR)
    assert season.opens == date(2026, 2, 26)
    assert open_periods(date(2026, 2, 25), CALENDAR) == []


def test_offices_entries_move_the_season() -> None:
    calendar = WorkCalendar(overrides={date(2026, 9, 30): False, date(2026, 9, 27): True})
    assert season_of(Period.parse("2026-09"), calendar).opens == date(2026, 9, 27)


def test_next_seasons_outside_any_season() -> None:
    [season] = next_seasons(date(2026, 9, 15), CALENDAR)
    assert (str(season.period), season.opens, season.closes) == (
        "2026-09",
        date(2026, 9, 28),
        date(2026, 10, 13),
    )


def test_next_seasons_at_half_year_end_names_both_periods() -> None:
    seasons = next_seasons(date(2026, 6, 10), CALENDAR)
    assert [str(season.period) for season in seasons] == ["2026-H1", "2026-06"]
    assert {season.opens for season in seasons} == {date(2026, 6, 26)}
