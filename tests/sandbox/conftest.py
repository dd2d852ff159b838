"""Fixtures for the WeCom sandbox: a sample corp on a manual clock, served over real HTTP."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.sandbox.server import SandboxServer
from bot.sandbox.state import ManualClock, SandboxState

VECTORS = Path(__file__).resolve().parents[3] / "shared" / "vectors" / "wecom-callbacks.json"


@pytest.fixture(scope="session")
def vectors() -> dict[str, Any]:
    """Callbacks sealed by Tencent's own sample code, from the shared folder beside the repo."""
    loaded: dict[str, Any] = json.loads(VECTORS.read_text(encoding="utf-8"))
    return loaded


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def state(clock: ManualClock) -> SandboxState:
    """A school with an office and a teaching department under it, one member in each."""
    sandbox = SandboxState(clock=clock)
    sandbox.add_department(1, "学校", 0)
    sandbox.add_department(2, "党政办公室", 1)
    sandbox.add_department(3, "教务处", 1)
    sandbox.add_department(4, "教务处考试中心", 3)
    sandbox.add_user("ZhangSan", "张三", [2])
    sandbox.add_user("LiSi", "李四", [3])
    sandbox.add_user("WangWu", "王五", [4])
    return sandbox


@pytest.fixture
def sandbox(state: SandboxState) -> Iterator[SandboxServer]:
    with SandboxServer(state) as server:
        yield server


@pytest.fixture
def api(sandbox: SandboxServer) -> Iterator[httpx.Client]:
    """Plain HTTP to the sandbox, as any WeCom client would speak it."""
    with httpx.Client(base_url=sandbox.url, timeout=5) as client:
        yield client


@pytest.fixture
def token(api: httpx.Client, state: SandboxState) -> str:
    answer = api.get("gettoken", params={"corpid": state.corp_id, "corpsecret": state.secret})
    access_token: str = answer.json()["access_token"]
    return access_token


@pytest.fixture
def call(api: httpx.Client, token: str) -> Callable[..., dict[str, Any]]:
    """POST a JSON body to an endpoint with the current token and return WeCom's answer."""

    def post(endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
        answer: dict[str, Any] = api.post(
            endpoint, params={"access_token": token}, json=body
        ).json()
        return answer

    return post


@pytest.fixture
def make_card() -> Callable[..., dict[str, Any]]:
    """Builds a valid button_interaction card, changed by keyword overrides."""

    def build(task_id: str, **overrides: Any) -> dict[str, Any]:
        card = {
            "card_type": "button_interaction",
            "task_id": task_id,
            "main_title": {"title": "月度汇报待审核", "desc": "党政办公室"},
            "horizontal_content_list": [{"keyname": "任务", "value": "思政工作会议"}],
            "button_list": [
                {"text": "通过", "style": 1, "key": f"approve:{task_id}"},
                {"text": "退回", "style": 2, "key": f"reject:{task_id}"},
            ],
        }
        return card | overrides

    return build
