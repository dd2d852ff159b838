"""Shared fixtures: databases (SQLite and the machine's real PostgreSQL), the clock, Redis."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

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


@pytest.fixture
def sqlite_engine(tmp_path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'duban.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def postgres_engine() -> Iterator[Engine]:
    """A fresh database on the machine's PostgreSQL, migrated, dropped afterwards."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"duban_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as error:
        admin.dispose()
        unavailable("PostgreSQL", error)
    engine = make_engine(admin.url.set(database=name).render_as_string(hide_password=False))
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


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
