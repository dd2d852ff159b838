"""Reports through their flow: draft, submitted, returned or withdrawn, approved and judged."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import insert, update
from sqlmodel import Session, col, select

from bot.calendar import Window, WorkCalendar
from bot.clock import clock, iso_local
from bot.periods import Period
from bot.storage.audit import audit
from bot.storage.due import DueItem, due_for
from bot.storage.models import (
    Approval,
    Department,
    Report,
    ReportKind,
    ReportStatus,
    SelfAssessment,
    Task,
    Verdict,
)
from bot.timeliness import judge

logger = logging.getLogger(__name__)

OPEN_STATUSES = (ReportStatus.DRAFT, ReportStatus.RETURNED, ReportStatus.WITHDRAWN)


class FlowError(ValueError):
    """A step that the report's current status does not allow (e.g. editing after approval)."""


def report_for(
    session: Session, *, task_id: int, department_id: int, period: Period, kind: ReportKind
) -> Report:
    """The department's report for the period, created as a draft when there is none."""
    report = session.exec(
        select(Report).where(
            Report.task_id == task_id,
            Report.department_id == department_id,
            Report.period == str(period),
        )
    ).first()
    if report is None:
        report = Report(
            task_id=task_id,
            department_id=department_id,
            period=str(period),
            period_index=period.last_index,
            kind=kind,
        )
        session.add(report)
        session.flush()
    return report


def submit(
    session: Session,
    report: Report,
    *,
    actor: str,
    text: str,
    kind: ReportKind | None = None,
    self_assessment: SelfAssessment | None = None,
    reasons: str | None = None,
) -> Report:
    """Submit (or resubmit after a return or withdrawal) the report for the leader's review."""
    if report.status in (ReportStatus.APPROVED,):
        raise FlowError("approved reports cannot change")
    report.kind = kind or report.kind
    report.text = text
    report.self_assessment = self_assessment
    report.reasons = reasons
    report.status = ReportStatus.SUBMITTED
    report.author_userid = actor
    report.submitted_at = clock.now()
    session.add(report)
    audit(session, actor=actor, action="report.submit", target=f"report:{report.id}")
    return report


def withdraw(session: Session, report: Report, *, actor: str) -> Report:
    """Take a submitted report back before the leader acts on it."""
    if report.status != ReportStatus.SUBMITTED:
        raise FlowError("only a submitted report can be withdrawn")
    report.status = ReportStatus.WITHDRAWN
    session.add(report)
    audit(session, actor=actor, action="report.withdraw", target=f"report:{report.id}")
    return report


def approve(
    session: Session, report: Report, *, actor: str, calendar: WorkCalendar, via: str = "card"
) -> Report:
    """The leader approves: the flow is complete, and the report is judged on it (R13-R15)."""
    if report.status != ReportStatus.SUBMITTED:
        raise FlowError("only a submitted report can be approved")
    now = clock.now()
    report.status = ReportStatus.APPROVED
    report.approved_at = now
    report.approver_userid = actor
    window = Period.parse(report.period).window(calendar)
    _set_verdict(report, judge(now, window, clock.today()), window)
    session.add(report)
    session.add(Approval(report_id=report.id or 0, actor_userid=actor, action="approve", via=via))
    audit(session, actor=actor, action="report.approve", target=f"report:{report.id}", via=via)
    logger.info("report %s approved via %s, verdict %s", report.id, via, report.verdict)
    return report


def return_to_liaison(
    session: Session, report: Report, *, actor: str, comment: str, via: str = "card"
) -> Report:
    """The leader sends the report back with a comment; the liaison revises and resubmits."""
    if report.status != ReportStatus.SUBMITTED:
        raise FlowError("only a submitted report can be returned")
    report.status = ReportStatus.RETURNED
    report.returned_at = clock.now()
    report.return_comment = comment
    session.add(report)
    session.add(
        Approval(
            report_id=report.id or 0, actor_userid=actor, action="return", comment=comment, via=via
        )
    )
    audit(session, actor=actor, action="report.return", target=f"report:{report.id}", via=via)
    logger.info("report %s returned via %s", report.id, via)
    return report


def _set_verdict(report: Report, verdict: Verdict | None, window: Window) -> None:
    report.verdict = verdict
    report.judged_on_time_until = window.on_time_until
    report.judged_late_until = window.late_until
    report.judged_provisional = window.provisional


def close_period(session: Session, period: Period, *, calendar: WorkCalendar, today: date) -> int:
    """After working day 5, record 未上报 for every owed report not approved in time.

    Reports that were judged already keep their verdict and window; an approved report was
    judged when it was approved, so whatever is still unjudged now is missing. Set-based: one
    insert for the reports never started, one update per chunk of the others. Returns how
    many verdicts this wrote.
    """
    window = period.window(calendar)
    if today <= window.late_until:
        return 0
    unjudged = [item for item in due_for(session, period) if item.verdict is None]
    judged = {
        "verdict": Verdict.MISSING.value,
        "judged_on_time_until": window.on_time_until,
        "judged_late_until": window.late_until,
        "judged_provisional": window.provisional,
    }
    never_started = [item for item in unjudged if item.report_id is None]
    if never_started:
        session.execute(
            insert(Report),
            [_missing_row(item, period) | judged for item in never_started],
        )
    started = [item.report_id for item in unjudged if item.report_id is not None]
    for chunk in range(0, len(started), 500):
        session.execute(
            update(Report).where(col(Report.id).in_(started[chunk : chunk + 500])).values(**judged)
        )
    if unjudged:
        count = len(unjudged)
        audit(session, actor="system", action="period.close", target=str(period), count=count)
        logger.info("period %s closed: %d reports recorded as missing", period, count)
    return len(unjudged)


def _missing_row(item: DueItem, period: Period) -> dict[str, Any]:
    return {
        "task_id": item.task_id,
        "department_id": item.department_id,
        "period": str(period),
        "period_index": period.last_index,
        "kind": item.kind.value,
        "text": "",
        "status": ReportStatus.DRAFT.value,
        "created_at": clock.now(),
    }


@dataclass(frozen=True)
class ReportRow:
    """A report as the listings and `duban reports --json` show it."""

    report: Report
    department: str
    task: Task

    def as_dict(self) -> dict[str, Any]:
        r = self.report
        return {
            "id": r.id,
            "task_id": r.task_id,
            "task_number": self.task.number,
            "item_no": self.task.item_no or None,
            "title": self.task.title,
            "item": self.task.item,
            "department": self.department,
            "period": r.period,
            "kind": r.kind,
            "status": r.status,
            "self_assessment": r.self_assessment,
            "text": r.text,
            "reasons": r.reasons,
            "submitted_at": iso_local(r.submitted_at),
            "approved_at": iso_local(r.approved_at),
            "returned_at": iso_local(r.returned_at),
            "verdict": r.verdict,
            "judged_window": _judged_window(r),
        }


def _judged_window(report: Report) -> dict[str, Any] | None:
    if report.judged_on_time_until is None or report.judged_late_until is None:
        return None
    return {
        "on_time_until": report.judged_on_time_until.isoformat(),
        "late_until": report.judged_late_until.isoformat(),
        "provisional": report.judged_provisional,
    }


def list_reports(session: Session, *, period: str | None = None) -> list[ReportRow]:
    query = (
        select(Report, Department.name, Task)
        .join(Department, col(Department.id) == Report.department_id)
        .join(Task, col(Task.id) == Report.task_id)
        .order_by(col(Report.period), col(Task.number), col(Task.item_no), col(Department.name))
    )
    if period is not None:
        query = query.where(col(Report.period) == str(Period.parse(period)))
    return [ReportRow(report, name, task) for report, name, task in session.exec(query)]
