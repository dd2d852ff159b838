"""Plays WeCom members by sending the bot signed, encrypted callbacks over real HTTP, shaped as
WeCom shapes them."""

from __future__ import annotations

import secrets
import time
from types import TracebackType

import httpx

from bot.sandbox.crypto import CallbackCipher, envelope, sign
from bot.sandbox.state import SandboxState


class WeComUsers:
    """Members of one corp talking to one app whose callback URL is `callback_url`.

    Give it the sandbox `state` to click cards and to share the sandbox clock. Each member's
    CreateTime moves forward at least a second per callback, because the bot deduplicates
    events by member and CreateTime and a person does not act twice within one second.
    """

    def __init__(
        self,
        callback_url: str,
        token: str,
        aes_key: str,
        corp_id: str,
        agent_id: int,
        state: SandboxState | None = None,
        *,
        timeout: float = 10.0,
    ) -> None:
        self._url = callback_url
        self._token = token
        self._aes_key = aes_key
        self._corp_id = corp_id
        self._agent_id = agent_id
        self._state = state
        self._cipher = CallbackCipher(aes_key, corp_id)
        self._http = httpx.Client(timeout=timeout)
        self._last_create_time: dict[str, int] = {}
        self._last_request: tuple[str, str, bytes | None] | None = None

    def verify_url(self, echostr_plain: str) -> httpx.Response:
        """The GET WeCom makes when an admin saves the callback URL."""
        echostr = self._cipher.encrypt(echostr_plain)
        query = self._signed_query(echostr) | {"echostr": echostr}
        return self._request("GET", query, None)

    def send_text(self, userid: str, content: str, *, msg_id: int | None = None) -> httpx.Response:
        msg_id = msg_id if msg_id is not None else _random_msg_id()
        fields: list[tuple[str, str | int]] = [
            ("MsgType", "text"),
            ("Content", content),
            ("MsgId", msg_id),
        ]
        return self.post_raw(self._plaintext(userid, fields))

    def enter_agent(self, userid: str) -> httpx.Response:
        return self._event(userid, "enter_agent", "")

    def click_menu(self, userid: str, key: str) -> httpx.Response:
        return self._event(userid, "click", key)

    def click_card(self, userid: str, task_id: str, key: str) -> httpx.Response:
        """Press button `key` on the card `task_id` that the sandbox delivered to `userid`."""
        if self._state is None:
            raise RuntimeError("clicking a card needs the sandbox state")
        card = self._state.card(userid, task_id)
        if card is None:
            raise LookupError(f"no card {task_id!r} was delivered to {userid!r}")
        response_code = self._state.click(userid, task_id, key)

        fields: list[tuple[str, str | int]] = [
            ("MsgType", "event"),
            ("Event", "template_card_event"),
            ("EventKey", key),
            ("TaskId", task_id),
            ("CardType", card.template_card["card_type"]),
            ("ResponseCode", response_code),
        ]
        return self.post_raw(self._plaintext(userid, fields))

    def post_raw(
        self,
        plaintext_xml: str,
        *,
        bad_signature: bool = False,
        corp_id: str | None = None,
        tamper: bool = False,
    ) -> httpx.Response:
        """POST any plaintext, optionally forged: a wrong signature, sealed for another CorpID,
        or a ciphertext changed after signing."""
        cipher = self._cipher if corp_id is None else CallbackCipher(self._aes_key, corp_id)
        encrypted = cipher.encrypt(plaintext_xml)
        query = self._signed_query(encrypted)

        if bad_signature:
            query["msg_signature"] = sign(self._token + "-forged", "0", "0", encrypted)
        if tamper:
            encrypted = _tampered(encrypted)
        body = envelope(self._corp_id, self._agent_id, encrypted)
        return self._request("POST", query, body.encode())

    def resend_last(self) -> httpx.Response:
        """Replay the previous callback byte for byte, as WeCom retries an unanswered one."""
        if self._last_request is None:
            raise RuntimeError("no callback has been sent yet")
        method, url, body = self._last_request
        return self._http.request(method, url, content=body, headers=_headers(body))

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> WeComUsers:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _event(self, userid: str, event: str, key: str) -> httpx.Response:
        fields: list[tuple[str, str | int]] = [
            ("MsgType", "event"),
            ("Event", event),
            ("EventKey", key),
        ]
        return self.post_raw(self._plaintext(userid, fields))

    def _plaintext(self, userid: str, fields: list[tuple[str, str | int]]) -> str:
        head: list[tuple[str, str | int]] = [
            ("ToUserName", self._corp_id),
            ("FromUserName", userid),
            ("CreateTime", self._create_time(userid)),
        ]
        return _xml([*head, *fields, ("AgentID", self._agent_id)])

    def _create_time(self, userid: str) -> int:
        now = int(self._now())
        create_time = max(now, self._last_create_time.get(userid, now - 1) + 1)
        self._last_create_time[userid] = create_time
        return create_time

    def _signed_query(self, encrypted: str) -> dict[str, str]:
        timestamp, nonce = str(int(self._now())), str(secrets.randbelow(10**10))
        signature = sign(self._token, timestamp, nonce, encrypted)
        return {"msg_signature": signature, "timestamp": timestamp, "nonce": nonce}

    def _request(self, method: str, query: dict[str, str], body: bytes | None) -> httpx.Response:
        url = str(httpx.URL(self._url, params=query))
        self._last_request = (method, url, body)
        return self._http.request(method, url, content=body, headers=_headers(body))

    def _now(self) -> float:
        return self._state.clock() if self._state is not None else time.time()


def _xml(fields: list[tuple[str, str | int]]) -> str:
    """Numbers bare and text in CDATA, as WeCom writes its XML."""
    parts = []
    for name, value in fields:
        text = str(value) if isinstance(value, int) else _cdata(value)
        parts.append(f"<{name}>{text}</{name}>")
    return "<xml>" + "".join(parts) + "</xml>"


def _cdata(value: str) -> str:
    # "]]>" cannot appear inside one CDATA section, so split it across two.
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _headers(body: bytes | None) -> dict[str, str]:
    return {"Content-Type": "text/xml"} if body is not None else {}


def _random_msg_id() -> int:
    return 10**18 + secrets.randbelow(8 * 10**18)


def _tampered(encrypted: str) -> str:
    middle = len(encrypted) // 2
    replacement = "A" if encrypted[middle] != "A" else "B"
    return encrypted[:middle] + replacement + encrypted[middle + 1 :]
