"""The project's own type for what WeCom sends us, normalised from wechatpy's parse."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from wechatpy.enterprise import parse_message


class EventKind(StrEnum):
    TEXT = "text"
    ENTER_AGENT = "enter_agent"
    MENU_CLICK = "click"
    CARD_CLICK = "template_card_event"
    OTHER = "other"


@dataclass(frozen=True)
class Inbound:
    """One callback from one user, after verification and decryption."""

    kind: EventKind
    userid: str
    create_time: int
    agent_id: str | None = None
    msg_id: str | None = None
    content: str = ""
    event_key: str | None = None
    task_id: str | None = None
    card_type: str | None = None
    response_code: str | None = None
    selected: list[dict[str, Any]] = field(default_factory=list)

    @property
    def dedupe_key(self) -> str:
        """WeCom retries a callback up to 3 times: messages by MsgId, events by sender+time."""
        if self.msg_id:
            return f"msg:{self.msg_id}"
        return f"event:{self.userid}:{self.create_time}:{self.kind.value}:{self.event_key or ''}"


def parse_inbound(xml: str) -> Inbound:
    """Our event from decrypted XML; raises ValueError for XML that is not a WeCom message."""
    message = parse_message(xml)
    raw: dict[str, Any] = getattr(message, "_data", {}) or {}
    userid = str(raw.get("FromUserName") or "")
    if not userid:
        raise ValueError("callback without FromUserName")
    base: dict[str, Any] = {
        "userid": userid,
        "create_time": int(raw.get("CreateTime") or 0),
        "agent_id": str(raw["AgentID"]) if raw.get("AgentID") is not None else None,
    }
    msg_type = raw.get("MsgType")
    if msg_type == "text":
        content = str(raw.get("Content") or "")
        return Inbound(EventKind.TEXT, content=content, msg_id=str(raw.get("MsgId")), **base)
    if msg_type != "event":
        return Inbound(EventKind.OTHER, msg_id=_opt(raw.get("MsgId")), **base)
    return _event(str(raw.get("Event") or "").lower(), raw, base)


def _event(event: str, raw: dict[str, Any], base: dict[str, Any]) -> Inbound:
    if event == "enter_agent":
        return Inbound(EventKind.ENTER_AGENT, **base)
    if event == "click":
        return Inbound(EventKind.MENU_CLICK, event_key=_opt(raw.get("EventKey")), **base)
    if event == "template_card_event":
        return Inbound(
            EventKind.CARD_CLICK,
            event_key=_opt(raw.get("EventKey")),
            task_id=_opt(raw.get("TaskId")),
            card_type=_opt(raw.get("CardType")),
            response_code=_opt(raw.get("ResponseCode")),
            selected=_selected_items(raw.get("SelectedItems")),
            **base,
        )
    return Inbound(EventKind.OTHER, event_key=event or None, **base)


def _selected_items(value: Any) -> list[dict[str, Any]]:
    """xmltodict gives one SelectedItem as a dict and several as a list (WECOM.md)."""
    if not isinstance(value, dict):
        return []
    items = value.get("SelectedItem")
    if items is None:
        return []
    return [items] if isinstance(items, dict) else list(items)


def _opt(value: Any) -> str | None:
    return None if value is None else str(value)
