"""Conversation state behind one interface: in memory and in the machine's real Redis."""

from __future__ import annotations

import threading
import time

import pytest

from bot.storage.state import MemoryStateStore, RedisStateStore
from bot.wecom.dedupe import MemoryDeduper, RedisDeduper


@pytest.fixture(params=["memory", "redis"])
def make_store(request):
    if request.param == "memory":
        return lambda ttl=3600: MemoryStateStore(ttl_seconds=ttl)
    client = request.getfixturevalue("redis_client")
    prefix = request.getfixturevalue("redis_prefix")
    return lambda ttl=3600: RedisStateStore(client, prefix=prefix, ttl_seconds=ttl)


def test_state_and_data_round_trip_and_clear(make_store) -> None:
    store = make_store()
    assert store.get_state("GaoXiang") is None and store.get_data("gaoxiang") == {}
    store.set_state("GaoXiang", "report:text")
    store.update_data("gaoxiang", task_id=12, period="2026-11")
    store.update_data("gaoxiang", text="进展")
    assert store.get_state("gaoxiang") == "report:text"  # userids are case-insensitive
    assert store.get_data("GAOXIANG") == {"task_id": 12, "period": "2026-11", "text": "进展"}
    store.clear("gaoxiang")
    assert store.get_state("gaoxiang") is None and store.get_data("gaoxiang") == {}


def test_state_expires(make_store) -> None:
    store = make_store(ttl=1)
    store.set_state("lina", "notice:department")
    time.sleep(1.5)
    assert store.get_state("lina") is None


def test_the_user_lock_keeps_a_second_writer_out(make_store) -> None:
    store = make_store()
    order: list[str] = []
    entered = threading.Event()

    def second() -> None:
        entered.wait()
        with store.lock("gaoxiang"):
            order.append("second")

    thread = threading.Thread(target=second)
    thread.start()
    with store.lock("gaoxiang"):
        entered.set()
        time.sleep(0.3)
        order.append("first")
    thread.join()
    assert order == ["first", "second"]


def test_redis_keys_carry_the_prefix_and_an_expiry(redis_client, redis_prefix) -> None:
    store = RedisStateStore(redis_client, prefix=redis_prefix, ttl_seconds=600)
    store.set_state("gaoxiang", "report:pick")
    keys = [key.decode() for key in redis_client.scan_iter(f"{redis_prefix}:*")]
    assert keys == [f"{redis_prefix}:fsm:gaoxiang:state"]
    assert 0 < redis_client.ttl(keys[0]) <= 600


@pytest.mark.parametrize("kind", ["memory", "redis"])
def test_dedupe_says_first_time_once(request, kind) -> None:
    if kind == "memory":
        deduper = MemoryDeduper()
    else:
        deduper = RedisDeduper(
            request.getfixturevalue("redis_client"),
            prefix=request.getfixturevalue("redis_prefix"),
        )
    assert deduper.first_time("msg:7412345678901234567") is True
    assert deduper.first_time("msg:7412345678901234567") is False
    assert deduper.first_time("event:wangxiaozhang:1764720200:enter_agent:") is True
