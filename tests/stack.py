"""The whole product over real HTTP: the bot's app, the sandbox WeCom, users who talk to it."""

from __future__ import annotations

import base64
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.app import create_app
from bot.config import Settings
from bot.runtime import Runtime
from bot.sandbox.server import BackgroundServer, SandboxServer
from bot.sandbox.state import SandboxState
from bot.sandbox.users import WeComUsers
from bot.storage.messaging import InboxEvent, OutboxMessage

TOKEN = "SandboxCallbackToken2026"


def random_aes_key() -> str:
    return base64.b64encode(os.urandom(32)).decode().rstrip("=")


@dataclass
class Stack:
    sandbox: SandboxState
    runtime: Runtime
    users: WeComUsers
    callback_url: str
    servers: list[BackgroundServer]

    @property
    def engine(self) -> Engine:
        return self.runtime.engine

    def settle(self, timeout: float = 15.0) -> None:
        """Wait until every stored callback is handled and every due message is sent."""
        wait_until(lambda: self._inbox_pending() == 0 and self._outbox_due() == 0, timeout)

    def _inbox_pending(self) -> int:
        with Session(self.engine) as session:
            return len(
                session.exec(select(InboxEvent.id).where(InboxEvent.status == "pending")).all()
            )

    def _outbox_due(self) -> int:
        self.runtime.sender.wake()
        with Session(self.engine) as session:
            rows = session.exec(
                select(OutboxMessage.id).where(col(OutboxMessage.status) == "pending")
            ).all()
            return len(rows)

    def member(self, userid: str, name: str = "", department_id: int = 1) -> None:
        """Make `userid` a member of the WeCom corp (not necessarily known to the bot)."""
        self.sandbox.add_user(userid, name or userid, [department_id])

    def say(self, userid: str, text: str) -> list[str]:
        """Send a text as `userid`, wait for the bot, return the texts it sent that user."""
        before = len(self.sandbox.messages_to(userid))
        response = self.users.send_text(userid, text)
        assert response.status_code == 200 and response.content == b""
        self.settle()
        return [m.content or "" for m in self.sandbox.messages_to(userid)[before:]]

    def stop(self) -> None:
        self.users.close()
        for server in reversed(self.servers):
            server.stop()
        self.runtime.stop()


def wait_until(predicate: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.02)


def start_stack(
    database_url: str,
    *,
    token: str = TOKEN,
    aes_key: str | None = None,
    sandbox: SandboxState | None = None,
    **settings: object,
) -> Stack:
    """Sandbox first, then the bot pointed at it, then the users pointed at the bot."""
    sandbox = sandbox or SandboxState()
    aes_key = aes_key or random_aes_key()
    sandbox_server = SandboxServer(sandbox)
    api_base = sandbox_server.start()
    config = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=database_url,
        wecom_corp_id=sandbox.corp_id,
        wecom_agent_id=sandbox.agent_id,
        wecom_secret=sandbox.secret,
        wecom_token=token,
        wecom_aes_key=aes_key,
        wecom_api_base=api_base,
        **settings,
    )
    runtime = Runtime.from_settings(config, with_scheduler=False)
    runtime.start()  # the background server runs without a lifespan, so start it here
    bot_server = BackgroundServer(create_app(runtime, start=False))
    base = bot_server.start()
    callback_url = base.rstrip("/") + "/wecom/callback"
    users = WeComUsers(callback_url, token, aes_key, sandbox.corp_id, sandbox.agent_id, sandbox)
    return Stack(sandbox, runtime, users, callback_url, [sandbox_server, bot_server])
