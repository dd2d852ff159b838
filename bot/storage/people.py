"""Looking up people and what they may do."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.storage.models import Department, Person, Role, RoleAssignment


@dataclass(frozen=True)
class Member:
    """A person with their roles; liaison and head roles are per department."""

    person: Person
    roles: tuple[RoleAssignment, ...]

    @property
    def userid(self) -> str:
        return self.person.userid

    def has(self, role: Role, department_id: int | None = None) -> bool:
        return any(
            held.role == role and (department_id is None or held.department_id == department_id)
            for held in self.roles
        )

    def departments(self, role: Role) -> list[int]:
        return [
            held.department_id for held in self.roles if held.role == role and held.department_id
        ]

    @property
    def role_names(self) -> set[str]:
        return {str(held.role) for held in self.roles}


def find_member(session: Session, userid: str) -> Member | None:
    """The person with this WeCom userid (case-insensitive, as WeCom treats them)."""
    person = session.exec(
        select(Person).where(func.lower(Person.userid) == userid.lower(), Person.active)
    ).first()
    if person is None:
        return None
    roles = session.exec(select(RoleAssignment).where(RoleAssignment.person_id == person.id)).all()
    return Member(person, tuple(roles))


def holders(session: Session, role: Role, department_id: int | None = None) -> list[Person]:
    """Active people holding `role` (for that department, when given)."""
    query = (
        select(Person)
        .join(RoleAssignment, col(RoleAssignment.person_id) == Person.id)
        .where(RoleAssignment.role == role, Person.active)
    )
    if department_id is not None:
        query = query.where(RoleAssignment.department_id == department_id)
    return list(session.exec(query.distinct()).all())


def leader_by_name(session: Session, name: str | None) -> Person | None:
    """The supervising leader named in the task table (分管校领导), if known."""
    if not name:
        return None
    leaders = [person for person in holders(session, Role.LEADER) if person.name == name.strip()]
    return leaders[0] if leaders else None


def department_names(session: Session, ids: list[int]) -> dict[int, str]:
    rows = session.exec(select(Department).where(col(Department.id).in_(ids))).all()
    return {row.id or 0: row.name for row in rows}
