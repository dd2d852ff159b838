"""What a member's departments owe now: the numbered list that 我的任务, 汇报, 修改 and 撤回
share, so that "汇报 2" and "撤回 2" mean the same line a liaison has just read."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlmodel import Session

from bot.calendar import Window, WorkCalendar
from bot.handlers.context import Context
from bot.periods import Period
from bot.storage.due import DueItem, due_for
from bot.storage.models import Role, Task
from bot.storage.people import Member
from bot.storage.tasks import TaskView, list_tasks


@dataclass(frozen=True)
class Owed:
    """One report a department owes for a period, with its task and its window."""

    item: DueItem
    view: TaskView
    period: Period
    window: Window

    @property
    def task(self) -> Task:
        return self.view.task

    @property
    def key(self) -> tuple[int, int, str]:
        return self.item.task_id, self.item.department_id, str(self.period)


def owed(
    session: Session,
    calendar: WorkCalendar,
    periods: list[Period],
    department_ids: Collection[int],
) -> list[Owed]:
    """Every report owed by these departments for these periods, period by period."""
    if not department_ids or not periods:
        return []
    found = [
        (period, item)
        for period in periods
        for item in due_for(session, period, department_ids=department_ids)
    ]
    views = {view.task.id: view for view in list_tasks(session, ids={i.task_id for _, i in found})}
    windows = {period: period.window(calendar) for period in periods}
    return [Owed(item, views[item.task_id], period, windows[period]) for period, item in found]


def liaison_owed(
    session: Session, calendar: WorkCalendar, periods: list[Period], member: Member
) -> list[Owed]:
    """The numbered list: only the departments the member reports for (R12)."""
    return owed(session, calendar, periods, member.departments(Role.LIAISON))


def department_ids(member: Member) -> list[int]:
    """Departments the member serves as liaison or head, liaison ones first."""
    ids = member.departments(Role.LIAISON) + member.departments(Role.HEAD)
    return list(dict.fromkeys(ids))


def member_of(ctx: Context) -> Member:
    """The sender, who is known: `bot.handlers.handle` answers strangers before any router."""
    if ctx.member is None:
        raise LookupError(f"no member behind an event routed to a handler ({ctx.event.kind})")
    return ctx.member
