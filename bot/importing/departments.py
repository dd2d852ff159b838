"""Departments as both imports meet them: looked up by name, created when new."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar

from sqlalchemy import Connection, Table, insert, select
from sqlmodel import SQLModel

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Well under SQLite's limit on bound parameters per statement.
CHUNK = 500


def table(name: str) -> Table:
    return SQLModel.metadata.tables[name]


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def ensure_departments(
    connection: Connection, names: Iterable[str]
) -> tuple[dict[str, int], list[str]]:
    """Ids of all departments by name, creating the named ones that are new.

    Returns the ids and the names created, in the order first named.
    """
    departments = table("department")
    ids: dict[str, int] = {
        name: id_ for id_, name in connection.execute(select(departments.c.id, departments.c.name))
    }
    new = [name for name in dict.fromkeys(names) if name not in ids]
    if new:
        statement = insert(departments).returning(
            departments.c.id, departments.c.name, sort_by_parameter_order=True
        )
        created = connection.execute(statement, [{"name": name} for name in new])
        ids.update({name: id_ for id_, name in created})
        logger.info("created %d departments", len(new))
    return ids, new
