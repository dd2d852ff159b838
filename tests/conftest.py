"""Shared fixtures: databases (SQLite and the machine's real PostgreSQL), the clock, Redis."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, SQLModel

import bot.storage.tables  # noqa: F401  (every table, for TRUNCATE)
from bot.clock import clock
from bot.storage.db import make_engine, upgrade

POSTGRES_ADMIN_URL = os.environ.get(
    "DUBAN_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_TEST_URL = os.environ.get("DUBAN_TEST_REDIS", "redis://127.0.0.1:6379/15")


def unavailable(what: str, error: Exception) -> None:
    """Skip when a real server is missing on a developer's machine; fail in CI."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is required in CI but unreachable: {error}")
    pytest.skip(f"{what} unreachable ({error}); start it to run this test")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file; each test gets a copy, much faster than migrating again."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()  # the last connection checkpoints the WAL into the file
    return path


@pytest.fixture
def sqlite_engine(sqlite_template: Path, tmp_path: Path) -> Iterator[Engine]:
    path = tmp_path / "duban.db"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[Engine | Exception]:
    """One migrated database on the machine's PostgreSQL for the session, dropped after.

    Creating a database costs about a second; emptying one with TRUNCATE, milliseconds.
    """
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"duban_test_{uuid.uuid4().hex[:12]}"
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


@pytest.fixture
def postgres_engine(postgres_database: Engine | Exception) -> Engine:
    """The session's PostgreSQL database, emptied of every row (the schema stays migrated)."""
    if isinstance(postgres_database, Exception):
        unavailable("PostgreSQL", postgres_database)
        raise AssertionError("unreachable")
    tables = ", ".join(f'"{table.name}"' for table in SQLModel.metadata.sorted_tables)
    with postgres_database.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    return postgres_database


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request) -> Engine:
    """Each storage test runs once on SQLite and once on PostgreSQL."""
    return request.getfixturevalue(f"{request.param}_engine")


@pytest.fixture
def session(engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture(autouse=True)
def _reset_clock() -> Iterator[None]:
    yield
    clock.set(None)


@pytest.fixture
def stack(tmp_path) -> Iterator[object]:
    """The bot on SQLite, the sandbox WeCom, and users, all over real HTTP."""
    from tests.stack import start_stack

    running = start_stack(f"sqlite:///{tmp_path / 'bot.db'}")
    yield running
    running.stop()


@pytest.fixture
def redis_client() -> Iterator[object]:
    """The machine's real Redis (a test database), flushed of this test's keys afterwards."""
    import redis

    client = redis.Redis.from_url(REDIS_TEST_URL)
    try:
        client.ping()
    except redis.RedisError as error:
        unavailable("Redis", error)
    yield client
    client.close()


@pytest.fixture
def redis_prefix(redis_client) -> Iterator[str]:
    prefix = f"duban-test-{uuid.uuid4().hex[:8]}"
    yield prefix
    keys = list(redis_client.scan_iter(f"{prefix}:*"))
    if keys:
        redis_client.delete(*keys)
