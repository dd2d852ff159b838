"""Messages of one user arriving at once, on the Redis state store: the per-user lock makes
them take turns, so exactly one answer fills the step and the others meet the next step."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import pytest
import redis

from bot.storage.models import ReportStatus
from bot.storage.state import RedisStateStore
from bot.wecom.events import EventKind
from tests.conftest import REDIS_TEST_URL, unavailable
from tests.handlers.conftest import Chat, stored_reports

SENDERS = 5


@pytest.fixture
def redis_store() -> Iterator[RedisStateStore]:
    client = redis.Redis.from_url(REDIS_TEST_URL)
    try:
        client.ping()
    except redis.ConnectionError as error:
        client.close()
        unavailable("Redis", error)
    prefix = f"duban-test-{uuid.uuid4().hex[:12]}"
    yield RedisStateStore(client, prefix=prefix)
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)
    client.close()


def test_concurrent_answers_to_one_step_take_turns(engine, people, tasks, redis_store) -> None:
    tasks(number=9, deadline=(2026, 12))
    liaison = Chat(engine, redis_store, "zhangmin")
    liaison.send("汇报")
    liaison.send("1")
    assert liaison.state == "report:text"

    texts = [f"第{n}份进展：本月完成调研{n}次。" for n in range(1, SENDERS + 1)]
    events = [liaison.event(EventKind.TEXT, text) for text in texts]
    start = threading.Barrier(SENDERS)
    errors: list[BaseException] = []

    def send(index: int) -> None:
        start.wait()
        try:
            liaison.deliver(events[index])
        except BaseException as error:  # reported below: a thread's exception is otherwise lost
            errors.append(error)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(SENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    replies = liaison.replies()
    previews = [reply for reply in replies if reply.startswith("请核对以下内容")]
    assert len(previews) == 1
    assert replies.count("请回复 1 确认提交，2 修改，或 3 取消。") == SENDERS - 1
    [draft] = stored_reports(engine)
    assert draft.text in texts and draft.text in previews[0]
    assert liaison.state == "report:confirm"

    liaison.send("1")
    [report] = stored_reports(engine)
    assert (report.status, report.text) == (ReportStatus.SUBMITTED, draft.text)
    assert liaison.state is None
