"""SandboxServer: real HTTP on a free port, in a thread, until stopped."""

from __future__ import annotations

import httpx
import pytest

from bot.sandbox.server import SandboxServer
from bot.sandbox.state import SandboxState


def test_start_returns_the_api_base_and_stop_closes_the_port(state: SandboxState) -> None:
    server = SandboxServer(state)
    url = server.start()
    try:
        answer = httpx.get(url + "gettoken", params={"corpid": state.corp_id, "corpsecret": "x"})
    finally:
        server.stop()

    assert url.startswith("http://127.0.0.1:") and url.endswith("/cgi-bin/")
    assert answer.json()["errcode"] == 40001
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + "gettoken")


def test_two_servers_get_two_ports(state: SandboxState) -> None:
    with SandboxServer(state) as first, SandboxServer(SandboxState()) as second:
        assert first.url != second.url
        assert first.state is state


def test_a_started_server_cannot_start_again(state: SandboxState) -> None:
    with SandboxServer(state) as server, pytest.raises(RuntimeError, match="already running"):
        server.start()
