"""`duban serve` as an engineer starts it: a real process answering WeCom through the sandbox."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys

import httpx
import pytest
from sqlmodel import Session

from bot.sandbox.server import SandboxServer
from bot.sandbox.state import SandboxState
from bot.sandbox.users import WeComUsers
from bot.storage.db import make_engine, upgrade
from bot.storage.models import Role
from tests import factories
from tests.stack import random_aes_key, wait_until

TOKEN = "ServeTestToken"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def served(tmp_path):
    sandbox = SandboxState()
    sandbox.add_user("gaoxiang", "高翔", [1])
    database = f"sqlite:///{tmp_path / 'serve.db'}"
    engine = make_engine(database)
    upgrade(engine)
    with Session(engine) as session:
        factories.person(
            session, userid="gaoxiang", name="高翔", roles=((Role.LIAISON, "宣传部"),)
        )
        session.commit()
    engine.dispose()
    key, port = random_aes_key(), _free_port()
    with SandboxServer(sandbox) as wecom:
        env = os.environ | {
            "DATABASE_URL": database,
            "WECOM_CORP_ID": sandbox.corp_id,
            "WECOM_AGENT_ID": str(sandbox.agent_id),
            "WECOM_SECRET": sandbox.secret,
            "WECOM_TOKEN": TOKEN,
            "WECOM_AES_KEY": key,
            "WECOM_API_BASE": wecom.url,
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--port", str(port), "--no-scheduler"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until(lambda: _healthy(base), timeout=30)
            users = WeComUsers(
                f"{base}/wecom/callback", TOKEN, key, sandbox.corp_id, sandbox.agent_id
            )
            yield sandbox, users, process
            users.close()
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
                process.wait(timeout=20)
            if process.stdout is not None:
                process.stdout.close()


def _healthy(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=1).json() == {"status": "ok"}
    except httpx.HTTPError:
        return False


def test_serve_answers_the_url_check_and_a_liaison_and_stops_on_ctrl_c(served) -> None:
    sandbox, users, process = served
    check = users.verify_url("5432109876543210")
    assert check.status_code == 200 and check.text == "5432109876543210"

    assert users.send_text("gaoxiang", "帮助").status_code == 200
    wait_until(lambda: bool(sandbox.messages_to("gaoxiang")), timeout=20)
    assert "联络员" in (sandbox.messages_to("gaoxiang")[0].content or "")

    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=20) == 0
    output = process.stdout.read().decode() if process.stdout else ""
    assert "WECOM_SECRET" not in output and sandbox.secret not in output
