"""Supervision notices (督办通知单, R17, R22): numbering per year, the department's reply, the
head's and the supervising leader's signed opinions, and the lists the offices read.

A notice is `open` until the unit's reply (进展情况, 单位意见) and both signatures are in; then
it is `replied` and no longer changes. Every step is written to the audit log with its text,
for the printed notice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.storage.audit import audit
from bot.storage.models import Department, Notice, Person, Role, Task, TaskDepartment
from bot.storage.people import holders, leader_by_name

logger = logging.getLogger(__name__)

OPEN = "open"
REPLIED = "replied"
CLOSED = "closed"

# Enough for any realistic number of offices issuing in the same instant.
MAX_NUMBER_ATTEMPTS = 5


class NoticeError(ValueError):
    """A step the notice's current state does not allow."""


class NumberingError(RuntimeError):
    """No free number after several attempts: something else holds the numbers."""


@dataclass(frozen=True)
class NoticeView:
    """A notice with the names a message or a listing shows."""

    notice: Notice
    department: str
    task: Task | None

    @property
    def waiting_for(self) -> str | None:
        """What the notice still lacks, in flow order: unit, head, leader; None when done."""
        notice = self.notice
        if notice.status != OPEN:
            return None
        if not notice.progress or not notice.unit_opinion:
            return "unit"
        if notice.head_signed_on is None:
            return "head"
        return "leader"

    def overdue(self, today: date) -> bool:
        return self.notice.status == OPEN and today > self.notice.reply_due


# -- issuing ---------------------------------------------------------------------------------


def issue_notice(
    session: Session,
    *,
    department_id: int,
    task_id: int | None,
    subject: str | None,
    reply_days: int,
    issued_by: str,
    today: date,
) -> Notice:
    """Number and record a notice: the year's next number, to be answered within
    `reply_days` calendar days (see `reply_due`).

    Two offices issuing at once may both read the same last number; the second insert then
    violates (year, seq) and is retried with the next number inside a savepoint, so the
    caller's transaction survives.
    """
    if (task_id is None) == (subject is None):
        raise ValueError("a notice names either a task or a subject")
    if reply_days < 1:
        raise ValueError("reply_days must be positive")
    _hold_sqlite_write_lock(session)

    for attempt in range(1, MAX_NUMBER_ATTEMPTS + 1):
        notice = Notice(
            year=today.year,
            seq=_next_seq(session, today.year),
            department_id=department_id,
            task_id=task_id,
            subject=subject,
            reply_days=reply_days,
            reply_due=reply_due(today, reply_days),
            issued_by=issued_by,
        )
        try:
            with session.begin_nested():
                session.add(notice)
        except IntegrityError:
            logger.info("notice number %s/%s taken meanwhile; retrying", today.year, notice.seq)
            continue

        audit(
            session,
            actor=issued_by,
            action="notice.issue",
            target=_target(notice),
            department_id=department_id,
            task_id=task_id,
            subject=subject,
            reply_days=reply_days,
            reply_due=notice.reply_due,
            attempt=attempt,
        )
        logger.info("notice %s/%s issued", notice.year, notice.seq)
        return notice
    raise NumberingError(f"no free notice number for {today.year}")


def reply_due(issued_on: date, reply_days: int) -> date:
    """The last day to reply. 附件3 asks for a reply "N日内": plain 日 in the rules are
    calendar days (they say 工作日 where they mean working days, R14), counted from issue."""
    return issued_on + timedelta(days=reply_days)


def _next_seq(session: Session, year: int) -> int:
    last = session.exec(select(func.max(Notice.seq)).where(Notice.year == year)).one()
    return (last or 0) + 1


def _hold_sqlite_write_lock(session: Session) -> None:
    """On SQLite, begin the write transaction before reading the last number.

    pysqlite starts a transaction only at the first write, so a savepoint opened before any
    write would be the outermost one and releasing it would commit the notice on its own.
    BEGIN IMMEDIATE also makes a second writer wait here, so SQLite never sees the race.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    raw = connection.connection.dbapi_connection
    if not getattr(raw, "in_transaction", True):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


# -- reading ---------------------------------------------------------------------------------


def open_notices(
    session: Session, *, department_id: int | None = None, due_by: date | None = None
) -> list[Notice]:
    """Notices still waiting for a reply or a signature, by year and number; `due_by` keeps
    those whose reply is due on or before that day (for reminders and overdue lists)."""
    query = select(Notice).where(Notice.status == OPEN)
    if department_id is not None:
        query = query.where(Notice.department_id == department_id)
    if due_by is not None:
        query = query.where(Notice.reply_due <= due_by)
    return list(session.exec(query.order_by(col(Notice.year), col(Notice.seq))).all())


def notice_views(
    session: Session,
    *,
    year: int | None = None,
    department_ids: list[int] | None = None,
    status: str | None = None,
) -> list[NoticeView]:
    """Notices with their department and task, by year and number, in one query."""
    query = (
        select(Notice, Department.name, Task)
        .join(Department, col(Department.id) == Notice.department_id)
        .outerjoin(Task, col(Task.id) == Notice.task_id)
        .order_by(col(Notice.year), col(Notice.seq))
    )
    if year is not None:
        query = query.where(Notice.year == year)
    if department_ids is not None:
        query = query.where(col(Notice.department_id).in_(department_ids))
    if status is not None:
        query = query.where(Notice.status == status)
    return [NoticeView(notice, name, task) for notice, name, task in session.exec(query)]


def view_of(session: Session, notice: Notice) -> NoticeView:
    department = session.get(Department, notice.department_id)
    task = session.get(Task, notice.task_id) if notice.task_id is not None else None
    return NoticeView(notice, department.name if department else "", task)


def find_notice(
    session: Session, *, seq: int, year: int, department_ids: list[int] | None = None
) -> Notice | None:
    """Notice `seq` of `year`, or of the year before when only that one is still open: a
    notice of December is still answered in January."""
    query = select(Notice).where(Notice.seq == seq, col(Notice.year).in_([year, year - 1]))
    if department_ids is not None:
        query = query.where(col(Notice.department_id).in_(department_ids))
    found = list(session.exec(query.order_by(col(Notice.year).desc())).all())

    for notice in found:
        if notice.status == OPEN:
            return notice
    return found[0] if found else None


def notice_leaders(session: Session, notice: Notice) -> list[Person]:
    """Who signs as 分管校领导: the task's leader; for 专项 work (no task), the leaders of the
    department's tasks that year, since the table is where leaders are assigned."""
    if notice.task_id is not None:
        task = session.get(Task, notice.task_id)
        leader = leader_by_name(session, task.leader_name if task else None)
        return [leader] if leader is not None else []
    names = session.exec(
        select(Task.leader_name)
        .join(TaskDepartment, col(TaskDepartment.task_id) == Task.id)
        .where(TaskDepartment.department_id == notice.department_id, Task.year == notice.year)
        .distinct()
    ).all()
    found = (leader_by_name(session, name) for name in names)
    return sorted({p.id: p for p in found if p is not None}.values(), key=lambda p: p.name)


def department_contacts(session: Session, department_id: int) -> tuple[list[Person], list[Person]]:
    """The department's liaisons and heads (R12), who receive notices and reminders."""
    liaisons = holders(session, Role.LIAISON, department_id)
    return liaisons, holders(session, Role.HEAD, department_id)


# -- the department's reply and the signatures -----------------------------------------------


def record_reply(
    session: Session, notice: Notice, *, actor: str, progress: str, unit_opinion: str
) -> Notice:
    """The liaison's 进展情况 and 单位意见; they can change until the head signs."""
    _require_open(notice)
    if notice.head_signed_on is not None:
        raise NoticeError("the head has signed the unit's opinion already")
    notice.progress = progress
    notice.unit_opinion = unit_opinion
    session.add(notice)
    audit(
        session,
        actor=actor,
        action="notice.reply",
        target=_target(notice),
        progress=progress,
        unit_opinion=unit_opinion,
    )
    logger.info("notice %s/%s: unit reply recorded", notice.year, notice.seq)
    return notice


def sign_as_head(
    session: Session,
    notice: Notice,
    *,
    actor: str,
    name: str,
    today: date,
    unit_opinion: str | None = None,
) -> bool:
    """The head signs the unit's opinion (负责人签字), in their own words when given.

    Returns True when this completed the notice.
    """
    _require_unit_reply(notice)
    if unit_opinion:
        notice.unit_opinion = unit_opinion
    notice.head_name = name
    notice.head_signed_on = today
    session.add(notice)
    audit(
        session,
        actor=actor,
        action="notice.head_sign",
        target=_target(notice),
        head_name=name,
        signed_on=today,
        unit_opinion=notice.unit_opinion,
    )
    logger.info("notice %s/%s: head signed", notice.year, notice.seq)
    return _complete_if_ready(session, notice, actor=actor)


def sign_as_leader(
    session: Session, notice: Notice, *, actor: str, name: str, opinion: str, today: date
) -> bool:
    """The supervising leader's opinion and signature. Returns True when this completed it."""
    _require_unit_reply(notice)
    notice.leader_opinion = opinion
    notice.leader_name = name
    notice.leader_signed_on = today
    session.add(notice)
    audit(
        session,
        actor=actor,
        action="notice.leader_sign",
        target=_target(notice),
        leader_name=name,
        signed_on=today,
        leader_opinion=opinion,
    )
    logger.info("notice %s/%s: leader signed", notice.year, notice.seq)
    return _complete_if_ready(session, notice, actor=actor)


def _complete_if_ready(session: Session, notice: Notice, *, actor: str) -> bool:
    complete = all(
        (
            notice.progress,
            notice.unit_opinion,
            notice.head_signed_on,
            notice.leader_opinion,
            notice.leader_signed_on,
        )
    )
    if not complete:
        return False
    notice.status = REPLIED
    session.add(notice)
    audit(session, actor=actor, action="notice.replied", target=_target(notice))
    logger.info("notice %s/%s replied", notice.year, notice.seq)
    return True


def _require_open(notice: Notice) -> None:
    if notice.status != OPEN:
        raise NoticeError(f"notice is {notice.status}")


def _require_unit_reply(notice: Notice) -> None:
    _require_open(notice)
    if not notice.progress or not notice.unit_opinion:
        raise NoticeError("the unit has not replied yet")


def _target(notice: Notice) -> str:
    return f"notice:{notice.year}-{notice.seq}"
