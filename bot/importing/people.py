"""Importing the people table: liaisons and heads of departments (R12), supervising leaders
(R13), the two offices and admins; rows of one account merge into one person.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, update
from sqlmodel import Session

from bot.importing.cells import half_width, people_department, person_name, squeeze
from bot.importing.departments import chunks, ensure_departments, table
from bot.importing.results import ImportRejected, ImportReport, RowError, row_error
from bot.importing.sheet import SheetRow, read_sheet
from bot.storage.models import DEPARTMENT_ROLES, Role

logger = logging.getLogger(__name__)

NAME = "姓名"
USERID = "账号"
DEPARTMENT = "部门"
ROLES = "角色"

_ALIASES = {
    NAME: ("姓名", "名字"),
    USERID: ("账号", "帐号", "企业微信账号", "企业微信帐号", "userid", "UserID", "成员账号"),
    DEPARTMENT: ("部门", "所在部门", "单位", "所在单位"),
    ROLES: ("角色", "身份", "职责"),
}
PEOPLE_ALIASES = {spelling: name for name, spellings in _ALIASES.items() for spelling in spellings}
REQUIRED = (NAME, USERID, ROLES)

ROLE_WORDS = {
    "联络员": Role.LIAISON,
    "督办联络员": Role.LIAISON,
    "督查督办联络员": Role.LIAISON,
    "负责人": Role.HEAD,
    "部门负责人": Role.HEAD,
    "主要负责人": Role.HEAD,
    "分管校领导": Role.LEADER,
    "分管领导": Role.LEADER,
    "校领导": Role.LEADER,
    "党委办公室": Role.PARTY_OFFICE,
    "党办": Role.PARTY_OFFICE,
    "校长办公室": Role.PRESIDENT_OFFICE,
    "校办": Role.PRESIDENT_OFFICE,
    "管理员": Role.ADMIN,
    "系统管理员": Role.ADMIN,
} | {role.value: role for role in Role}

# WeCom userids: 1-64 letters, digits and _-@. ; WeCom treats them case-insensitively.
_USERID = re.compile(r"[A-Za-z0-9_\-@.]{1,64}")
_ROLE_SPLIT = re.compile(r"[、,;\s]+")
NAME_LIMIT = 64
DEPARTMENT_LIMIT = 100

Holding = tuple[Role, str | None]  # a role and, for liaisons and heads, its department


@dataclass
class PersonRow:
    """A person as the file gives them, merged over all their rows."""

    row: int
    name: str
    userid: str
    department: str | None
    roles: set[Holding] = field(default_factory=set)


class PeopleRows:
    """Reads a people table; afterwards `people` by lower-case userid, and `errors`."""

    def __init__(self, rows: list[SheetRow]) -> None:
        self.people: dict[str, PersonRow] = {}
        self.errors: list[RowError] = []
        for row in rows:
            self._read(row)

    def _read(self, row: SheetRow) -> None:
        name = person_name(row.get(NAME))
        userid = half_width(row.get(USERID)).strip()
        department = people_department(row.get(DEPARTMENT)) or None
        problems = [
            *self._check_name(name, userid),
            *self._check_department(department),
        ]
        roles = self._roles(row.get(ROLES), name, department, problems)
        if problems:
            self.errors.extend(row_error(row.number, key, **context) for key, context in problems)
            return
        self._merge(PersonRow(row.number, name, userid, department, roles))

    def _check_name(self, name: str, userid: str) -> list[tuple[str, dict[str, Any]]]:
        if not name:
            return [("no_name", {})]
        if len(name) > NAME_LIMIT:
            return [("name_too_long", {"name": name})]
        if not userid:
            return [("no_userid", {"name": name})]
        if not _USERID.fullmatch(userid):
            return [("bad_userid", {"value": userid})]
        return []

    def _check_department(self, department: str | None) -> list[tuple[str, dict[str, Any]]]:
        if department and len(department) > DEPARTMENT_LIMIT:
            return [("department_too_long", {"name": department})]
        return []

    def _roles(
        self,
        text: str,
        name: str,
        department: str | None,
        problems: list[tuple[str, dict[str, Any]]],
    ) -> set[Holding]:
        holdings: set[Holding] = set()
        words = [word for word in _ROLE_SPLIT.split(half_width(text)) if word]
        if not words:
            problems.append(("no_role", {"name": name}))
        for word in words:
            role = ROLE_WORDS.get(squeeze(word))
            if role is None:
                problems.append(("bad_role", {"value": word}))
            elif role in DEPARTMENT_ROLES and department is None:
                problems.append(("role_needs_department", {"role": word}))
            else:
                holdings.add((role, department if role in DEPARTMENT_ROLES else None))
        return holdings

    def _merge(self, person: PersonRow) -> None:
        """Rows of the same account (in any letter case) are one person."""
        known = self.people.setdefault(person.userid.lower(), person)
        if known is person:
            return
        if known.name != person.name:
            self.errors.append(
                row_error(
                    person.row,
                    "name_conflict",
                    userid=person.userid,
                    name=person.name,
                    other=known.name,
                    first_row=known.row,
                )
            )
            return
        known.department = known.department or person.department
        known.roles |= person.roles


def import_people(session: Session, path: Path | str) -> ImportReport:
    """Load the people table in `path` (.xlsx or .csv).

    A person found by account (case-insensitively) is updated and their roles replaced by
    what the file says; people the file does not list are left as they are. Raises
    ImportRejected, having written nothing, when any row is wrong; the caller commits.
    """
    sheet = read_sheet(Path(path), aliases=PEOPLE_ALIASES, required=REQUIRED)
    rows = PeopleRows(sheet.rows)
    if rows.errors:
        logger.warning("people table %s refused: %d problems", path, len(rows.errors))
        raise ImportRejected(rows.errors)
    if not rows.people:
        raise ImportRejected([row_error(None, "no_rows")])

    report = _store(session.connection(), list(rows.people.values()))
    # The writes above bypass the ORM; objects the caller already holds must reload.
    session.expire_all()
    logger.info(
        "imported %d people with %d roles: %d created, %d updated, %d unchanged",
        report.total,
        report.roles,
        report.created,
        report.updated,
        report.unchanged,
    )
    return report


# Writing


Held = dict[int, set[tuple[str, int | None]]]  # person id -> (role, department id)


@dataclass
class _Plan:
    report: ImportReport = field(default_factory=ImportReport)
    changed: list[dict[str, Any]] = field(default_factory=list)
    reassign: Held = field(default_factory=dict)


def _store(connection: Connection, people: list[PersonRow]) -> ImportReport:
    names = [name for person in people for name in _departments_named(person)]
    department_ids, created_departments = ensure_departments(connection, names)
    existing = _existing_people(connection)
    new = [person for person in people if person.userid.lower() not in existing]
    ids = _insert_people(connection, new, department_ids)
    for person in people:
        stored = existing.get(person.userid.lower())
        if stored is not None:
            ids[person.userid] = stored["id"]

    plan = _plan(people, existing, ids, department_ids, _existing_roles(connection))
    _update_people(connection, plan.changed)
    _replace_roles(connection, plan.reassign)

    listed = {person.userid.lower() for person in people}
    plan.report.departments_created = created_departments
    plan.report.absent = [
        f"{row['name']}({row['userid']})" for key, row in existing.items() if key not in listed
    ]
    return plan.report


def _plan(
    people: list[PersonRow],
    existing: dict[str, dict[str, Any]],
    ids: dict[str, int],
    department_ids: dict[str, int],
    held: Held,
) -> _Plan:
    plan = _Plan()
    for person in people:
        person_id = ids[person.userid]
        values = _values(person, department_ids)
        stored = existing.get(person.userid.lower())
        differs = stored is not None and any(stored[k] != v for k, v in values.items())
        if differs:
            plan.changed.append({f"new_{k}": v for k, v in values.items()})
            plan.changed[-1]["person_id"] = person_id
        wanted = {
            (role.value, _department_id(dept, department_ids)) for role, dept in person.roles
        }
        if held.get(person_id, set()) != wanted:
            plan.reassign[person_id] = wanted
        _count(plan.report, stored is None, differs or person_id in plan.reassign)
        plan.report.roles += len(wanted)
    return plan


def _department_id(name: str | None, department_ids: dict[str, int]) -> int | None:
    return department_ids[name] if name else None


def _count(report: ImportReport, created: bool, changed: bool) -> None:
    if created:
        report.created += 1
    elif changed:
        report.updated += 1
    else:
        report.unchanged += 1


def _departments_named(person: PersonRow) -> list[str]:
    named = [person.department] + [dept for _, dept in person.roles]
    return [name for name in named if name]


def _values(person: PersonRow, department_ids: dict[str, int]) -> dict[str, Any]:
    return {
        "name": person.name,
        "userid": person.userid,
        "department_id": _department_id(person.department, department_ids),
        "active": True,
    }


def _existing_people(connection: Connection) -> dict[str, dict[str, Any]]:
    people = table("person")
    query = select(
        people.c.id, people.c.name, people.c.userid, people.c.department_id, people.c.active
    ).order_by(people.c.id)
    found: dict[str, dict[str, Any]] = {}
    for row in connection.execute(query):
        # Should an older import have stored two spellings of one account, the first wins.
        found.setdefault(row.userid.lower(), dict(row._mapping) | {"active": bool(row.active)})
    return found


def _existing_roles(connection: Connection) -> Held:
    assignments = table("role_assignment")
    query = select(assignments.c.person_id, assignments.c.role, assignments.c.department_id)
    held: dict[int, set[tuple[str, int | None]]] = defaultdict(set)
    for person_id, role, department_id in connection.execute(query):
        held[person_id].add((role, department_id))
    return held


def _insert_people(
    connection: Connection, new: list[PersonRow], department_ids: dict[str, int]
) -> dict[str, int]:
    if not new:
        return {}
    people = table("person")
    statement = insert(people).returning(people.c.id, sort_by_parameter_order=True)
    rows = [_values(person, department_ids) for person in new]
    ids = connection.execute(statement, rows).scalars().all()
    return {person.userid: person_id for person, person_id in zip(new, ids, strict=True)}


def _update_people(connection: Connection, changed: list[dict[str, Any]]) -> None:
    if not changed:
        return
    people = table("person")
    columns = ("name", "userid", "department_id", "active")
    statement = (
        update(people)
        .where(people.c.id == bindparam("person_id"))
        .values({name: bindparam(f"new_{name}") for name in columns})
    )
    connection.execute(statement, changed)


def _replace_roles(connection: Connection, reassign: Held) -> None:
    """A listed person's roles become exactly those the file gives."""
    assignments = table("role_assignment")
    for chunk in chunks(list(reassign)):
        connection.execute(delete(assignments).where(assignments.c.person_id.in_(chunk)))
    rows = [
        {"person_id": person_id, "role": role, "department_id": department_id}
        for person_id, wanted in reassign.items()
        for role, department_id in sorted(wanted, key=lambda pair: (pair[0], pair[1] or 0))
    ]
    if rows:
        connection.execute(insert(assignments), rows)
