"""Durable message queues: the inbox of verified callbacks and the outbox of messages to send.

Both are tables so that nothing a user sent or must receive exists only in memory: a crash
after acknowledging a callback, or a WeCom outage, delays work but loses none.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Index, String
from sqlmodel import Field, Session, SQLModel

from bot.clock import clock


class InboxEvent(SQLModel, table=True):
    """A verified callback, stored before it is acknowledged and handled after."""

    __tablename__ = "inbox"
    __table_args__ = (Index("ix_inbox_user_status", "userid", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(max_length=200, unique=True)
    userid: str = Field(max_length=64)
    kind: str = Field(max_length=32)
    payload: str  # the event as JSON; never logged
    status: str = Field(default="pending", sa_type=String(16))  # pending, done, failed
    attempts: int = 0
    error: str | None = Field(default=None, max_length=500)
    received_at: datetime = Field(default_factory=clock.now, sa_type=DateTime(timezone=True))
    processed_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class OutboxMessage(SQLModel, table=True):
    """One message to one member, written in the same transaction as the change it reports."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_recipient_sent", "recipient", "sent_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    recipient: str = Field(max_length=64)
    msgtype: str = Field(max_length=16)  # text, markdown, template_card
    payload: str  # JSON of the msgtype's body, e.g. {"content": "..."}
    purpose: str | None = Field(default=None, max_length=64)
    ref: str | None = Field(default=None, max_length=64, index=True)
    status: str = Field(default="pending", sa_type=String(16))  # pending, sent, failed
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=clock.now, sa_type=DateTime(timezone=True))
    claimed_until: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    errcode: int | None = None
    last_error: str | None = Field(default=None, max_length=500)
    msgid: str | None = Field(default=None, max_length=128)
    response_code: str | None = Field(default=None, max_length=256)
    created_at: datetime = Field(default_factory=clock.now, sa_type=DateTime(timezone=True))
    sent_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))

    def body(self) -> dict[str, Any]:
        return dict(json.loads(self.payload))


def enqueue(
    session: Session,
    recipients: list[str] | str,
    msgtype: str,
    body: dict[str, Any],
    *,
    purpose: str | None = None,
    ref: str | None = None,
) -> list[OutboxMessage]:
    """Queue one message per recipient; the sender delivers them within WeCom's limits."""
    if isinstance(recipients, str):
        recipients = [recipients]
    payload = json.dumps(body, ensure_ascii=False)
    rows = [
        OutboxMessage(recipient=userid, msgtype=msgtype, payload=payload, purpose=purpose, ref=ref)
        for userid in dict.fromkeys(recipients)
    ]
    session.add_all(rows)
    return rows
