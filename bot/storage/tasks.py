"""Reading tasks with their departments, for listings and conversations."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from bot.periods import month_of_index
from bot.storage.models import DeadlineKind, Department, Task, TaskDepartment


@dataclass(frozen=True)
class TaskView:
    task: Task
    departments: tuple[str, ...]  # lead first

    @property
    def deadline_iso(self) -> str | None:
        """`2026-06` for a month (and 全年), the date for a dated task, None for 长期."""
        task = self.task
        if task.deadline_kind == DeadlineKind.DATE and task.deadline is not None:
            return task.deadline.isoformat()
        if task.deadline_month is None:
            return None
        year, month = month_of_index(task.deadline_month)
        return f"{year}-{month:02d}"

    def as_dict(self) -> dict[str, Any]:
        task = self.task
        return {
            "id": task.id,
            "year": task.year,
            "number": task.number,
            "title": task.title,
            "item_no": task.item_no or None,
            "item": task.item,
            "level": task.level,
            "departments": list(self.departments),
            "deadline": self.deadline_iso,
            "deadline_text": task.deadline_text,
            "leader": task.leader_name,
        }


def list_tasks(
    session: Session, *, year: int | None = None, ids: Collection[int] | None = None
) -> list[TaskView]:
    query = select(Task).order_by(col(Task.year), col(Task.number), col(Task.item_no))
    if year is not None:
        query = query.where(Task.year == year)
    if ids is not None:
        query = query.where(col(Task.id).in_(list(ids)))
    tasks = session.exec(query).all()
    names = _department_names(session, [task.id for task in tasks if task.id is not None])
    return [TaskView(task, tuple(names.get(task.id or 0, ()))) for task in tasks]


def _department_names(session: Session, task_ids: list[int]) -> dict[int, list[str]]:
    query = (
        select(TaskDepartment.task_id, Department.name)
        .join(Department, col(Department.id) == TaskDepartment.department_id)
        .order_by(col(TaskDepartment.task_id), col(TaskDepartment.position))
    )
    if len(task_ids) < 1000:
        query = query.where(col(TaskDepartment.task_id).in_(task_ids))
    names: dict[int, list[str]] = defaultdict(list)
    for task_id, name in session.exec(query):
        names[task_id].append(name)
    return names
