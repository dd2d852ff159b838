"""WeComUsers against a receiver built on wechatpy: what the bot's callback route will see."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import FastAPI, Request, Response
from fastapi.responses import PlainTextResponse
from wechatpy.enterprise import WeChatCrypto
from wechatpy.enterprise.exceptions import InvalidCorpIdException
from wechatpy.exceptions import InvalidSignatureException

from bot.sandbox.server import BackgroundServer
from bot.sandbox.state import ManualClock, SandboxState
from bot.sandbox.users import WeComUsers

TOKEN = "SandboxCallbackToken"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
REFUSED = (InvalidSignatureException, InvalidCorpIdException)


@dataclass
class Inbox:
    """What the receiver saw: each raw request, and each plaintext it accepted."""

    raw: list[tuple[str, bytes]] = field(default_factory=list)
    plaintexts: list[str] = field(default_factory=list)

    def fields(self, index: int = -1) -> list[tuple[str, str]]:
        return [(e.tag, e.text or "") for e in ET.fromstring(self.plaintexts[index])]


def receiver_app(crypto: WeChatCrypto, inbox: Inbox) -> FastAPI:
    app = FastAPI()

    @app.get("/callback")
    def verify(msg_signature: str, timestamp: str, nonce: str, echostr: str) -> Response:
        try:
            plain = crypto.check_signature(msg_signature, timestamp, nonce, echostr)
        except REFUSED:
            return Response(status_code=403)
        return PlainTextResponse(plain)

    @app.post("/callback")
    async def receive(
        request: Request, msg_signature: str, timestamp: str, nonce: str
    ) -> Response:
        body = await request.body()
        inbox.raw.append((str(request.url), body))
        try:
            inbox.plaintexts.append(crypto.decrypt_message(body, msg_signature, timestamp, nonce))
        except REFUSED:
            return Response(status_code=403)
        return Response(status_code=200)

    return app


@pytest.fixture
def inbox() -> Inbox:
    return Inbox()


@pytest.fixture
def users(state: SandboxState, inbox: Inbox) -> Iterator[WeComUsers]:
    crypto = WeChatCrypto(TOKEN, AES_KEY, state.corp_id)
    with BackgroundServer(receiver_app(crypto, inbox)) as receiver:
        url = receiver.url + "callback"
        with WeComUsers(url, TOKEN, AES_KEY, state.corp_id, state.agent_id, state) as players:
            yield players


def test_verify_url_passes_wechatpys_check(users: WeComUsers) -> None:
    answer = users.verify_url("6278937462091384756")

    assert answer.status_code == 200
    assert answer.text == "6278937462091384756"


def test_send_text_has_wecoms_shape(
    users: WeComUsers, inbox: Inbox, state: SandboxState, clock: ManualClock
) -> None:
    answer = users.send_text("LiSi", "汇报 ]]> 完成", msg_id=7412345678901234567)

    assert answer.status_code == 200
    assert inbox.fields() == [
        ("ToUserName", state.corp_id),
        ("FromUserName", "LiSi"),
        ("CreateTime", str(int(clock()))),
        ("MsgType", "text"),
        ("Content", "汇报 ]]> 完成"),
        ("MsgId", "7412345678901234567"),
        ("AgentID", str(state.agent_id)),
    ]


def test_events_have_wecoms_shape(users: WeComUsers, inbox: Inbox, state: SandboxState) -> None:
    users.enter_agent("WangWu")
    users.click_menu("WangWu", "menu:report")

    entered, clicked = dict(inbox.fields(0)), dict(inbox.fields(1))
    assert entered["MsgType"] == "event" and entered["Event"] == "enter_agent"
    assert entered["EventKey"] == "" and entered["AgentID"] == str(state.agent_id)
    assert clicked["Event"] == "click" and clicked["EventKey"] == "menu:report"
    assert clicked["FromUserName"] == "WangWu" and clicked["ToUserName"] == state.corp_id


def test_one_member_never_has_two_callbacks_in_one_second(
    users: WeComUsers, inbox: Inbox, clock: ManualClock
) -> None:
    users.enter_agent("WangWu")
    users.click_menu("WangWu", "menu:report")
    users.enter_agent("LiSi")

    times = [int(dict(inbox.fields(n))["CreateTime"]) for n in range(3)]
    assert times == [int(clock()), int(clock()) + 1, int(clock())]


def test_click_card_sends_a_fresh_single_use_response_code(
    users: WeComUsers,
    inbox: Inbox,
    state: SandboxState,
    call: Callable[[str, dict[str, Any]], dict[str, Any]],
    make_card: Callable[..., dict[str, Any]],
) -> None:
    message = {"touser": "LiSi", "msgtype": "template_card", "agentid": state.agent_id}
    sent = call("message/send", message | {"template_card": make_card("rpt-42")})

    users.click_card("LiSi", "rpt-42", "approve:rpt-42")

    event = dict(inbox.fields())
    assert event["MsgType"] == "event" and event["Event"] == "template_card_event"
    assert event["EventKey"] == "approve:rpt-42" and event["TaskId"] == "rpt-42"
    assert event["CardType"] == "button_interaction"
    assert event["ResponseCode"] and event["ResponseCode"] != sent["response_code"]
    update = {"agentid": state.agent_id, "userids": ["LiSi"], "button": {"replace_name": "已通过"}}
    first = call("message/update_template_card", update | {"response_code": event["ResponseCode"]})
    again = call("message/update_template_card", update | {"response_code": event["ResponseCode"]})
    assert (first["errcode"], again["errcode"]) == (0, 60140)


def test_click_card_needs_a_delivered_card_and_a_real_button(
    users: WeComUsers, state: SandboxState, make_card: Callable[..., dict[str, Any]]
) -> None:
    payload = {"msgtype": "template_card", "template_card": make_card("rpt-7")}
    state.deliver(["LiSi"], payload)

    with pytest.raises(LookupError):
        users.click_card("WangWu", "rpt-7", "approve:rpt-7")
    with pytest.raises(ValueError, match="no button"):
        users.click_card("LiSi", "rpt-7", "delete-everything")


def test_forged_callbacks_are_refused_by_wechatpy(users: WeComUsers, inbox: Inbox) -> None:
    plaintext = "<xml><Content><![CDATA[伪造]]></Content></xml>"

    answers = [
        users.post_raw(plaintext, bad_signature=True),
        users.post_raw(plaintext, corp_id="wwanothercorp00001"),
        users.post_raw(plaintext, tamper=True),
        users.post_raw(plaintext),
    ]

    assert [a.status_code for a in answers] == [403, 403, 403, 200]
    assert inbox.plaintexts == [plaintext]


def test_resend_last_replays_the_callback_byte_for_byte(users: WeComUsers, inbox: Inbox) -> None:
    users.send_text("LiSi", "汇报")
    answer = users.resend_last()

    assert answer.status_code == 200
    assert inbox.raw[0] == inbox.raw[1]
    assert inbox.plaintexts[0] == inbox.plaintexts[1]


def test_resend_last_before_anything_was_sent_is_an_error(users: WeComUsers) -> None:
    with pytest.raises(RuntimeError, match="no callback"):
        users.resend_last()


def test_callbacks_carry_the_same_elements_in_the_same_order_as_tencents(
    users: WeComUsers,
    inbox: Inbox,
    state: SandboxState,
    vectors: dict[str, Any],
    make_card: Callable[..., dict[str, Any]],
) -> None:
    state.deliver(["LiSi"], {"msgtype": "template_card", "template_card": make_card("rpt-42")})
    users.send_text("LiSi", "汇报")
    users.enter_agent("LiSi")
    users.click_card("LiSi", "rpt-42", "approve:rpt-42")

    expected = {v["name"]: v["plaintext"] for v in vectors["vectors"]}
    for index, name in enumerate(["text_message", "enter_agent_event", "template_card_event"]):
        theirs = [element.tag for element in ET.fromstring(expected[name])]
        assert [tag for tag, _ in inbox.fields(index)] == theirs, name
