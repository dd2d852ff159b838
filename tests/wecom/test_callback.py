"""The callback route against Tencent's own vectors, forgeries, and WeCom's retries."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, select

from bot.storage.messaging import InboxEvent
from tests.stack import start_stack, wait_until

VECTORS_FILE = Path(__file__).resolve().parents[3] / "shared" / "vectors" / "wecom-callbacks.json"
VECTORS = json.loads(VECTORS_FILE.read_text(encoding="utf-8"))


@pytest.fixture
def vector_stack(tmp_path):
    """The bot configured with the token, key and CorpID the vectors were made with."""
    from bot.sandbox.state import SandboxState

    sandbox = SandboxState(corp_id=VECTORS["corp_id"], agent_id=VECTORS["agent_id"])
    running = start_stack(
        f"sqlite:///{tmp_path / 'bot.db'}",
        token=VECTORS["token"],
        aes_key=VECTORS["encoding_aes_key"],
        sandbox=sandbox,
    )
    yield running
    running.stop()


def _inbox(stack) -> list[InboxEvent]:
    with Session(stack.engine) as session:
        return list(session.exec(select(InboxEvent)).all())


@pytest.mark.parametrize("vector", VECTORS["vectors"], ids=lambda v: v["name"])
def test_tencent_vectors_are_accepted_or_refused(vector_stack, vector) -> None:
    body = vector["body"].encode() if vector["body"] is not None else None
    response = httpx.request(
        vector["method"], vector_stack.callback_url, params=vector["query"], content=body
    )
    if vector["expect"] == "reject":
        assert 400 <= response.status_code < 500
        assert _inbox(vector_stack) == []
        return
    assert response.status_code == 200
    if vector["method"] == "GET":
        assert response.text == vector["plaintext"]
        assert response.headers["content-type"].startswith("text/plain")
        assert response.content == vector["plaintext"].encode()
    else:
        assert response.content == b""
        [stored] = _inbox(vector_stack)
        assert stored.userid in vector["plaintext"]


def test_url_check_through_the_sandbox_users(stack) -> None:
    response = stack.users.verify_url("1234567890123456789")
    assert response.status_code == 200 and response.text == "1234567890123456789"


def test_forged_signature_is_refused_and_nothing_stored(stack) -> None:
    response = stack.users.post_raw(_text_xml(stack, "汇报"), bad_signature=True)
    assert response.status_code == 403
    assert _inbox(stack) == []


def test_other_corp_is_refused(stack) -> None:
    response = stack.users.post_raw(_text_xml(stack, "汇报"), corp_id="wwsomeoneelse0001")
    assert response.status_code in (400, 403)
    assert _inbox(stack) == []


def test_xml_with_entities_is_refused(stack) -> None:
    evil = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><xml><Encrypt>&a;</Encrypt></xml>'
    )
    response = httpx.post(
        stack.callback_url,
        params={"msg_signature": "x", "timestamp": "1", "nonce": "1"},
        content=evil.encode(),
    )
    assert response.status_code == 400
    assert _inbox(stack) == []


def test_huge_body_is_refused(stack) -> None:
    body = b"<xml><Encrypt>" + b"A" * 200_000 + b"</Encrypt></xml>"
    response = httpx.post(
        stack.callback_url,
        params={"msg_signature": "x", "timestamp": "1", "nonce": "1"},
        content=body,
    )
    assert response.status_code == 413
    assert _inbox(stack) == []


def test_a_callback_retried_by_wecom_is_handled_once(stack) -> None:
    stack.member("stranger01")
    first = stack.users.send_text("stranger01", "你好")
    stack.settle()
    for _ in range(3):  # WeCom retries up to three times
        assert stack.users.resend_last().status_code == 200
    stack.settle()
    assert first.status_code == 200
    assert len(_inbox(stack)) == 1
    assert len(stack.sandbox.messages_to("stranger01")) == 1


def test_a_stranger_is_told_whom_to_ask(stack) -> None:
    stack.member("stranger01")
    [reply] = stack.say("stranger01", "汇报")
    assert "党委办公室" in reply and "校长办公室" in reply


def test_events_are_stored_before_the_answer_and_handled_after(stack) -> None:
    response = stack.users.enter_agent("stranger02")
    assert response.status_code == 200 and response.content == b""
    wait_until(lambda: all(row.status == "done" for row in _inbox(stack)) and _inbox(stack) != [])


def _text_xml(stack, content: str) -> str:
    return (
        f"<xml><ToUserName><![CDATA[{stack.sandbox.corp_id}]]></ToUserName>"
        "<FromUserName><![CDATA[someone]]></FromUserName><CreateTime>1764720100</CreateTime>"
        f"<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{content}]]></Content>"
        "<MsgId>1234567</MsgId><AgentID>1000002</AgentID></xml>"
    )


def test_with_redis_a_retried_callback_is_handled_once(tmp_path, redis_prefix) -> None:
    from tests.conftest import REDIS_TEST_URL

    running = start_stack(
        f"sqlite:///{tmp_path / 'bot.db'}", redis_url=REDIS_TEST_URL, redis_prefix=redis_prefix
    )
    try:
        running.member("stranger03")
        running.users.send_text("stranger03", "你好")
        for _ in range(3):
            assert running.users.resend_last().status_code == 200
        running.settle()
        assert len(_inbox(running)) == 1
        assert len(running.sandbox.messages_to("stranger03")) == 1
    finally:
        running.stop()


def _rename(stack, old: str, new: str) -> None:
    from sqlalchemy import text

    with stack.engine.begin() as connection:
        connection.execute(text(f"ALTER TABLE {old} RENAME TO {new}"))


def test_a_callback_that_could_not_be_stored_is_refused_and_its_retry_accepted(stack) -> None:
    stack.member("stranger04")
    _rename(stack, "inbox", "inbox_away")  # the database refuses the insert
    assert stack.users.send_text("stranger04", "你好").status_code == 503

    _rename(stack, "inbox_away", "inbox")
    assert stack.users.resend_last().status_code == 200  # WeCom's retry
    stack.settle()
    assert len(_inbox(stack)) == 1
    assert len(stack.sandbox.messages_to("stranger04")) == 1


def test_an_event_whose_handling_failed_is_handled_by_the_next_recovery(stack) -> None:
    stack.member("stranger05")
    _rename(stack, "outbox", "outbox_away")  # handling fails when it writes the reply
    assert stack.users.send_text("stranger05", "你好").status_code == 200
    wait_until(lambda: [row.attempts for row in _inbox(stack)] == [1])
    assert _inbox(stack)[0].status == "pending"

    _rename(stack, "outbox_away", "outbox")
    stack.runtime.inbox.recover()
    stack.settle()
    assert _inbox(stack)[0].status == "done"
    assert len(stack.sandbox.messages_to("stranger05")) == 1


def test_a_slow_database_gets_an_error_before_wecom_gives_up_and_nothing_is_doubled(
    stack,
) -> None:
    import sqlite3

    stack.member("stranger06")
    path = stack.engine.url.database
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")  # another writer holds the database
    try:
        # Released only after the answer: without a bounded wait this request would hang.
        response = stack.users.send_text("stranger06", "你好")
    finally:
        blocker.execute("COMMIT")
        blocker.close()
    assert response.status_code == 503

    wait_until(lambda: len(_inbox(stack)) == 1)  # the delayed write landed after all
    assert stack.users.resend_last().status_code == 200  # WeCom's retry: a duplicate now
    stack.settle()
    assert len(_inbox(stack)) == 1
    assert len(stack.sandbox.messages_to("stranger06")) == 1
