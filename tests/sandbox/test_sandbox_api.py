"""The sandbox's /cgi-bin/ API over real HTTP: tokens, sending, limits, cards, faults."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from bot.sandbox.state import ManualClock, SandboxState

Call = Callable[[str, dict[str, Any]], dict[str, Any]]
MakeCard = Callable[..., dict[str, Any]]


def text(state: SandboxState, touser: str, content: str = "请按时汇报") -> dict[str, Any]:
    return {
        "touser": touser,
        "msgtype": "text",
        "agentid": state.agent_id,
        "text": {"content": content},
    }


def card_message(state: SandboxState, touser: str, card: dict[str, Any]) -> dict[str, Any]:
    return {
        "touser": touser,
        "msgtype": "template_card",
        "agentid": state.agent_id,
        "template_card": card,
    }


# Tokens


def test_gettoken_gives_the_same_token_until_it_expires(
    api: httpx.Client, state: SandboxState, clock: ManualClock
) -> None:
    params = {"corpid": state.corp_id, "corpsecret": state.secret}
    first = api.get("gettoken", params=params).json()
    clock.advance(7199)
    again = api.get("gettoken", params=params).json()
    clock.advance(1)
    renewed = api.get("gettoken", params=params).json()

    assert first["errcode"] == 0 and first["expires_in"] == 7200
    assert again["access_token"] == first["access_token"] and again["expires_in"] == 1
    assert renewed["access_token"] != first["access_token"]


def test_gettoken_refuses_a_wrong_secret(api: httpx.Client, state: SandboxState) -> None:
    answer = api.get("gettoken", params={"corpid": state.corp_id, "corpsecret": "wrong"})

    assert answer.json()["errcode"] == 40001


def test_an_expired_token_gets_42001(call: Call, state: SandboxState, clock: ManualClock) -> None:
    clock.advance(7200)

    assert call("message/send", text(state, "ZhangSan"))["errcode"] == 42001
    assert state.messages() == []


def test_unknown_revoked_and_missing_tokens(
    api: httpx.Client, call: Call, state: SandboxState
) -> None:
    unknown = api.post("message/send", params={"access_token": "nope"}, json=text(state, "LiSi"))
    missing = api.get("user/get", params={"userid": "LiSi"})
    state.revoke_tokens()

    assert unknown.json()["errcode"] == 40014
    assert missing.json()["errcode"] == 41001
    assert call("message/send", text(state, "LiSi"))["errcode"] == 40014


# Sending


def test_a_text_reaches_known_members_and_reports_unknown_ones_lowercased(
    call: Call, state: SandboxState
) -> None:
    answer = call("message/send", text(state, "zhangsan|LiSi|NoSuchUser"))

    assert answer["errcode"] == 0 and answer["msgid"]
    assert answer["invaliduser"] == "nosuchuser"
    assert "response_code" not in answer
    sent = state.last_message_to("ZhangSan")
    assert sent is not None and sent.content == "请按时汇报" and sent.msgid == answer["msgid"]
    assert [m.userid for m in state.messages()] == ["ZhangSan", "LiSi"]


def test_all_recipients_invalid_is_81013(call: Call, state: SandboxState) -> None:
    answer = call("message/send", text(state, "Ghost|Phantom"))

    assert answer["errcode"] == 81013
    assert answer["invaliduser"] == "ghost|phantom"
    assert state.messages() == []


def test_another_apps_agentid_is_301002(call: Call, state: SandboxState) -> None:
    answer = call("message/send", text(state, "LiSi") | {"agentid": 1000099})

    assert answer["errcode"] == 301002


def test_markdown_is_delivered_and_unknown_msgtypes_refused(
    call: Call, state: SandboxState
) -> None:
    markdown = {"touser": "LiSi", "msgtype": "markdown", "agentid": state.agent_id}
    delivered = call("message/send", markdown | {"markdown": {"content": "**逾期**"}})
    refused = call("message/send", markdown | {"msgtype": "voice", "voice": {}})

    assert delivered["errcode"] == 0
    assert refused["errcode"] == 40008
    last = state.last_message_to("LiSi")
    assert last is not None and last.msgtype == "markdown" and last.content == "**逾期**"


def test_content_past_2048_bytes_is_cut_on_a_character_boundary(
    call: Call, state: SandboxState
) -> None:
    answer = call("message/send", text(state, "LiSi", "督" * 700))  # 2100 bytes

    assert answer["errcode"] == 0
    sent = state.last_message_to("LiSi")
    assert sent is not None and sent.content == "督" * 682  # 2046 bytes


def test_empty_content_is_44004(call: Call, state: SandboxState) -> None:
    assert call("message/send", text(state, "LiSi", ""))["errcode"] == 44004


def test_a_body_that_is_not_json_is_47001(api: httpx.Client, token: str) -> None:
    answer = api.post("message/send", params={"access_token": token}, content=b"<xml/>")

    assert answer.json()["errcode"] == 47001


# Per-member limits


def test_past_30_a_minute_messages_are_dropped_without_an_error(
    call: Call, state: SandboxState, clock: ManualClock
) -> None:
    answers = [call("message/send", text(state, "LiSi", f"第{n}条")) for n in range(31)]
    others = call("message/send", text(state, "ZhangSan"))
    clock.advance(60)
    later = call("message/send", text(state, "LiSi", "一分钟后"))

    assert all(answer["errcode"] == 0 for answer in answers)
    assert others["errcode"] == 0 and later["errcode"] == 0
    assert [m.content for m in state.dropped()] == ["第30条"]
    delivered = state.messages_to("LiSi")
    assert len(delivered) == 31 and delivered[-1].content == "一分钟后"
    assert len(state.messages_to("LiSi", include_dropped=True)) == 32


def test_past_1000_an_hour_messages_are_dropped(state: SandboxState, clock: ManualClock) -> None:
    payload = text(state, "LiSi")
    for _ in range(34):  # 34 bursts of 30, each a minute apart, spans 1020 messages
        for _ in range(30):
            state.deliver(["LiSi"], payload)
        clock.advance(61)

    assert len(state.messages_to("LiSi")) == 1000
    assert len(state.dropped()) == 20


# Template cards and response codes


def test_a_card_send_returns_a_response_code_and_records_the_card(
    call: Call, state: SandboxState, make_card: MakeCard
) -> None:
    answer = call("message/send", card_message(state, "LiSi|WangWu", make_card("rpt-1")))

    assert answer["errcode"] == 0 and answer["response_code"]
    card = state.card("lisi", "rpt-1")
    assert card is not None and card.clickable
    assert card.button_keys == ["approve:rpt-1", "reject:rpt-1"]
    assert [c.task_id for c in state.cards_to("WangWu")] == ["rpt-1"]


@pytest.mark.parametrize(
    "overrides",
    [
        {"task_id": "has space"},
        {"task_id": "汇报"},
        {"task_id": "x" * 129},
        {"card_type": "text_notice"},
        {"main_title": {}},
        {"button_list": [{"text": f"b{n}", "key": f"k{n}"} for n in range(7)]},
        {"button_list": []},
        {"button_list": [{"text": "no key"}]},
        {"button_list": [{"text": "bad style", "key": "k", "style": 5}]},
        {"horizontal_content_list": [{"keyname": "k", "value": "v"}] * 7},
    ],
)
def test_invalid_cards_are_40058(
    call: Call, state: SandboxState, make_card: MakeCard, overrides: dict[str, Any]
) -> None:
    answer = call("message/send", card_message(state, "LiSi", make_card("rpt-1") | overrides))

    assert answer["errcode"] == 40058
    assert state.messages() == []


def test_limits_at_the_edge_are_accepted(
    call: Call, state: SandboxState, make_card: MakeCard
) -> None:
    card = make_card(
        "A-z_0-9@" + "x" * 120,
        button_list=[{"text": f"b{n}", "key": f"k{n}", "style": 4} for n in range(6)],
        horizontal_content_list=[{"keyname": "k", "value": "v"}] * 6,
    )

    assert call("message/send", card_message(state, "LiSi", card))["errcode"] == 0


def test_a_task_id_is_used_once_per_app(
    call: Call, state: SandboxState, make_card: MakeCard
) -> None:
    first = call("message/send", card_message(state, "LiSi", make_card("rpt-1")))
    again = call("message/send", card_message(state, "WangWu", make_card("rpt-1")))

    assert first["errcode"] == 0
    assert again["errcode"] == 40058
    assert state.cards_to("WangWu") == []


def test_a_response_code_greys_the_buttons_once(
    call: Call, state: SandboxState, make_card: MakeCard
) -> None:
    sent = call("message/send", card_message(state, "LiSi|WangWu", make_card("rpt-1")))
    update = {
        "agentid": state.agent_id,
        "response_code": sent["response_code"],
        "userids": ["lisi"],
        "button": {"replace_name": "已通过"},
    }

    first = call("message/update_template_card", update)
    second = call("message/update_template_card", update)

    assert first["errcode"] == 0 and first["invaliduser"] == []
    assert second["errcode"] == 60140
    greyed, untouched = state.card("LiSi", "rpt-1"), state.card("WangWu", "rpt-1")
    assert greyed is not None and greyed.replace_name == "已通过" and not greyed.clickable
    assert untouched is not None and untouched.clickable


def test_a_whole_card_can_replace_the_old_one_for_everyone(
    call: Call, state: SandboxState, make_card: MakeCard
) -> None:
    sent = call("message/send", card_message(state, "LiSi|WangWu", make_card("rpt-1")))
    replacement = make_card("ignored", main_title={"title": "已处理"}, button_list=[])
    replacement.pop("task_id")
    replacement["button_list"] = [{"text": "查看", "key": "view:rpt-1"}]

    answer = call(
        "message/update_template_card",
        {
            "agentid": state.agent_id,
            "response_code": sent["response_code"],
            "atall": 1,
            "template_card": replacement,
        },
    )

    assert answer["errcode"] == 0
    for userid in ("LiSi", "WangWu"):
        card = state.card(userid, "rpt-1")
        assert card is not None and card.template_card["main_title"]["title"] == "已处理"
        assert card.button_keys == ["view:rpt-1"] and card.task_id == "rpt-1"


def test_unknown_and_expired_response_codes_are_60140(
    api: httpx.Client, call: Call, state: SandboxState, clock: ManualClock, make_card: MakeCard
) -> None:
    sent = call("message/send", card_message(state, "LiSi", make_card("rpt-1")))
    clock.advance(72 * 3600)
    credentials = {"corpid": state.corp_id, "corpsecret": state.secret}
    fresh = {"access_token": api.get("gettoken", params=credentials).json()["access_token"]}
    update = {"agentid": state.agent_id, "atall": 1, "button": {"replace_name": "已过期"}}

    unknown = api.post(
        "message/update_template_card", params=fresh, json=update | {"response_code": "made-up"}
    ).json()
    expired = api.post(
        "message/update_template_card",
        params=fresh,
        json=update | {"response_code": sent["response_code"]},
    ).json()

    assert unknown["errcode"] == 60140
    assert expired["errcode"] == 60140
    card = state.card("LiSi", "rpt-1")
    assert card is not None and card.clickable


def test_each_click_mints_a_fresh_code_that_works_once(
    call: Call, state: SandboxState, make_card: MakeCard
) -> None:
    call("message/send", card_message(state, "LiSi", make_card("rpt-1")))
    code = state.click("LiSi", "rpt-1", "approve:rpt-1")
    update = {"agentid": state.agent_id, "response_code": code, "userids": ["LiSi"]}

    answer = call("message/update_template_card", update | {"button": {"replace_name": "已通过"}})

    assert answer["errcode"] == 0
    with pytest.raises(ValueError, match="no clicks any more"):
        state.click("LiSi", "rpt-1", "approve:rpt-1")
    with pytest.raises(LookupError):
        state.click("ZhangSan", "rpt-1", "approve:rpt-1")


def test_an_update_without_recipients_or_change_is_40058(
    call: Call, state: SandboxState, make_card: MakeCard
) -> None:
    sent = call("message/send", card_message(state, "LiSi", make_card("rpt-1")))
    base = {"agentid": state.agent_id, "response_code": sent["response_code"]}

    no_scope = call("message/update_template_card", base | {"button": {"replace_name": "x"}})
    no_change = call("message/update_template_card", base | {"atall": 1})
    still_valid = call(
        "message/update_template_card", base | {"atall": 1, "button": {"replace_name": "x"}}
    )

    assert no_scope["errcode"] == 40058 and no_change["errcode"] == 40058
    assert still_valid["errcode"] == 0


# Address book


def test_department_list_gives_the_subtree(api: httpx.Client, token: str) -> None:
    whole = api.get("department/list", params={"access_token": token}).json()
    teaching = api.get("department/list", params={"access_token": token, "id": 3}).json()
    unknown = api.get("department/list", params={"access_token": token, "id": 99}).json()

    assert [d["id"] for d in whole["department"]] == [1, 2, 3, 4]
    assert teaching["department"] == [
        {"id": 3, "name": "教务处", "parentid": 1, "order": 0},
        {"id": 4, "name": "教务处考试中心", "parentid": 3, "order": 0},
    ]
    assert unknown["errcode"] == 60123


def test_user_list_gives_one_level(api: httpx.Client, token: str) -> None:
    answer = api.get("user/list", params={"access_token": token, "department_id": 3}).json()

    assert [u["userid"] for u in answer["userlist"]] == ["LiSi"]


def test_user_get_knows_members_case_insensitively(api: httpx.Client, token: str) -> None:
    found = api.get("user/get", params={"access_token": token, "userid": "wangwu"}).json()
    unknown = api.get("user/get", params={"access_token": token, "userid": "nobody"}).json()

    assert found["userid"] == "WangWu" and found["name"] == "王五"
    assert found["department"] == [4] and "mobile" not in found
    assert unknown["errcode"] == 60111


# Faults


def test_fail_next_answers_with_the_errcode_and_delivers_nothing(
    call: Call, state: SandboxState
) -> None:
    state.fail_next(2, -1, path="message/send")

    answers = [call("message/send", text(state, "LiSi", f"第{n}次")) for n in range(3)]

    assert [a["errcode"] for a in answers] == [-1, -1, 0]
    assert [m.content for m in state.messages()] == ["第2次"]
    assert state.calls("message/send") == 3


def test_fail_next_for_another_path_leaves_this_one_alone(call: Call, state: SandboxState) -> None:
    state.fail_next(1, 45009, path="user/get")

    assert call("message/send", text(state, "LiSi"))["errcode"] == 0


def test_a_down_sandbox_answers_503_and_keeps_nothing(
    api: httpx.Client, token: str, state: SandboxState
) -> None:
    state.set_down(True)
    down = api.post("message/send", params={"access_token": token}, json=text(state, "LiSi"))
    state.set_down(False)
    up = api.post("message/send", params={"access_token": token}, json=text(state, "LiSi"))

    assert down.status_code == 503
    assert up.json()["errcode"] == 0
    assert len(state.messages()) == 1
