"""The ladder on the real calendar: which periods are live on a day and who hears of them."""

from __future__ import annotations

from datetime import date

import pytest

from bot.calendar import WorkCalendar
from bot.reminders.ladder import Ladder, Rung, Stage
from tests.reminders.conftest import plain_settings

CALENDAR = WorkCalendar()
LADDER = Ladder.from_settings(plain_settings())

L, H, LD, LATE, MISS = (
    Rung.LIAISON,
    Rung.HEAD,
    Rung.LEADER,
    Rung.ESCALATE_LATE,
    Rung.ESCALATE_MISSING,
)


def rungs_on(day: date) -> dict[str, set[Rung]]:
    return {str(live.period): LADDER.rungs(live) for live in LADDER.live_periods(day, CALENDAR)}


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 9, 28), {}),  # the third-last working day of September
        (date(2026, 9, 29), {"2026-09": {L}}),
        (date(2026, 9, 30), {"2026-09": {L}}),
        (date(2026, 10, 1), {}),  # National Day
        (date(2026, 10, 8), {"2026-09": {L, LD}}),
        (date(2026, 10, 9), {"2026-09": {L, H, LD}}),
        (date(2026, 10, 10), {"2026-09": {L, H, LD}}),  # make-up Saturday, working day 3
        (date(2026, 10, 11), {}),  # Sunday
        (date(2026, 10, 12), {"2026-09": {LD, LATE}}),
        (date(2026, 10, 13), {"2026-09": {LD}}),
        (date(2026, 10, 14), {"2026-09": {MISS}}),
        (date(2026, 10, 15), {}),
        (date(2026, 6, 30), {"2026-06": {L}, "2026-H1": {L}}),
        (date(2026, 7, 1), {"2026-06": {L, LD}, "2026-H1": {L, LD}}),
        (date(2026, 7, 8), {"2026-06": {MISS}, "2026-H1": {MISS}}),
        (date(2026, 12, 31), {"2026-12": {L}, "2026-H2": {L}}),
        (date(2026, 5, 9), {"2026-04": {LD, LATE}}),  # make-up Saturday, working day 4
    ],
)
def test_who_hears_of_which_period_on_a_day(day: date, expected: dict[str, set[Rung]]) -> None:
    assert rungs_on(day) == expected


def test_stages_name_where_the_day_stands() -> None:
    stages = {
        day: [live.stage for live in LADDER.live_periods(day, CALENDAR)]
        for day in (date(2026, 9, 30), date(2026, 10, 9), date(2026, 10, 10), date(2026, 10, 12))
    }
    assert stages == {
        date(2026, 9, 30): [Stage.MONTH_END],
        date(2026, 10, 9): [Stage.OPEN],
        date(2026, 10, 10): [Stage.LAST_DAY],
        date(2026, 10, 12): [Stage.LATE],
    }


def test_the_rungs_are_settings() -> None:
    ladder = Ladder.from_settings(
        plain_settings(
            reminder_month_end_days=0,
            reminder_liaison_days=(1, 2, 3, 4, 5),
            reminder_head_days=(3,),
            reminder_leader_days=(),
            reminder_office_late_day=5,
        )
    )
    found = {
        day: [ladder.rungs(live) for live in ladder.live_periods(day, CALENDAR)]
        for day in (date(2026, 9, 30), date(2026, 10, 10), date(2026, 10, 13))
    }
    assert found == {
        date(2026, 9, 30): [],
        date(2026, 10, 10): [{L, H}],
        date(2026, 10, 13): [{L, LATE}],
    }


def test_closing_is_due_after_working_day_5_until_the_month_ends() -> None:
    def closable(day: date) -> list[str]:
        return [str(period) for period in LADDER.closable(day, CALENDAR)]

    assert closable(date(2026, 10, 13)) == []
    assert closable(date(2026, 10, 14)) == closable(date(2026, 10, 31)) == ["2026-09"]
    assert closable(date(2026, 7, 8)) == ["2026-H1", "2026-06"]
    assert closable(date(2026, 8, 3)) == []  # the first working days of August: not yet
