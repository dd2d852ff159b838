"""Chatting with the bot over a real SQLite database: send a text, read what came back.

The clock stands at 2026-09-29 10:00 in Shanghai, the second of September's last three
working days, so September's reports are open (the window's third working day is 10-10).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.calendar import WorkCalendar
from bot.clock import clock, local_moment
from bot.config import Settings
from bot.handlers import handle
from bot.storage.messaging import OutboxMessage
from bot.storage.models import AuditLog, Report, Role
from bot.storage.state import MemoryStateStore, StateStore
from bot.wecom.events import EventKind, Inbound
from tests import factories

TODAY = date(2026, 9, 29)
_message_ids = itertools.count(1)


@dataclass
class Chat:
    """One member's side of the conversation; each send is one transaction, as in service."""

    engine: Engine
    store: StateStore
    userid: str
    settings: Settings = field(default_factory=lambda: Settings(_env_file=None))
    calendar: WorkCalendar = field(default_factory=WorkCalendar)
    seen: int = 0

    def send(self, text: str) -> list[str]:
        """Send `text`; the replies the bot wrote to this member in answer."""
        self.deliver(self.event(EventKind.TEXT, text))
        return self.replies()

    def says(self, text: str) -> str:
        """The replies to `text`, joined, for `in` checks."""
        return "\n".join(self.send(text))

    def open_app(self) -> list[str]:
        self.deliver(self.event(EventKind.ENTER_AGENT))
        return self.replies()

    def event(self, kind: EventKind, text: str = "") -> Inbound:
        number = next(_message_ids)
        msg_id = str(number) if kind is EventKind.TEXT else None
        created = int(clock.now().timestamp())
        return Inbound(kind, userid=self.userid, create_time=created, msg_id=msg_id, content=text)

    def deliver(self, event: Inbound) -> None:
        with self.store.lock(self.userid), Session(self.engine) as session:
            handle(
                session, event, store=self.store, calendar=self.calendar, settings=self.settings
            )
            session.commit()

    def replies(self) -> list[str]:
        rows = received(self.engine, self.userid, after=self.seen)
        if rows:
            self.seen = rows[-1].id or self.seen
        return [row.body()["content"] for row in rows]

    @property
    def state(self) -> str | None:
        return self.store.get_state(self.userid)


def received(engine: Engine, userid: str, *, after: int = 0) -> list[OutboxMessage]:
    with Session(engine) as session:
        query = (
            select(OutboxMessage)
            .where(OutboxMessage.recipient == userid, col(OutboxMessage.id) > after)
            .order_by(col(OutboxMessage.id))
        )
        return list(session.exec(query).all())


def stored_reports(engine: Engine) -> list[Report]:
    with Session(engine) as session:
        return list(session.exec(select(Report).order_by(col(Report.id))).all())


def audit_actions(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return [row.action for row in session.exec(select(AuditLog).order_by(col(AuditLog.id)))]


@pytest.fixture
def engine(sqlite_engine: Engine) -> Engine:
    """The conversations run on SQLite only; the storage tests cover PostgreSQL."""
    return sqlite_engine


@pytest.fixture(autouse=True)
def _september_month_end() -> None:
    clock.set(local_moment(TODAY, 10))


@pytest.fixture
def store() -> MemoryStateStore:
    return MemoryStateStore()


PEOPLE = (
    ("zhangmin", "张敏", ((Role.LIAISON, "宣传部"),)),
    ("liqiang", "李强", ((Role.HEAD, "宣传部"),)),
    ("wangfang", "王芳", ((Role.LIAISON, "教务处"),)),
    ("zhaolei", "赵磊", ((Role.LIAISON, "人事处"), (Role.LIAISON, "研究生院"))),
    ("wangxz", "王校长", ((Role.LEADER, None),)),
    ("liuyang", "刘洋", ((Role.PARTY_OFFICE, None),)),
    ("chenjing", "陈静", ((Role.PRESIDENT_OFFICE, None),)),
)


@pytest.fixture
def people(engine: Engine) -> None:
    """Liaisons (one of two departments), a head, a leader and the two offices."""
    with Session(engine) as session:
        for userid, name, roles in PEOPLE:
            factories.person(session, userid=userid, name=name, roles=roles)
        session.commit()


@pytest.fixture
def tasks(engine: Engine) -> Callable[..., int]:
    """Add one task (factories.task's arguments); returns its id."""

    def add(**values: object) -> int:
        with Session(engine) as session:
            row = factories.task(session, **values)  # type: ignore[arg-type]
            session.commit()
            return row.id or 0

    return add


@pytest.fixture
def chat(engine: Engine, store: StateStore, people: None) -> Callable[[str], Chat]:
    """`chat("zhangmin")`: that member's side of the conversation, sharing one state store."""
    return lambda userid: Chat(engine, store, userid)


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as opened:
        yield opened
