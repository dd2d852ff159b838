"""Callbacks per second through the full path, against wechatpy's decrypt alone; and the
latency of the acknowledgement under 50 concurrent callers, over real HTTP.

Run: python benchmarks/bench_callbacks.py [--count 2000] [--callers 50]
The full path is: verify the signature, decrypt, parse, dedupe, store in the inbox, handle
(the conversation router, a reply written to the outbox) and mark handled, on SQLite.
"""

from __future__ import annotations

import argparse
import base64
import multiprocessing
import os
import statistics
import tempfile
import threading
import time
from pathlib import Path

from sqlmodel import Session
from wechatpy.enterprise import WeChatCrypto

from bot.app import create_app
from bot.config import Settings
from bot.runtime import Runtime
from bot.sandbox.crypto import CallbackCipher, envelope, sign
from bot.sandbox.server import BackgroundServer, SandboxServer
from bot.sandbox.state import SandboxState
from bot.sandbox.users import WeComUsers
from bot.storage.models import Person, Role, RoleAssignment
from bot.wecom.events import parse_inbound

TOKEN = "BenchToken"


def _callbacks(key: str, corp_id: str, count: int, userid: str) -> list[tuple[dict, bytes]]:
    cipher = CallbackCipher(key, corp_id)
    made = []
    for n in range(count):
        xml = (
            f"<xml><ToUserName><![CDATA[{corp_id}]]></ToUserName><FromUserName><![CDATA[{userid}]]>"
            f"</FromUserName><CreateTime>{1764720000 + n}</CreateTime><MsgType><![CDATA[text]]>"
            f"</MsgType><Content><![CDATA[帮助]]></Content><MsgId>{10**15 + n}</MsgId>"
            "<AgentID>1000002</AgentID></xml>"
        )
        encrypted = cipher.encrypt(xml)
        query = {
            "msg_signature": sign(TOKEN, "1764720000", str(n), encrypted),
            "timestamp": "1764720000",
            "nonce": str(n),
        }
        made.append((query, envelope(corp_id, 1000002, encrypted).encode()))
    return made


def raw_decrypt(key: str, corp_id: str, callbacks: list[tuple[dict, bytes]]) -> float:
    crypto = WeChatCrypto(TOKEN, key, corp_id)
    started = time.perf_counter()
    for query, body in callbacks:
        crypto.decrypt_message(body, query["msg_signature"], query["timestamp"], query["nonce"])
    return len(callbacks) / (time.perf_counter() - started)


def full_path(runtime: Runtime, callbacks: list[tuple[dict, bytes]]) -> tuple[float, float]:
    """Callbacks per second: up to the acknowledgement (stored), and with the handling."""
    runtime.inbox.submit = lambda userid: None  # type: ignore[method-assign]  # drained below
    acknowledged = handled = 0.0
    for query, body in callbacks:
        started = time.perf_counter()
        xml = runtime.verifier.decrypt(
            body,
            signature=query["msg_signature"],
            timestamp=query["timestamp"],
            nonce=query["nonce"],
        )
        event = parse_inbound(xml)
        stored = runtime.accept(event).result()
        acknowledged += time.perf_counter() - started
        if stored:
            runtime.inbox.drain(event.userid)
        handled += time.perf_counter() - started
    return len(callbacks) / acknowledged, len(callbacks) / handled


def acknowledgements(url: str, key: str, corp_id: str, callers: int, each: int) -> list[float]:
    """Run the callers in a process of their own, so they do not share the bot's GIL."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        return pool.apply(_call_concurrently, (url, key, corp_id, callers, each))


def _call_concurrently(url: str, key: str, corp_id: str, callers: int, each: int) -> list[float]:
    latencies: list[float] = []
    lock = threading.Lock()

    def caller(number: int) -> None:
        users = WeComUsers(url, TOKEN, key, corp_id, 1000002)
        mine = []
        for n in range(each):
            started = time.perf_counter()
            response = users.send_text(f"caller{number}", f"消息{n}")
            mine.append(time.perf_counter() - started)
            assert response.status_code == 200
        users.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=caller, args=(n,)) for n in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--callers", type=int, default=50)
    parser.add_argument("--each", type=int, default=20)
    parser.add_argument(
        "--database", help="URL of an EMPTY database (default: SQLite in a temp dir)"
    )
    args = parser.parse_args()
    key = base64.b64encode(os.urandom(32)).decode().rstrip("=")
    sandbox = SandboxState()
    sandbox.add_user("bench", "测试联络员", [1])
    with tempfile.TemporaryDirectory() as folder, SandboxServer(sandbox) as wecom:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=args.database or f"sqlite:///{Path(folder) / 'bench.db'}",
            wecom_corp_id=sandbox.corp_id,
            wecom_agent_id=sandbox.agent_id,
            wecom_secret=sandbox.secret,
            wecom_token=TOKEN,
            wecom_aes_key=key,
            wecom_api_base=wecom.url,
        )
        runtime = Runtime.from_settings(settings)
        with Session(runtime.engine) as session:
            person = Person(name="测试联络员", userid="bench")
            session.add(person)
            session.flush()
            session.add(RoleAssignment(person_id=person.id or 0, role=Role.LEADER))
            session.commit()
        callbacks = _callbacks(key, sandbox.corp_id, args.count, "bench")
        raw = raw_decrypt(key, sandbox.corp_id, callbacks)
        acked, full = full_path(runtime, callbacks)
        print(f"wechatpy decrypt alone: {raw:,.0f} callbacks/s")
        print(
            f"to the acknowledgement (verify, decrypt, parse, dedupe, store): "
            f"{acked:,.0f} callbacks/s, {raw / acked:.1f}x the raw decrypt cost"
        )
        print(
            f"full path (the above, then handle and write the reply to the outbox): "
            f"{full:,.0f} callbacks/s, {raw / full:.1f}x the raw decrypt cost"
        )

        runtime.start()
        server = BackgroundServer(create_app(runtime, start=False))
        url = server.start().rstrip("/") + "/wecom/callback"
        started = time.perf_counter()
        latencies = sorted(acknowledgements(url, key, sandbox.corp_id, args.callers, args.each))
        elapsed = time.perf_counter() - started
        server.stop()
        runtime.stop()
        p99 = latencies[int(len(latencies) * 0.99) - 1]
        print(
            f"acknowledgement, {args.callers} concurrent callers, {len(latencies)} callbacks: "
            f"p50 {statistics.median(latencies) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, "
            f"max {latencies[-1] * 1000:.1f} ms, {len(latencies) / elapsed:,.0f} callbacks/s"
        )


if __name__ == "__main__":
    main()
