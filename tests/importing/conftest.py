"""Fixtures of the import tests: a migrated database on SQLite and on PostgreSQL, and
writers of small spreadsheets the way offices lay them out."""

from __future__ import annotations

import csv
import os
import shutil
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError
from sqlmodel import SQLModel

import bot.storage.tables  # noqa: F401  (registers every table for TRUNCATE)
from bot.storage.db import make_engine, upgrade

SAMPLES = Path(__file__).parents[2] / "samples"
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture
def samples() -> Path:
    return SAMPLES


def _unreachable(error: Exception) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"PostgreSQL is required in CI but unreachable: {error}")
    pytest.skip(f"PostgreSQL unreachable at {POSTGRES_URL} ({error}); start it to run")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file; tests get copies, which is much faster than migrating."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()  # the last connection checkpoints the WAL into the file
    return path


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[Engine | Exception]:
    """One migrated PostgreSQL database for the session, emptied before each test.

    Creating and dropping a database per test costs about a second each on PostgreSQL;
    TRUNCATE costs milliseconds and leaves the schema exactly as migrated.
    """
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"duban_import_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as error:
        admin.dispose()
        yield error
        return
    engine = make_engine(admin.url.set(database=name).render_as_string(hide_password=False))
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _sqlite(template: Path, tmp_path: Path) -> Iterator[Engine]:
    path = tmp_path / "import.db"
    shutil.copy(template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


def _postgres(database: Engine | Exception) -> Iterator[Engine]:
    if isinstance(database, Exception):
        _unreachable(database)
        return
    tables = ", ".join(f'"{table.name}"' for table in SQLModel.metadata.sorted_tables)
    with database.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield database


@pytest.fixture(params=["sqlite", "postgres"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A freshly migrated database; each test using it runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        yield from _sqlite(request.getfixturevalue("sqlite_template"), tmp_path)
    else:
        yield from _postgres(request.getfixturevalue("postgres_database"))


Rows = Sequence[Sequence[Any]]


@pytest.fixture
def xlsx(tmp_path: Path) -> Callable[..., Path]:
    """Writes rows (title rows, header, data) to an .xlsx; `merges` are ranges like C3:C5."""

    def write(rows: Rows, *, merges: Sequence[str] = (), name: str = "table.xlsx") -> Path:
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        for row in rows:
            sheet.append(list(row))
        for cells in merges:
            sheet.merge_cells(cells)
        path = tmp_path / name
        book.save(path)
        return path

    return write


@pytest.fixture
def csv_file(tmp_path: Path) -> Callable[..., Path]:
    def write(
        rows: Rows, *, encoding: str = "utf-8", delimiter: str = ",", name: str = "table.csv"
    ) -> Path:
        path = tmp_path / name
        with path.open("w", encoding=encoding, newline="") as stream:
            csv.writer(stream, delimiter=delimiter).writerows(rows)
        return path

    return write
