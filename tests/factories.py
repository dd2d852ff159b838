"""Small builders of rows for tests: tasks with departments, people with roles."""

from __future__ import annotations

from sqlmodel import Session, select

from bot.periods import month_index
from bot.storage.models import (
    DeadlineKind,
    Department,
    Person,
    Role,
    RoleAssignment,
    Task,
    TaskDepartment,
    TaskLevel,
)


def department(session: Session, name: str) -> Department:
    found = session.exec(select(Department).where(Department.name == name)).first()
    if found is None:
        found = Department(name=name)
        session.add(found)
        session.flush()
    return found


def task(
    session: Session,
    *,
    number: int,
    level: TaskLevel = TaskLevel.KEY,
    departments: tuple[str, ...] = ("宣传部",),
    deadline: tuple[int, int] | None = (2026, 6),
    year: int = 2026,
    item_no: int = 0,
    leader: str | None = "王校长",
    title: str | None = None,
) -> Task:
    """A task of `year`; `deadline` is (year, month), or None for 长期."""
    row = Task(
        year=year,
        number=number,
        title=title or f"第{number}项重点工作",
        item_no=item_no,
        item=f"({item_no})子项工作" if item_no else None,
        level=level,
        deadline_kind=DeadlineKind.MONTH if deadline else DeadlineKind.LONG_TERM,
        deadline_month=month_index(*deadline) if deadline else None,
        leader_name=leader,
    )
    session.add(row)
    session.flush()
    for position, name in enumerate(departments):
        dept = department(session, name)
        session.add(
            TaskDepartment(
                task_id=row.id, department_id=dept.id, is_lead=position == 0, position=position
            )
        )
    session.flush()
    return row


def person(
    session: Session, *, userid: str, name: str, roles: tuple[tuple[Role, str | None], ...]
) -> Person:
    row = Person(userid=userid, name=name)
    session.add(row)
    session.flush()
    for role, dept_name in roles:
        dept_id = department(session, dept_name).id if dept_name else None
        session.add(RoleAssignment(person_id=row.id or 0, role=role, department_id=dept_id))
    session.flush()
    return row
