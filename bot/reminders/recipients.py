"""Who receives reminders: liaisons and heads by department, leaders by name, the offices."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable

from sqlmodel import Session, col, select

from bot.storage.models import OFFICE_ROLES, Person, Role, RoleAssignment
from bot.storage.people import holders, leader_by_name

logger = logging.getLogger(__name__)


def by_department(session: Session, role: Role) -> dict[int, list[str]]:
    """Userids of active people holding `role`, per department, in a stable order."""
    query = (
        select(RoleAssignment.department_id, Person.userid)
        .join(Person, col(Person.id) == RoleAssignment.person_id)
        .where(RoleAssignment.role == role, col(Person.active))
        .where(col(RoleAssignment.department_id).is_not(None))
        .order_by(col(RoleAssignment.department_id), col(Person.userid))
    )
    found: dict[int, list[str]] = defaultdict(list)
    for department_id, userid in session.exec(query):
        if department_id is not None:
            found[department_id].append(userid)
    return found


def offices(session: Session) -> list[str]:
    """Everyone in the party committee office or the president's office (R13, B05)."""
    userids = {person.userid for role in OFFICE_ROLES for person in holders(session, role)}
    return sorted(userids)


def leaders(session: Session, names: Iterable[str | None]) -> dict[str, str]:
    """Leader name in the task table -> the userid of the leader registered under it."""
    found: dict[str, str] = {}
    unknown = 0
    for name in sorted({name for name in names if name}):
        person = leader_by_name(session, name)
        if person is None:
            unknown += 1
            continue
        found[name] = person.userid
    if unknown:
        # A leader named in the table but not registered never hears of reports waiting on
        # them; the offices should register the leader (names stay out of the log).
        logger.warning("%d supervising leader name(s) in the task table match no person", unknown)
    return found
