"""What is owed (R02-R11) and how reports are judged (R14, R15), rule by rule."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.calendar import WorkCalendar
from bot.clock import SHANGHAI
from bot.periods import Period, month_index
from bot.storage.models import ReportKind, TaskLevel, Verdict
from bot.timeliness import Obligation, judge, obligation

JUNE_2026 = month_index(2026, 6)


def owes(level: TaskLevel, period: str, deadline: int | None = JUNE_2026, **kw) -> object:
    return obligation(
        level=level,
        year=2026,
        deadline_month=deadline,
        period=Period.parse(period),
        completed=kw.get("completed", False),
    )


def test_r02_key_tasks_report_every_month_and_not_per_half_year() -> None:
    assert owes(TaskLevel.KEY, "2026-03") == Obligation(ReportKind.PROGRESS, False)
    assert owes(TaskLevel.KEY, "2026-H1") is None


def test_r03_r04_general_and_other_work_report_per_half_year_only() -> None:
    for level in (TaskLevel.GENERAL, TaskLevel.OTHER):
        assert owes(level, "2026-03") is None
        assert owes(level, "2026-H2", deadline=month_index(2026, 12)) is not None


def test_r05_special_supervision_owes_nothing_by_cadence() -> None:
    assert owes(TaskLevel.SPECIAL, "2026-03") is None
    assert owes(TaskLevel.SPECIAL, "2026-H1") is None


def test_r07_r08_the_deadline_period_owes_a_completion_summary() -> None:
    assert owes(TaskLevel.KEY, "2026-06") == Obligation(ReportKind.SUMMARY, False)
    assert owes(TaskLevel.GENERAL, "2026-H1") == Obligation(ReportKind.SUMMARY, False)


def test_r09_unfinished_after_deadline_keeps_cadence_and_must_give_reasons() -> None:
    assert owes(TaskLevel.KEY, "2026-07") == Obligation(ReportKind.PROGRESS, True)
    assert owes(TaskLevel.KEY, "2027-02") == Obligation(ReportKind.PROGRESS, True)
    assert owes(TaskLevel.GENERAL, "2026-H2") == Obligation(ReportKind.PROGRESS, True)


def test_r09_nothing_more_is_owed_once_the_summary_was_approved() -> None:
    assert owes(TaskLevel.KEY, "2026-08", completed=True) is None


def test_long_term_tasks_report_through_their_year_and_never_owe_a_summary() -> None:
    assert owes(TaskLevel.KEY, "2026-12", deadline=None) == Obligation(ReportKind.PROGRESS, False)
    assert owes(TaskLevel.KEY, "2027-01", deadline=None) is None


def test_nothing_is_owed_before_the_tasks_year() -> None:
    assert owes(TaskLevel.KEY, "2025-12") is None


WINDOW_2026_09 = Period.parse("2026-09").window(WorkCalendar())  # 10-08 .. 10-13


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("approved", "verdict"),
    [
        (date(2026, 9, 29), Verdict.ON_TIME),  # before the window opens
        (date(2026, 10, 8), Verdict.ON_TIME),  # working day 1
        (date(2026, 10, 10), Verdict.ON_TIME),  # make-up Saturday, working day 3
        (date(2026, 10, 11), Verdict.LATE),  # Sunday after working day 3
        (date(2026, 10, 13), Verdict.LATE),  # working day 5
        (date(2026, 10, 14), Verdict.MISSING),  # too late: flow not complete in 5 days
    ],
)
def test_r15_verdict_follows_the_working_day_window(approved: date, verdict: Verdict) -> None:
    assert judge(at(approved), WINDOW_2026_09, today=date(2026, 10, 20)) is verdict


def test_r15_verdict_is_judged_on_the_shanghai_date() -> None:
    # 2026-10-10 17:00 UTC is 10-11 01:00 in Shanghai: after working day 3.
    late_evening = datetime(2026, 10, 10, 17, 0, tzinfo=UTC)
    assert judge(late_evening, WINDOW_2026_09, today=date(2026, 10, 20)) is Verdict.LATE
    early = datetime(2026, 10, 10, 15, 59, tzinfo=UTC)  # 23:59 in Shanghai
    assert judge(early, WINDOW_2026_09, today=date(2026, 10, 20)) is Verdict.ON_TIME


def test_r14_unapproved_report_has_no_verdict_until_the_window_closes() -> None:
    assert judge(None, WINDOW_2026_09, today=date(2026, 10, 13)) is None
    assert judge(None, WINDOW_2026_09, today=date(2026, 10, 14)) is Verdict.MISSING
