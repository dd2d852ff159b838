"""WeComClient against the sandbox over real HTTP: tokens, retries, errors, the shared cache."""

from __future__ import annotations

import logging
import time
import traceback
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis

from bot.config import Settings
from bot.sandbox.server import SandboxServer
from bot.sandbox.state import ManualClock, SandboxState
from bot.wecom.client import (
    InMemoryTokenCache,
    PermanentWeComError,
    RedisTokenCache,
    TokenCache,
    TransientWeComError,
    WeComClient,
)
from tests.conftest import REDIS_TEST_URL

REDIS_URL = REDIS_TEST_URL
CARD = {
    "card_type": "button_interaction",
    "task_id": "rpt-1",
    "main_title": {"title": "月度汇报待审核"},
    "button_list": [{"text": "通过", "style": 1, "key": "approve:rpt-1"}],
}
MakeClient = Callable[..., WeComClient]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def state(clock: ManualClock) -> SandboxState:
    sandbox = SandboxState(clock=clock)
    sandbox.add_department(1, "学校", 0)
    sandbox.add_department(2, "党政办公室", 1)
    sandbox.add_department(3, "教务处", 1)
    sandbox.add_user("ZhangSan", "张三", [2])
    sandbox.add_user("LiSi", "李四", [3])
    return sandbox


@pytest.fixture
def sandbox(state: SandboxState) -> Iterator[SandboxServer]:
    with SandboxServer(state) as server:
        yield server


@pytest.fixture
def make_client(sandbox: SandboxServer, state: SandboxState) -> Iterator[MakeClient]:
    """Clients of the sandbox's app, closed after the test; keywords override the defaults."""
    made: list[WeComClient] = []

    def make(**overrides: Any) -> WeComClient:
        arguments: dict[str, Any] = {
            "corp_id": state.corp_id,
            "secret": state.secret,
            "agent_id": state.agent_id,
            "api_base": sandbox.url,
            "timeout": 2.0,
        }
        made.append(WeComClient(**(arguments | overrides)))
        return made[-1]

    yield make
    for client in made:
        client.close()


@pytest.fixture
def client(make_client: MakeClient) -> WeComClient:
    return make_client()


# Sending


def test_send_text_delivers_and_returns_the_msgid(
    client: WeComClient, state: SandboxState
) -> None:
    result = client.send_text(["ZhangSan", "Ghost"], "请于本周五前提交汇报")

    assert result["errcode"] == 0 and result["invaliduser"] == "ghost"
    sent = state.last_message_to("ZhangSan")
    assert sent is not None and sent.msgid == result["msgid"]
    assert sent.payload["text"]["content"] == "请于本周五前提交汇报"


def test_send_markdown(client: WeComClient, state: SandboxState) -> None:
    client.send_markdown(["LiSi"], "**逾期提醒**")

    sent = state.last_message_to("LiSi")
    assert sent is not None and sent.msgtype == "markdown" and sent.content == "**逾期提醒**"


def test_a_single_userid_string_is_refused(client: WeComClient) -> None:
    with pytest.raises(TypeError):
        client.send_text("LiSi", "x")


def test_a_card_response_code_updates_once_then_60140(
    client: WeComClient, state: SandboxState
) -> None:
    result = client.send_template_card(["LiSi"], CARD)

    client.update_template_card(result["response_code"], userids=["LiSi"], replace_name="已通过")
    with pytest.raises(PermanentWeComError) as refused:
        client.update_template_card(result["response_code"], replace_name="再次")

    assert refused.value.errcode == 60140
    card = state.card("LiSi", "rpt-1")
    assert card is not None and card.replace_name == "已通过"


def test_a_replacement_card_goes_to_everyone(client: WeComClient, state: SandboxState) -> None:
    result = client.send_template_card(["LiSi", "ZhangSan"], CARD)
    replacement = CARD | {"main_title": {"title": "已处理"}}

    client.update_template_card(result["response_code"], card=replacement)

    for userid in ("LiSi", "ZhangSan"):
        card = state.card(userid, "rpt-1")
        assert card is not None and card.template_card["main_title"]["title"] == "已处理"


def test_update_needs_exactly_one_change(client: WeComClient) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        client.update_template_card("code")


def test_past_30_a_minute_the_client_sees_no_error_but_the_sandbox_drops(
    client: WeComClient, state: SandboxState
) -> None:
    for n in range(31):
        assert client.send_text(["LiSi"], f"第{n}条")["errcode"] == 0

    assert [m.content for m in state.dropped()] == ["第30条"]


# Tokens


def test_one_token_fetch_serves_every_client_sharing_the_cache(
    make_client: MakeClient, state: SandboxState
) -> None:
    cache = InMemoryTokenCache()
    first, second = make_client(token_cache=cache), make_client(token_cache=cache)

    first.send_text(["LiSi"], "一")
    second.send_text(["LiSi"], "二")

    assert state.calls("gettoken") == 1


def test_an_expired_token_is_refetched_and_the_call_retried_once(
    client: WeComClient, state: SandboxState, clock: ManualClock
) -> None:
    client.send_text(["LiSi"], "一")
    clock.advance(7200)  # the sandbox's token expires; the client's cache does not know

    client.send_text(["LiSi"], "二")

    assert state.calls("gettoken") == 2
    assert state.calls("message/send") == 3
    assert [m.content for m in state.messages_to("LiSi")] == ["一", "二"]


def test_a_revoked_token_is_refetched(client: WeComClient, state: SandboxState) -> None:
    client.get_user("LiSi")
    state.revoke_tokens()

    assert client.get_user("LiSi")["name"] == "李四"
    assert state.calls("gettoken") == 2


def test_a_token_refused_twice_is_retried_only_once(
    client: WeComClient, state: SandboxState
) -> None:
    state.fail_next(5, 42001, path="message/send")

    with pytest.raises(TransientWeComError) as refused:
        client.send_text(["LiSi"], "x")

    assert refused.value.errcode == 42001
    assert state.calls("message/send") == 2
    assert state.messages() == []


def test_the_cache_expires_a_little_before_the_token() -> None:
    now = [0.0]
    cache = InMemoryTokenCache(clock=lambda: now[0])
    cache.set("k", "token", 10)

    assert cache.get("k") == "token"
    now[0] = 10.0
    assert cache.get("k") is None


# Failures, sorted for the outbox


@pytest.mark.parametrize("errcode", [-1, 45009, 45033])
def test_busy_and_rate_limits_are_transient(
    client: WeComClient, state: SandboxState, errcode: int
) -> None:
    state.fail_next(1, errcode, path="message/send")

    with pytest.raises(TransientWeComError) as failed:
        client.send_text(["LiSi"], "x")
    client.send_text(["LiSi"], "retried")

    assert failed.value.errcode == errcode
    assert [m.content for m in state.messages()] == ["retried"]


@pytest.mark.parametrize("errcode", [60011, 40003, 40031, 60020, 45002, 12345])
def test_configuration_recipient_and_unknown_errors_are_permanent(
    client: WeComClient, state: SandboxState, errcode: int
) -> None:
    state.fail_next(1, errcode, path="message/send")

    with pytest.raises(PermanentWeComError) as failed:
        client.send_text(["LiSi"], "x")

    assert failed.value.errcode == errcode


def test_real_permanent_answers_from_the_sandbox(
    make_client: MakeClient, client: WeComClient
) -> None:
    cases = [
        (lambda: client.send_text(["Ghost"], "x"), 81013),
        (lambda: client.send_text(["LiSi"], ""), 44004),
        (lambda: make_client(agent_id=1000099).send_text(["LiSi"], "x"), 301002),
        (lambda: make_client(secret="wrong").send_text(["LiSi"], "x"), 40001),
    ]
    for operation, errcode in cases:
        with pytest.raises(PermanentWeComError) as failed:
            operation()
        assert failed.value.errcode == errcode


def test_a_down_wecom_is_transient_and_nothing_is_lost(
    client: WeComClient, state: SandboxState
) -> None:
    client.send_text(["LiSi"], "一")
    state.set_down(True)

    with pytest.raises(TransientWeComError) as failed:
        client.send_text(["LiSi"], "二")
    state.set_down(False)
    client.send_text(["LiSi"], "二")

    assert failed.value.errcode is None and "503" in failed.value.errmsg
    assert [m.content for m in state.messages_to("LiSi")] == ["一", "二"]


def test_a_down_gettoken_is_transient(client: WeComClient, state: SandboxState) -> None:
    state.set_down(True)

    with pytest.raises(TransientWeComError):
        client.get_user("LiSi")


def test_an_unreachable_wecom_is_transient_and_leaks_no_credential(
    make_client: MakeClient, sandbox: SandboxServer, state: SandboxState
) -> None:
    client = make_client()
    client.get_user("LiSi")  # holds a token now
    token = state.issue_token(state.corp_id, state.secret)[0]
    sandbox.stop()

    for operation in (lambda: client.get_user("LiSi"), lambda: make_client().get_user("LiSi")):
        with pytest.raises(TransientWeComError) as failed:
            operation()
        printed = "".join(traceback.format_exception(failed.value))
        assert token not in printed and state.secret not in printed


@pytest.mark.parametrize("warm", [False, True], ids=["token fetch", "api call"])
def test_every_call_has_a_timeout(
    make_client: MakeClient, state: SandboxState, warm: bool
) -> None:
    client = make_client(timeout=0.2)
    if warm:
        client.get_user("LiSi")
    state.set_delay(1.0)

    started = time.monotonic()
    with pytest.raises(TransientWeComError):
        client.get_user("LiSi")

    assert time.monotonic() - started < 0.9


def test_neither_secret_nor_token_is_logged(
    client: WeComClient, state: SandboxState, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    client.send_text(["LiSi"], "x")
    state.revoke_tokens()
    client.send_text(["LiSi"], "y")

    token = state.issue_token(state.corp_id, state.secret)[0]
    assert "gettoken" in caplog.text  # urllib3's DEBUG lines were captured
    assert token not in caplog.text and state.secret not in caplog.text


# Address book


def test_address_book_calls(client: WeComClient) -> None:
    assert [d["id"] for d in client.list_departments()] == [1, 2, 3]
    assert [d["id"] for d in client.list_departments(3)] == [3]
    assert [u["userid"] for u in client.list_users(2)] == ["ZhangSan"]
    assert client.get_user("lisi")["department"] == [3]
    with pytest.raises(PermanentWeComError) as failed:
        client.get_user("nobody")
    assert failed.value.errcode == 60111


# Settings and the Redis cache


def test_from_settings_points_the_client_at_the_configured_api(
    sandbox: SandboxServer, state: SandboxState
) -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        wecom_corp_id=state.corp_id,
        wecom_secret=state.secret,
        wecom_agent_id=state.agent_id,
        wecom_api_base=sandbox.url,
        redis_url=None,
    )
    client = WeComClient.from_settings(settings)
    try:
        client.send_text(["LiSi"], "配置")
    finally:
        client.close()

    assert [m.content for m in state.messages()] == ["配置"]


@pytest.fixture
def token_prefix(redis_client: redis.Redis) -> Iterator[str]:
    prefix = f"duban-test-{uuid.uuid4().hex}:wecom:"
    yield prefix
    for key in redis_client.scan_iter(match=prefix + "*"):
        redis_client.delete(key)


def test_redis_shares_one_token_between_processes(
    make_client: MakeClient, state: SandboxState, redis_client: redis.Redis, token_prefix: str
) -> None:
    caches: list[TokenCache] = [
        RedisTokenCache.from_url(REDIS_URL, token_prefix) for _ in range(2)
    ]
    try:
        for cache in caches:
            make_client(token_cache=cache).send_text(["LiSi"], "x")
    finally:
        for cache in caches:
            assert isinstance(cache, RedisTokenCache)
            cache.close()

    assert state.calls("gettoken") == 1
    key = f"{token_prefix}access_token:{state.corp_id}:{state.agent_id}"
    assert 0 < redis_client.ttl(key) <= 7200 - 300


def test_from_settings_uses_redis_when_configured(
    sandbox: SandboxServer, state: SandboxState, redis_client: redis.Redis
) -> None:
    prefix = f"duban-test-{uuid.uuid4().hex}"
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        wecom_corp_id=state.corp_id,
        wecom_secret=state.secret,
        wecom_agent_id=state.agent_id,
        wecom_api_base=sandbox.url,
        redis_url=REDIS_URL,
        redis_prefix=prefix,
    )
    client = WeComClient.from_settings(settings)
    try:
        client.send_text(["LiSi"], "x")
        keys = list(redis_client.scan_iter(match=prefix + ":*"))
    finally:
        client.close()
        for key in redis_client.scan_iter(match=prefix + ":*"):
            redis_client.delete(key)

    assert keys == [f"{prefix}:wecom:access_token:{state.corp_id}:{state.agent_id}".encode()]


def test_an_unreachable_redis_is_transient(make_client: MakeClient) -> None:
    cache = RedisTokenCache.from_url("redis://127.0.0.1:1/0", "x:", timeout=0.5)
    try:
        with pytest.raises(TransientWeComError, match="token cache"):
            make_client(token_cache=cache).send_text(["LiSi"], "x")
    finally:
        cache.close()
