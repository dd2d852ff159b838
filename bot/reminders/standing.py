"""Where every report owed for a period stands, with the words of its task, in one query."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from bot.clock import as_utc
from bot.periods import Period
from bot.storage.due import TASK, DueItem, due_item, due_query
from bot.storage.models import Report, ReportKind, ReportStatus, Verdict

_DUE_COLUMNS = 9  # the columns of `due_query` before the ones added here
ID_BATCH = 5000


@dataclass(frozen=True)
class Standing:
    """One owed report, as a reminder names it."""

    due: DueItem
    number: int
    item_no: int
    title: str
    item: str | None
    leader_name: str | None
    submitted_at: datetime | None = None  # known for reports waiting on their leader

    @property
    def work(self) -> str:
        """The sub-item's text without its own `(2)` numbering, or the task's title."""
        if not self.item_no or not self.item:
            return self.title
        for prefix in (f"({self.item_no})", f"（{self.item_no}）"):
            if self.item.startswith(prefix):
                return self.item[len(prefix) :].strip()
        return self.item

    @property
    def department_id(self) -> int:
        return self.due.department_id

    @property
    def department(self) -> str:
        return self.due.department

    @property
    def kind(self) -> ReportKind:
        return self.due.kind

    @property
    def status(self) -> ReportStatus | None:
        return self.due.status

    @property
    def needs_reasons(self) -> bool:
        return self.due.needs_reasons

    @property
    def submitted(self) -> bool:
        """Out of the department's hands: with the leader, or approved."""
        return self.status in (ReportStatus.SUBMITTED, ReportStatus.APPROVED)

    def waiting_on_leader(self, since: datetime | None = None) -> bool:
        """With the leader, and (when `since` is given) already before that moment."""
        if self.status != ReportStatus.SUBMITTED:
            return False
        return since is None or self.submitted_at is None or self.submitted_at < since

    @property
    def missing(self) -> bool:
        """未上报: judged so, or not approved and not judged yet (before the period closes)."""
        if self.due.verdict is not None:
            return self.due.verdict == Verdict.MISSING
        return not self.due.delivered


def standing(session: Session, period: Period) -> list[Standing]:
    """Every report owed for `period`, in task order, with its status and verdict."""
    query = due_query(period).add_columns(
        TASK.c.number, TASK.c.item_no, TASK.c.title, TASK.c.item, TASK.c.leader_name
    )
    rows = [_standing(row) for row in session.execute(query)]
    waiting = [row.due.report_id for row in rows if row.status == ReportStatus.SUBMITTED]
    if not waiting:
        return rows
    since = _submitted_at(session, [report_id for report_id in waiting if report_id])
    return [replace(row, submitted_at=since.get(row.due.report_id or 0)) for row in rows]


def _submitted_at(session: Session, report_ids: list[int]) -> dict[int, datetime]:
    """When each report was submitted; only those waiting on a leader are asked for, in
    batches that stay within SQLite's limit on parameters."""
    found: dict[int, datetime] = {}
    for start in range(0, len(report_ids), ID_BATCH):
        batch = report_ids[start : start + ID_BATCH]
        query = select(Report.id, Report.submitted_at).where(col(Report.id).in_(batch))
        for report_id, moment in session.exec(query):
            if report_id is not None and moment is not None:
                found[report_id] = as_utc(moment)
    return found


def _standing(row: Any) -> Standing:
    values = tuple(row)
    number, item_no, title, item, leader_name = values[_DUE_COLUMNS:]
    due = due_item(values[:_DUE_COLUMNS])
    return Standing(due, number, item_no, title, item, leader_name)
