"""The sweep in the service and on the command line, delivered through the WeCom sandbox."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from datetime import date

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from bot import cli
from bot.clock import clock, local_moment
from bot.config import Settings, get_settings
from bot.runtime import Runtime
from bot.sandbox.server import SandboxServer
from bot.sandbox.state import SandboxState
from bot.storage import db
from bot.storage.db import make_engine, upgrade
from bot.storage.messaging import OutboxMessage
from bot.storage.workflow import Dispatch
from tests.reminders.conftest import HEADS, LIAISONS, build_university, plain_settings
from tests.stack import TOKEN, random_aes_key

WD2 = date(2026, 10, 9)  # working day 2 of the 2026-09 window
EXPECTED = sorted([*LIAISONS.values(), *HEADS.values()])


@pytest.fixture
def sandbox() -> Iterator[tuple[SandboxState, str]]:
    state = SandboxState()
    for userid in EXPECTED:
        state.add_user(userid, userid, [1])
    server = SandboxServer(state)
    api_base = server.start()
    yield state, api_base
    server.stop()


@pytest.fixture
def database(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'duban.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as session:
        build_university(session)
    engine.dispose()
    return url


def wait_for(predicate, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.02)


def delivered_to(state: SandboxState) -> list[str]:
    return sorted(message.userid for message in state.messages())


def wecom_settings(state: SandboxState, api_base: str) -> dict[str, object]:
    return {
        "wecom_corp_id": state.corp_id,
        "wecom_agent_id": state.agent_id,
        "wecom_secret": state.secret,
        "wecom_api_base": api_base,
    }


def service_settings(database: str, state: SandboxState, api_base: str) -> Settings:
    callback = {"wecom_token": TOKEN, "wecom_aes_key": random_aes_key()}
    return plain_settings(database_url=database, **wecom_settings(state, api_base), **callback)


def test_the_service_sweeps_and_delivers_without_a_scheduler(database, sandbox) -> None:
    state, api_base = sandbox
    settings = service_settings(database, state, api_base)
    runtime = Runtime.from_settings(settings, with_scheduler=False)
    runtime.start()
    try:
        assert runtime.scheduler is None
        clock.set(local_moment(WD2, 9, 30))
        runtime.sweep_reminders()
        wait_for(lambda: len(state.messages()) == len(EXPECTED))
        runtime.sweep_reminders()
        runtime.sender.deliver_due()
    finally:
        runtime.stop()
    assert delivered_to(state) == EXPECTED
    assert state.messages_to(LIAISONS["人事处"])[0].content.startswith("【督查督办提醒】")


def test_the_service_scheduler_catches_up_at_start_and_stops_with_it(
    database, sandbox, caplog
) -> None:
    state, api_base = sandbox
    runtime = Runtime.from_settings(service_settings(database, state, api_base))
    clock.set(local_moment(WD2, 22, 0))  # quiet hours: the catch-up sweep holds
    with caplog.at_level(logging.INFO, logger="bot.reminders.sweep"):
        runtime.start()
        try:
            scheduler = runtime.scheduler
            assert scheduler is not None and scheduler.running
            wait_for(lambda: any("holds" in r.getMessage() for r in caplog.records))
        finally:
            runtime.stop()
    assert runtime.scheduler is None and not scheduler.running
    assert state.messages() == []


@pytest.fixture
def command_line(database, tmp_path, monkeypatch) -> Iterator[CliRunner]:
    """`duban` against the test database, with no `.env` and no WeCom unless a test adds it."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database)
    for name in ("WECOM_CORP_ID", "WECOM_AGENT_ID", "WECOM_SECRET", "WECOM_API_BASE"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    db.get_engine.cache_clear()
    yield CliRunner()
    db.get_engine().dispose()
    get_settings.cache_clear()
    db.get_engine.cache_clear()


def rows(table: type) -> int:
    with Session(db.get_engine()) as session:
        return len(session.exec(select(table)).all())


def test_the_command_line_dry_run_prints_json_and_writes_nothing(command_line) -> None:
    result = command_line.invoke(
        cli.app, ["sweep", "--at", "2026-10-09T09:30", "--dry-run", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["day"] == "2026-10-09" and data["dry_run"] is True
    assert data["at"] == "2026-10-09T09:30:00+08:00"
    assert sorted(d["recipient"] for d in data["sent"]) == EXPECTED
    assert rows(Dispatch) == 0 and rows(OutboxMessage) == 0


def test_without_wecom_the_command_line_leaves_messages_in_the_outbox(command_line) -> None:
    result = command_line.invoke(cli.app, ["sweep", "--at", "2026-10-09T09:30"])
    assert result.exit_code == 0, result.output
    assert "联络员提醒" in result.output and "部门负责人提醒" in result.output
    assert "6 条消息已存入待发队列" in result.output
    assert rows(OutboxMessage) == 6

    again = command_line.invoke(cli.app, ["sweep", "--at", "2026-10-09T15:00"])
    assert "今天没有需要发送的提醒" in again.output
    assert rows(OutboxMessage) == 6


def test_with_wecom_the_command_line_delivers(command_line, sandbox, monkeypatch) -> None:
    state, api_base = sandbox
    for name, value in wecom_settings(state, api_base).items():
        monkeypatch.setenv(name.upper(), str(value))
    get_settings.cache_clear()

    result = command_line.invoke(cli.app, ["sweep", "--at", "2026-10-09T09:30"])
    assert result.exit_code == 0, result.output
    assert "已通过企业微信发出 6 条消息" in result.output
    assert delivered_to(state) == EXPECTED


def test_the_command_line_refuses_a_time_it_cannot_read(command_line) -> None:
    result = command_line.invoke(cli.app, ["sweep", "--at", "next tuesday"])
    assert result.exit_code == 2
    assert "无法识别" in result.output
