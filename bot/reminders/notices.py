"""Supervision notices (督办通知单, R17) whose reply is due and still outstanding."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from bot.storage.models import Department, Notice, Task


@dataclass(frozen=True)
class OpenNotice:
    """A notice as a reminder names it."""

    year: int
    seq: int
    department_id: int
    department: str
    subject: str | None
    task_number: int | None
    task_title: str | None
    reply_due: date
    days_over: int  # 0 on the day the reply is due


def overdue_notices(session: Session, today: date) -> list[OpenNotice]:
    """Open notices whose reply was due today or earlier, oldest number first."""
    query = (
        select(Notice, Department.name, Task.number, Task.title)
        .join(Department, col(Department.id) == Notice.department_id)
        .outerjoin(Task, col(Task.id) == Notice.task_id)
        .where(Notice.status == "open", col(Notice.reply_due) <= today)
        .order_by(col(Notice.year), col(Notice.seq))
    )
    return [
        OpenNotice(
            year=notice.year,
            seq=notice.seq,
            department_id=notice.department_id,
            department=name,
            subject=notice.subject,
            task_number=number,
            task_title=title,
            reply_due=notice.reply_due,
            days_over=(today - notice.reply_due).days,
        )
        for notice, name, number, title in session.exec(query)
    ]
