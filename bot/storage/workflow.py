"""Tables of the approval and reminder machinery: cards sent to leaders, reminders dispatched."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import DateTime, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.clock import clock


class ApprovalCard(SQLModel, table=True):
    """A `button_interaction` card asking a leader to approve or return one report (R13, B04).

    `card_task_id` is the card's WeCom task_id. The response code that may update the card
    comes first with the send (on the outbox row) and then with each click; each works once
    and for 72 hours (WECOM.md), so the newest one is kept here.
    """

    __tablename__ = "approval_card"

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="report.id", index=True)
    card_task_id: str = Field(max_length=128, unique=True)
    leader_userid: str = Field(max_length=64, index=True)
    outbox_id: int | None = None
    response_code: str | None = Field(default=None, max_length=256)
    status: str = Field(default="open", sa_type=String(16))  # open, acted, superseded
    outcome: str | None = Field(default=None, max_length=16)  # approve, return
    created_at: datetime = Field(default_factory=clock.now, sa_type=DateTime(timezone=True))
    acted_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class Dispatch(SQLModel, table=True):
    """One reminder or escalation owed to one person on one day, recorded exactly once.

    The unique key makes a sweep idempotent: restarts, missed ticks and several instances on
    one database insert the same row at most once, and only the insert that took sends.
    """

    __tablename__ = "dispatch"
    __table_args__ = (UniqueConstraint("kind", "period", "recipient", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)
    period: str = Field(max_length=16)
    recipient: str = Field(max_length=64, index=True)
    day: date = Field(index=True)
    created_at: datetime = Field(default_factory=clock.now, sa_type=DateTime(timezone=True))
    items: int = 0  # how many reports the digest named
