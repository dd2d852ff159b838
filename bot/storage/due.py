"""Who owes which report for a period: the rules of `bot.timeliness`, as one query."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, case, exists, literal, or_, select
from sqlmodel import Session

from bot.periods import Period
from bot.storage.models import (
    COMPLETED,
    Department,
    Report,
    ReportKind,
    ReportStatus,
    Task,
    TaskDepartment,
)
from bot.timeliness import CADENCE

TASK = Task.__table__  # type: ignore[attr-defined]
LINK = TaskDepartment.__table__  # type: ignore[attr-defined]
DEPT = Department.__table__  # type: ignore[attr-defined]
REPORT = Report.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class DueItem:
    """One (task, department) pair owing a report for the period, and where it stands."""

    task_id: int
    department_id: int
    department: str
    is_lead: bool
    kind: ReportKind
    needs_reasons: bool
    report_id: int | None
    status: ReportStatus | None
    verdict: str | None

    @property
    def delivered(self) -> bool:
        """The whole flow is done: the leader approved the report."""
        return self.status == ReportStatus.APPROVED


def due_for(
    session: Session,
    period: Period,
    *,
    department_ids: Collection[int] | None = None,
    task_ids: Collection[int] | None = None,
) -> list[DueItem]:
    """Every report owed for `period`, ordered by task then department position."""
    query = due_query(period)
    if department_ids is not None:
        query = query.where(LINK.c.department_id.in_(list(department_ids)))
    if task_ids is not None:
        query = query.where(TASK.c.id.in_(list(task_ids)))
    return [due_item(row) for row in session.execute(query)]


def due_query(period: Period) -> Select[Any]:
    """The select behind `due_for`; other queries (the sweep, statistics) build on it."""
    first, last = period.first_index, period.last_index
    levels = [level.value for level, cadence in CADENCE.items() if cadence is period.cadence]
    current = REPORT.alias("current")
    deadline = TASK.c.deadline_month
    in_scope = or_(deadline.is_not(None), literal(first) <= TASK.c.year * 12 + 11)
    kind = case(
        (and_(deadline >= first, deadline <= last), ReportKind.SUMMARY.value),
        else_=ReportKind.PROGRESS.value,
    )
    overdue = and_(deadline.is_not(None), deadline < first)
    joined = (
        TASK.join(LINK, LINK.c.task_id == TASK.c.id)
        .join(DEPT, DEPT.c.id == LINK.c.department_id)
        .outerjoin(
            current,
            and_(
                current.c.task_id == TASK.c.id,
                current.c.department_id == LINK.c.department_id,
                current.c.period == str(period),
            ),
        )
    )
    return (
        select(
            TASK.c.id,
            LINK.c.department_id,
            DEPT.c.name,
            LINK.c.is_lead,
            kind.label("kind"),
            overdue.label("overdue"),
            current.c.id.label("report_id"),
            current.c.status,
            current.c.verdict,
        )
        .select_from(joined)
        .where(TASK.c.level.in_(levels), TASK.c.year * 12 <= last, in_scope)
        .where(~_completed_before(first))
        .order_by(TASK.c.year, TASK.c.number, TASK.c.item_no, LINK.c.position)
    )


def _completed_before(first_index: int) -> Any:
    """The department already had its completion summary approved (R07, R08)."""
    finished = REPORT.alias("finished")
    return exists().where(
        finished.c.task_id == TASK.c.id,
        finished.c.department_id == LINK.c.department_id,
        finished.c.kind == ReportKind.SUMMARY.value,
        finished.c.status == ReportStatus.APPROVED.value,
        finished.c.self_assessment.in_([value.value for value in COMPLETED]),
        finished.c.period_index < first_index,
    )


def due_item(row: Any) -> DueItem:
    """The DueItem of a row whose first columns are those of `due_query`."""
    task_id, department_id, name, is_lead, kind, overdue, report_id, status, verdict = row[:9]
    return DueItem(
        task_id=task_id,
        department_id=department_id,
        department=name,
        is_lead=is_lead,
        kind=ReportKind(kind),
        needs_reasons=bool(overdue),
        report_id=report_id,
        status=ReportStatus(status) if status else None,
        verdict=verdict,
    )
