"""The outbox loses nothing: WeCom busy, rate-limited or down only delays delivery.

Runs on SQLite and PostgreSQL, against the sandbox over real HTTP, with one fake clock shared
by the sender and the sandbox so that a minute passes without waiting for it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from bot.sandbox.server import SandboxServer
from bot.sandbox.state import SandboxState
from bot.storage.messaging import OutboxMessage, enqueue
from bot.wecom.client import WeComClient
from bot.wecom.sender import OutboxSender


class FakeTime:
    def __init__(self) -> None:
        self.now = datetime(2026, 9, 30, 1, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def seconds(self) -> float:
        return self.now.timestamp()

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def wecom():
    time = FakeTime()
    sandbox = SandboxState(clock=time.seconds)
    for userid in ("zhangwei", "lina", "wangfang"):
        sandbox.add_user(userid, userid, [1])
    with SandboxServer(sandbox) as server:
        client = WeComClient(
            corp_id=sandbox.corp_id,
            secret=sandbox.secret,
            agent_id=sandbox.agent_id,
            api_base=server.url,
            timeout=3.0,
        )
        yield sandbox, client, time
        client.close()


def _queue(engine, recipient: str, count: int) -> None:
    with Session(engine) as session:
        for n in range(count):
            enqueue(session, recipient, "text", {"content": f"第{n + 1}条提醒"})
        session.commit()


def _rows(engine) -> list[OutboxMessage]:
    with Session(engine) as session:
        return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all())


def _texts(sandbox: SandboxState, userid: str) -> list[str]:
    return [m.content or "" for m in sandbox.messages_to(userid)]


def test_no_member_gets_more_than_30_a_minute_and_nothing_is_dropped(engine, wecom) -> None:
    sandbox, client, time = wecom
    sender = OutboxSender(engine, client, now=time)
    _queue(engine, "zhangwei", 45)
    _queue(engine, "lina", 5)

    assert sender.deliver_due() == 35
    assert len(_texts(sandbox, "zhangwei")) == 30
    time.advance(30)
    assert sender.deliver_due() == 0  # still within the same minute for zhangwei
    time.advance(31)
    assert sender.deliver_due() == 15

    assert _texts(sandbox, "zhangwei") == [f"第{n}条提醒" for n in range(1, 46)]
    assert len(_texts(sandbox, "lina")) == 5
    assert sandbox.dropped() == []
    assert {row.status for row in _rows(engine)} == {"sent"}


def test_busy_wecom_delays_but_delivers_exactly_once(engine, wecom) -> None:
    sandbox, client, time = wecom
    sender = OutboxSender(engine, client, now=time)
    _queue(engine, "zhangwei", 3)
    sandbox.fail_next(2, -1, path="message/send")

    assert sender.deliver_due() == 0
    time.advance(3)
    assert sender.deliver_due() == 0
    time.advance(5)
    assert sender.deliver_due() == 3

    assert _texts(sandbox, "zhangwei") == ["第1条提醒", "第2条提醒", "第3条提醒"]
    assert [row.attempts for row in _rows(engine)] == [3, 1, 1]


@pytest.mark.parametrize("errcode", [45009, 45033])
def test_frequency_limits_are_retried(engine, wecom, errcode: int) -> None:
    sandbox, client, time = wecom
    sender = OutboxSender(engine, client, now=time)
    _queue(engine, "lina", 1)
    sandbox.fail_next(1, errcode, path="message/send")
    assert sender.deliver_due() == 0
    time.advance(10)
    assert sender.deliver_due() == 1
    assert len(_texts(sandbox, "lina")) == 1


def test_wecom_down_for_a_while_loses_nothing(engine, wecom) -> None:
    sandbox, client, time = wecom
    sender = OutboxSender(engine, client, now=time)
    _queue(engine, "zhangwei", 2)
    _queue(engine, "wangfang", 2)
    sandbox.set_down(True)
    for _ in range(4):
        sender.deliver_due()
        time.advance(60)
    assert sandbox.messages() == []

    sandbox.set_down(False)
    time.advance(300)
    assert sender.deliver_due() == 4
    assert sender.deliver_due() == 0
    assert _texts(sandbox, "zhangwei") == ["第1条提醒", "第2条提醒"]
    assert _texts(sandbox, "wangfang") == ["第1条提醒", "第2条提醒"]


def test_permanent_failure_is_given_up_visibly_and_others_still_go(engine, wecom) -> None:
    _sandbox, client, time = wecom
    sender = OutboxSender(engine, client, now=time)
    _queue(engine, "nobody_here", 1)
    _queue(engine, "lina", 1)
    sender.deliver_due()
    time.advance(600)
    sender.deliver_due()
    rows = {row.recipient: row for row in _rows(engine)}
    assert rows["nobody_here"].status == "failed" and rows["nobody_here"].errcode == 81013
    assert rows["nobody_here"].attempts == 1
    assert rows["lina"].status == "sent"


def test_two_senders_on_one_database_send_each_message_once(engine, wecom) -> None:
    sandbox, client, time = wecom
    first = OutboxSender(engine, client, now=time)
    second = OutboxSender(engine, client, now=time)
    _queue(engine, "zhangwei", 10)
    _queue(engine, "lina", 10)
    import threading

    threads = [threading.Thread(target=s.deliver_due) for s in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    first.deliver_due()
    assert sorted(_texts(sandbox, "zhangwei")) == sorted(f"第{n}条提醒" for n in range(1, 11))
    assert len(_texts(sandbox, "lina")) == 10
