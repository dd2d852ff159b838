"""How each department stands on a period's reports (R15, R18), for the offices' 统计 and console.

One query over `due_query`: every report owed for the period, with its task, sorted into
按时上报 / 逾期上报 / 未上报, or 待认定 while the window is still open.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from sqlmodel import Session

from bot.calendar import Window, WorkCalendar
from bot.periods import Period
from bot.storage.due import TASK, due_query
from bot.storage.models import ReportStatus, Verdict


class Standing(StrEnum):
    """Where one owed report stands; the last two are 待认定 (the window is still open)."""

    ON_TIME = "on_time"  # 按时上报
    LATE = "late"  # 逾期上报
    MISSING = "missing"  # 未上报
    AWAITING_REVIEW = "awaiting_review"  # 已提交，待分管校领导审阅
    NOT_SUBMITTED = "not_submitted"  # 未提交 (no report, a draft, returned or withdrawn)


PENDING = (Standing.AWAITING_REVIEW, Standing.NOT_SUBMITTED)


@dataclass(frozen=True)
class StatItem:
    """One report owed by one department, with enough of its task to name it."""

    task_id: int
    number: int
    item_no: int
    title: str
    item: str | None
    report_id: int | None
    standing: Standing


@dataclass(frozen=True)
class DepartmentStats:
    department_id: int
    name: str
    items: tuple[StatItem, ...]

    def count(self, *standings: Standing) -> int:
        return sum(1 for item in self.items if item.standing in standings)

    def items_of(self, *standings: Standing) -> list[StatItem]:
        return [item for item in self.items if item.standing in standings]

    @property
    def all_on_time(self) -> bool:
        return self.count(Standing.ON_TIME) == len(self.items)


@dataclass(frozen=True)
class PeriodStats:
    period: Period
    window: Window
    today: date
    departments: tuple[DepartmentStats, ...]

    @property
    def opened(self) -> bool:
        return self.today >= self.window.opens

    @property
    def closed(self) -> bool:
        """After working day 5 nothing can change a verdict any more (R15)."""
        return self.today > self.window.late_until

    @property
    def provisional(self) -> bool:
        return self.window.provisional

    @property
    def working_day(self) -> int | None:
        """Which working day of the window today is (1-5), or None outside it."""
        return self.window.day_number(self.today)

    def totals(self) -> Counter[Standing]:
        return Counter(item.standing for dept in self.departments for item in dept.items)

    @property
    def item_count(self) -> int:
        return sum(len(dept.items) for dept in self.departments)


def period_statistics(
    session: Session, period: Period, *, calendar: WorkCalendar, today: date
) -> PeriodStats:
    """Every department that owes reports for `period`, by name, with each report's standing."""
    window = period.window(calendar)
    query = due_query(period).add_columns(
        TASK.c.number.label("task_number"),
        TASK.c.item_no.label("task_item_no"),
        TASK.c.title.label("task_title"),
        TASK.c.item.label("task_item"),
    )
    rows = [row._mapping for row in session.execute(query)]

    grouped: dict[int, tuple[str, list[StatItem]]] = {}
    for row in rows:
        _, items = grouped.setdefault(row["department_id"], (row["name"], []))
        items.append(_stat_item(row, window, today))
    departments = tuple(
        DepartmentStats(department_id, name, tuple(items))
        for department_id, (name, items) in sorted(grouped.items(), key=lambda pair: pair[1][0])
    )
    return PeriodStats(period, window, today, departments)


def _stat_item(row: Any, window: Window, today: date) -> StatItem:
    return StatItem(
        task_id=row["id"],
        number=row["task_number"],
        item_no=row["task_item_no"],
        title=row["task_title"],
        item=row["task_item"],
        report_id=row["report_id"],
        standing=standing(row["verdict"], row["status"], window, today),
    )


def standing(verdict: str | None, status: str | None, window: Window, today: date) -> Standing:
    """A recorded verdict wins; without one, a closed window means 未上报 even before
    `close_period` has written it, and an open one means 待认定."""
    if verdict is not None:
        return Standing(Verdict(verdict).value)
    if today > window.late_until:
        return Standing.MISSING
    if status == ReportStatus.SUBMITTED:
        return Standing.AWAITING_REVIEW
    return Standing.NOT_SUBMITTED


def latest_opened_periods(today: date, calendar: WorkCalendar) -> list[Period]:
    """The most recent month whose window has opened, and its half-year when the month ends
    one (June and December share their window with H1 and H2)."""
    month = Period.month_of(today).previous()
    if month.window(calendar).opens > today:
        month = month.previous()
    periods = [month]
    if month.last_month in (6, 12):
        periods.append(Period.half_of(month.first_day))
    return periods
