"""Importing a year's task table: every row is checked first, then the reportable units are
upserted by (year, number, item_no) with their departments, set-based, in the caller's
transaction.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, update
from sqlmodel import Session

from bot.importing.departments import chunks, ensure_departments, table
from bot.importing.results import ImportRejected, ImportReport, row_error
from bot.importing.sheet import read_sheet
from bot.importing.task_rows import REQUIRED, TASK_ALIASES, TaskRows, Unit
from bot.storage.models import DeadlineKind

logger = logging.getLogger(__name__)

Key = tuple[int, int]  # (number, item_no)
Links = tuple[tuple[int, bool], ...]  # (department_id, is_lead) in position order

VALUE_COLUMNS = (
    "title",
    "item",
    "level",
    "deadline_kind",
    "deadline_text",
    "deadline",
    "deadline_month",
    "leader_name",
    "extra",
)


def import_tasks(session: Session, path: Path | str, *, year: int) -> ImportReport:
    """Load the task table in `path` (.xlsx or .csv) as the tasks of `year`.

    Raises ImportRejected, having written nothing, when any row is wrong. Otherwise the
    changes are made in `session`'s transaction; the caller commits.
    """
    sheet = read_sheet(Path(path), aliases=TASK_ALIASES, required=REQUIRED)
    rows = TaskRows(sheet, year)
    if rows.errors:
        logger.warning("task table %s refused: %d problems", path, len(rows.errors))
        raise ImportRejected(rows.errors)
    if not rows.units:
        raise ImportRejected([row_error(None, "no_rows")])

    report = _store(session.connection(), year, rows.units)
    report.tasks = len(rows.numbers)
    report.warnings = rows.warnings
    # The writes above bypass the ORM; objects the caller already holds must reload.
    session.expire_all()
    _log(report, year)
    return report


def _log(report: ImportReport, year: int) -> None:
    logger.info(
        "imported %d tasks of %d (%d units): %d created, %d updated, %d unchanged",
        report.tasks,
        year,
        report.total,
        report.created,
        report.updated,
        report.unchanged,
    )
    if report.absent:
        # Kept, since reports may refer to them; the offices decide what to do.
        logger.warning(
            "%d units of %d are not in the new table: %s", len(report.absent), year, report.absent
        )


@dataclass
class _Plan:
    """What the import will do: insert, update columns, replace department links."""

    new: list[tuple[dict[str, Any], Links]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)
    relink: dict[int, Links] = field(default_factory=dict)
    updated: int = 0
    unchanged: int = 0


def _store(connection: Connection, year: int, units: list[Unit]) -> ImportReport:
    names = (ref.name for unit in units for ref in unit.fields.departments)
    department_ids, created_departments = ensure_departments(connection, names)
    existing = _existing_tasks(connection, year)
    plan = _plan(units, year, department_ids, existing, _existing_links(connection, year))

    plan.relink |= _insert_tasks(connection, year, plan.new)
    _update_tasks(connection, plan.changed)
    _replace_links(connection, plan.relink)

    seen = {(unit.number, unit.item_no) for unit in units}
    return ImportReport(
        created=len(plan.new),
        updated=plan.updated,
        unchanged=plan.unchanged,
        departments_created=created_departments,
        absent=[_label(key) for key in sorted(existing) if key not in seen],
    )


def _plan(
    units: list[Unit],
    year: int,
    department_ids: dict[str, int],
    existing: dict[Key, dict[str, Any]],
    links: dict[int, Links],
) -> _Plan:
    plan = _Plan()
    for unit in units:
        values = _values(unit)
        wanted = tuple((department_ids[ref.name], ref.is_lead) for ref in unit.fields.departments)
        stored = existing.get((unit.number, unit.item_no))
        if stored is None:
            plan.new.append((values | {"year": year}, wanted))
            continue
        task_id = stored["id"]
        differs = any(stored[name] != values[name] for name in VALUE_COLUMNS)
        if differs:
            plan.changed.append({f"new_{name}": values[name] for name in VALUE_COLUMNS})
            plan.changed[-1]["task_id"] = task_id
        if links.get(task_id, ()) != wanted:
            plan.relink[task_id] = wanted
        if differs or task_id in plan.relink:
            plan.updated += 1
        else:
            plan.unchanged += 1
    return plan


def _values(unit: Unit) -> dict[str, Any]:
    deadline = unit.fields.deadline
    return {
        "number": unit.number,
        "item_no": unit.item_no,
        "title": unit.title,
        "item": unit.item,
        "level": unit.level.value,
        "deadline_kind": deadline.kind.value if deadline else DeadlineKind.NONE.value,
        "deadline_text": deadline.text if deadline else None,
        "deadline": deadline.day if deadline else None,
        "deadline_month": deadline.month if deadline else None,
        "leader_name": unit.fields.leader,
        "extra": unit.extra,
    }


def _label(key: Key) -> str:
    number, item_no = key
    return f"{number}({item_no})" if item_no else str(number)


# Reading what the year already has


def _existing_tasks(connection: Connection, year: int) -> dict[Key, dict[str, Any]]:
    tasks = table("task")
    columns = [tasks.c.id, tasks.c.number, tasks.c.item_no] + [tasks.c[n] for n in VALUE_COLUMNS]
    result = connection.execute(select(*columns).where(tasks.c.year == year))
    return {(row.number, row.item_no): dict(row._mapping) for row in result}


def _existing_links(connection: Connection, year: int) -> dict[int, Links]:
    tasks, links = table("task"), table("task_department")
    query = (
        select(links.c.task_id, links.c.department_id, links.c.is_lead)
        .join(tasks, tasks.c.id == links.c.task_id)
        .where(tasks.c.year == year)
        .order_by(links.c.task_id, links.c.position)
    )
    found: dict[int, list[tuple[int, bool]]] = defaultdict(list)
    for task_id, department_id, is_lead in connection.execute(query):
        found[task_id].append((department_id, bool(is_lead)))
    return {task_id: tuple(pairs) for task_id, pairs in found.items()}


# Writing


def _insert_tasks(
    connection: Connection, year: int, new: list[tuple[dict[str, Any], Links]]
) -> dict[int, Links]:
    """Inserts the new units; returns their department links by the new task ids."""
    if not new:
        return {}
    tasks = table("task")
    # A plain executemany and one select of the ids take half the time of INSERT ...
    # RETURNING on PostgreSQL (measured with 10,000 rows), and no longer on SQLite.
    connection.execute(insert(tasks), [values for values, _ in new])
    query = select(tasks.c.id, tasks.c.number, tasks.c.item_no).where(tasks.c.year == year)
    ids = {(number, item_no): task_id for task_id, number, item_no in connection.execute(query)}
    return {ids[values["number"], values["item_no"]]: wanted for values, wanted in new}


def _update_tasks(connection: Connection, changed: list[dict[str, Any]]) -> None:
    if not changed:
        return
    tasks = table("task")
    statement = (
        update(tasks)
        .where(tasks.c.id == bindparam("task_id"))
        .values({name: bindparam(f"new_{name}") for name in VALUE_COLUMNS})
    )
    connection.execute(statement, changed)


def _replace_links(connection: Connection, relink: dict[int, Links]) -> None:
    """A task's departments are replaced as a whole, keeping the sheet's order."""
    links = table("task_department")
    task_ids = list(relink)
    for chunk in chunks(task_ids):
        connection.execute(delete(links).where(links.c.task_id.in_(chunk)))
    rows = [
        {"task_id": task_id, "department_id": department_id, "is_lead": is_lead, "position": n}
        for task_id, wanted in relink.items()
        for n, (department_id, is_lead) in enumerate(wanted)
    ]
    if rows:
        connection.execute(insert(links), rows)
