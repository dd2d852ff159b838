"""The offices' chat on SQLite and PostgreSQL: people of three departments, two offices and
two leaders, and a harness that sends a text as someone and reads the outbox."""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import pytest
from sqlmodel import Session, col, select

from bot.calendar import WorkCalendar
from bot.clock import clock, local_moment
from bot.config import Settings
from bot.handlers import handle
from bot.storage.messaging import OutboxMessage
from bot.storage.models import AuditLog, Role
from bot.storage.state import MemoryStateStore
from bot.wecom.events import EventKind, Inbound
from tests import factories

_message_ids = itertools.count(1)


@dataclass
class Chat:
    """Everyone's side of the chat over one session; each text is handled and committed as
    the inbox worker does, and `inbox[userid]` collects what the bot sent to that user."""

    session: Session
    store: MemoryStateStore = field(default_factory=MemoryStateStore)
    calendar: WorkCalendar = field(default_factory=WorkCalendar)
    settings: Settings = field(default_factory=lambda: Settings(_env_file=None))
    inbox: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    last: dict[str, list[str]] = field(default_factory=dict)
    seen: int = 0

    def send(self, userid: str, text: str) -> str:
        """Send `text` as `userid`; what the bot answered that user, joined."""
        event = Inbound(
            EventKind.TEXT,
            userid=userid,
            create_time=int(clock.now().timestamp()),
            msg_id=f"office-test-{next(_message_ids)}",
            content=text,
        )
        with self.store.lock(userid):
            handle(
                self.session,
                event,
                store=self.store,
                calendar=self.calendar,
                settings=self.settings,
            )
        self.session.commit()
        self._collect()
        return "\n".join(self.last.get(userid, []))

    def _collect(self) -> None:
        rows = self.session.exec(
            select(OutboxMessage)
            .where(col(OutboxMessage.id) > self.seen)
            .order_by(col(OutboxMessage.id))
        ).all()
        self.last = defaultdict(list)
        for row in rows:
            content = json.loads(row.payload)["content"]
            self.last[row.recipient].append(content)
            self.inbox[row.recipient].append(content)
            self.seen = row.id or self.seen

    def to(self, userid: str) -> str:
        """What the bot sent `userid` in answer to the last text, joined ("" for nothing)."""
        return "\n".join(self.last.get(userid, []))

    @property
    def recipients(self) -> set[str]:
        return set(self.last)

    def state(self, userid: str) -> str | None:
        return self.store.get_state(userid)


def audit_rows(session: Session, action: str) -> list[AuditLog]:
    return list(
        session.exec(
            select(AuditLog).where(AuditLog.action == action).order_by(col(AuditLog.id))
        ).all()
    )


def detail(row: AuditLog) -> dict[str, object]:
    return dict(json.loads(row.detail or "{}"))


def set_time(day: date, hour: int = 10, minute: int = 0) -> None:
    clock.set(local_moment(day, hour, minute))


@pytest.fixture
def chat(session) -> Chat:
    return Chat(session)


@pytest.fixture
def people(session) -> None:
    """Two offices, two leaders, and liaisons and heads of 宣传部, 教务处 and 研究生院."""
    roster = [
        ("office1", "周主任", ((Role.PARTY_OFFICE, None),)),
        ("office2", "吴科长", ((Role.PRESIDENT_OFFICE, None),)),
        ("admin1", "管理员", ((Role.ADMIN, None),)),
        ("leader_wang", "王校长", ((Role.LEADER, None),)),
        ("leader_li", "李校长", ((Role.LEADER, None),)),
        ("xc_liaison", "张联络", ((Role.LIAISON, "宣传部"),)),
        ("xc_head", "李部长", ((Role.HEAD, "宣传部"),)),
        ("jw_liaison", "赵联络", ((Role.LIAISON, "教务处"),)),
        ("jw_head", "钱处长", ((Role.HEAD, "教务处"),)),
        ("yjs_liaison", "孙联络", ((Role.LIAISON, "研究生院"),)),
    ]
    for userid, name, roles in roster:
        factories.person(session, userid=userid, name=name, roles=roles)
    session.commit()
