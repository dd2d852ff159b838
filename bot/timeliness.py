"""What a task owes for a period (R02-R09) and how a report is judged (R14, R15).

These are the rules in plain Python, one task at a time; `bot.storage.due` asks the same
questions of the whole table in one query, and the tests hold the two to each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.calendar import Window
from bot.clock import local_date
from bot.periods import Cadence, Period
from bot.storage.models import ReportKind, TaskLevel, Verdict

CADENCE = {
    TaskLevel.KEY: Cadence.MONTHLY,  # R02
    TaskLevel.GENERAL: Cadence.HALF_YEARLY,  # R03
    TaskLevel.OTHER: Cadence.HALF_YEARLY,  # R04
}


@dataclass(frozen=True)
class Obligation:
    """The report a department owes on a task for a period."""

    kind: ReportKind
    needs_reasons: bool  # R09: past the deadline and not finished


def obligation(
    *, level: str, year: int, deadline_month: int | None, period: Period, completed: bool
) -> Obligation | None:
    """What one department owes on one task for `period`, or None.

    `completed` means the department already had a completion summary (按时完成 or
    延期完成) approved for an earlier period. Special supervision (R05) owes only what a
    notice asks, so never anything here. A task without a deadline month (长期) reports at
    its cadence through the end of its year; next year's table carries it on if still listed.
    """
    if CADENCE.get(TaskLevel(level)) is not period.cadence or completed:
        return None
    if period.last_index < year * 12:
        return None
    if deadline_month is None:
        if period.first_index > year * 12 + 11:
            return None
        return Obligation(ReportKind.PROGRESS, needs_reasons=False)
    if period.first_index <= deadline_month <= period.last_index:
        return Obligation(ReportKind.SUMMARY, needs_reasons=False)  # R07, R08
    return Obligation(ReportKind.PROGRESS, needs_reasons=deadline_month < period.first_index)


def judge(completed_at: datetime | None, window: Window, today: date) -> Verdict | None:
    """The verdict on a report whose whole flow completed at `completed_at` (R15).

    Dates are compared in Asia/Shanghai. A flow not complete yet has no verdict until the
    window closes, and is 未上报 after that.
    """
    if completed_at is not None:
        day = local_date(completed_at)
        if day <= window.on_time_until:
            return Verdict.ON_TIME
        if day <= window.late_until:
            return Verdict.LATE
        return Verdict.MISSING
    if today > window.late_until:
        return Verdict.MISSING
    return None
