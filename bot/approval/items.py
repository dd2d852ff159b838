"""A report as its reviewer sees it, and which reports wait on a reviewer.

The report's reviewer is the supervising leader the task table names (分管校领导, R13),
looked up by name among the people with the leader role, or one of that leader's delegates.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from bot.approval.delegates import Delegates
from bot.storage.models import Department, Person, Report, ReportStatus, Task
from bot.storage.people import find_member, leader_by_name


@dataclass(frozen=True)
class ReviewItem:
    """One report with what the messages about it show."""

    report: Report
    task: Task
    department: str
    author_name: str | None
    leader: Person | None  # None when the task's leader is missing from the people table

    @property
    def report_id(self) -> int:
        return self.report.id or 0

    def may_review(self, userid: str, delegates: Delegates) -> bool:
        return self.leader is not None and delegates.may_act_for(userid, self.leader.userid)


def find_item(session: Session, report_id: int) -> ReviewItem | None:
    """The report, its row locked: a leader and a delegate deciding at once are serialised."""
    report = session.get(Report, report_id, with_for_update=True)
    return load_item(session, report) if report is not None else None


def load_item(session: Session, report: Report) -> ReviewItem:
    task = session.get(Task, report.task_id)
    department = session.get(Department, report.department_id)
    if task is None or department is None:
        raise LookupError(f"report {report.id} points at a missing task or department")
    return ReviewItem(
        report,
        task,
        department.name,
        _person_name(session, report.author_userid),
        leader_by_name(session, task.leader_name),
    )


def pending_items(
    session: Session, userid: str, delegates: Delegates, *, period: str | None = None
) -> list[ReviewItem]:
    """Submitted reports that `userid` may review, in task order."""
    query = (
        select(Report, Task, Department.name)
        .join(Task, col(Task.id) == Report.task_id)
        .join(Department, col(Department.id) == Report.department_id)
        .where(Report.status == ReportStatus.SUBMITTED)
        .order_by(col(Report.period), col(Task.number), col(Task.item_no), col(Report.id))
    )
    if period is not None:
        query = query.where(Report.period == period)
    leaders: dict[str, Person | None] = {}

    found = []
    for report, task, department in session.exec(query).all():
        name = task.leader_name or ""
        if name not in leaders:
            leaders[name] = leader_by_name(session, name)
        leader = leaders[name]
        if leader is not None and delegates.may_act_for(userid, leader.userid):
            author = _person_name(session, report.author_userid)
            found.append(ReviewItem(report, task, department, author, leader))
    return found


def _person_name(session: Session, userid: str | None) -> str | None:
    member = find_member(session, userid) if userid else None
    return member.person.name if member is not None else userid
