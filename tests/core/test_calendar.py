"""Working days (R15, CALENDAR.md): checked against the State Council notices themselves."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.calendar import WorkCalendar
from bot.periods import Period


def _days(year: int, spans: str) -> set[date]:
    """'01-01..01-03 02-15' -> the set of those dates of `year`."""
    found: set[date] = set()
    for span in spans.split():
        first, _, last = span.partition("..")
        start = date.fromisoformat(f"{year}-{first}")
        end = date.fromisoformat(f"{year}-{last or first}")
        found.update(start + timedelta(days=n) for n in range((end - start).days + 1))
    return found


# Transcribed from the notices (CALENDAR.md), independently of the `holidays` library.
NOTICES = {
    2017: (
        "01-01..01-02 01-27..02-02 04-02..04-04 04-29..05-01 05-28..05-30 10-01..10-08",
        "01-22 02-04 04-01 05-27 09-30",
    ),
    2025: (
        "01-01 01-28..02-04 04-04..04-06 05-01..05-05 05-31..06-02 10-01..10-08",
        "01-26 02-08 04-27 09-28 10-11",
    ),
    2026: (
        "01-01..01-03 02-15..02-23 04-04..04-06 05-01..05-05 06-19..06-21 09-25..09-27 "
        "10-01..10-07",
        "01-04 02-14 02-28 05-09 09-20 10-10",
    ),
}


def _notice_working_day(day: date) -> bool:
    days_off, makeup = (_days(day.year, spans) for spans in NOTICES[day.year])
    if day in makeup:
        return True
    return day.weekday() < 5 and day not in days_off


def _notice_window(period: Period) -> list[date]:
    found, day = [], period.following_day
    while len(found) < 5:
        if _notice_working_day(day):
            found.append(day)
        day += timedelta(days=1)
    return found


@pytest.mark.parametrize("year", [2017, 2025, 2026])
def test_every_day_of_the_notice_years_matches_the_notice(year: int) -> None:
    calendar = WorkCalendar()
    day = date(year, 1, 1)
    while day.year == year:
        assert calendar.is_working_day(day) == _notice_working_day(day), day
        day += timedelta(days=1)


@pytest.mark.parametrize(
    "period",
    # December windows fall in the next year: 2025-12 is here, 2017-12 and 2026-12 below.
    [f"2017-{month:02d}" for month in range(1, 12)]
    + [f"2025-{month:02d}" for month in range(1, 13)]
    + [f"2026-{month:02d}" for month in range(1, 12)]
    + ["2017-H1", "2025-H1", "2025-H2", "2026-H1"],
)
def test_window_of_every_month_matches_the_notice(period: str) -> None:
    window = Period.parse(period).window(WorkCalendar())
    assert list(window.working_days) == _notice_window(Period.parse(period))
    assert window.provisional is False


@pytest.mark.parametrize(
    ("period", "wd1", "wd3", "wd5"),
    [
        ("2025-12", "2026-01-04", "2026-01-06", "2026-01-08"),
        ("2026-03", "2026-04-01", "2026-04-03", "2026-04-08"),
        ("2026-04", "2026-05-06", "2026-05-08", "2026-05-11"),
        ("2026-09", "2026-10-08", "2026-10-10", "2026-10-13"),
        ("2016-12", "2017-01-03", "2017-01-05", "2017-01-09"),
        ("2017-01", "2017-02-03", "2017-02-06", "2017-02-08"),
        ("2017-09", "2017-10-09", "2017-10-11", "2017-10-13"),
        ("2017-12", "2018-01-02", "2018-01-04", "2018-01-08"),  # 2018-01-01 Monday off
    ],
)
def test_windows_that_holidays_shift(period: str, wd1: str, wd3: str, wd5: str) -> None:
    window = Period.parse(period).window(WorkCalendar())
    assert window.opens.isoformat() == wd1
    assert window.on_time_until.isoformat() == wd3
    assert window.late_until.isoformat() == wd5


def test_make_up_saturday_is_working_day_four_of_april_2026() -> None:
    window = Period.parse("2026-04").window(WorkCalendar())
    assert window.day_number(date(2026, 5, 9)) == 4


def test_december_2026_is_judged_in_january_2027_which_is_provisional() -> None:
    window = Period.parse("2026-12").window(WorkCalendar())
    assert window.provisional is True
    assert Period.parse("2026-H2").window(WorkCalendar()).provisional is True


def test_entered_notice_wins_over_the_library_and_ends_provisional() -> None:
    # Suppose the 2027 notice gives 01-04 off and makes Saturday 01-09 a working day.
    calendar = WorkCalendar({date(2027, 1, 4): False, date(2027, 1, 9): True})
    window = Period.parse("2026-12").window(calendar)
    assert window.provisional is False
    assert date(2027, 1, 4) not in window.working_days
    assert window.working_days[-1] == date(2027, 1, 9)


def test_half_day_festivals_are_working_days() -> None:
    # Women's Day is a half day off for some only; it is not a day off (CALENDAR.md).
    assert WorkCalendar().is_working_day(date(2026, 3, 9)) is True
    assert WorkCalendar().is_working_day(date(2017, 3, 8)) is True


def test_last_working_days_of_september_2026_include_make_up_sunday() -> None:
    days = WorkCalendar().last_working_days(2026, 9, 3)
    assert days == [date(2026, 9, 28), date(2026, 9, 29), date(2026, 9, 30)]
    assert WorkCalendar().is_working_day(date(2026, 9, 20)) is True
