"""The inbox: verified callbacks stored before acknowledging, then handled one user at a time.

A callback is acknowledged as soon as it is stored; handling happens after the answer, in a
worker thread, per user in arrival order under the user's conversation lock. A failure is
logged and retried by `recover()`, so nothing acknowledged is lost.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict

from sqlalchemy import Engine, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.clock import clock
from bot.storage.messaging import InboxEvent
from bot.storage.state import StateStore
from bot.wecom.events import EventKind, Inbound

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3

EventHandler = Callable[[Session, Inbound], None]


def store_event(engine: Engine, event: Inbound) -> bool:
    """Keep the event; False when it was stored before (a retry by WeCom)."""
    row = InboxEvent(
        dedupe_key=event.dedupe_key,
        userid=event.userid,
        kind=event.kind.value,
        payload=json.dumps(asdict(event), ensure_ascii=False),
    )
    try:
        with Session(engine) as session:
            session.add(row)
            session.commit()
    except IntegrityError:
        return False
    return True


def _load(row: InboxEvent) -> Inbound:
    data = json.loads(row.payload)
    data["kind"] = EventKind(data["kind"])
    return Inbound(**data)


class InboxWorker:
    """Handles stored events after the acknowledgement, in order per user."""

    def __init__(
        self,
        engine: Engine,
        store: StateStore,
        handler: EventHandler,
        *,
        on_handled: Callable[[], None] = lambda: None,
        threads: int = 4,
    ) -> None:
        self._engine = engine
        self._store = store
        self._handler = handler
        self._on_handled = on_handled
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="inbox")

    def submit(self, userid: str) -> None:
        self._pool.submit(self._drain_logged, userid)

    def recover(self) -> int:
        """Handle whatever is still pending (after a crash, or a failure); returns users."""
        with Session(self._engine) as session:
            users = session.exec(
                select(InboxEvent.userid).where(InboxEvent.status == "pending").distinct()
            ).all()
        for userid in users:
            self.submit(userid)
        return len(users)

    def drain(self, userid: str) -> int:
        """Handle the user's pending events, oldest first; returns how many were handled."""
        handled = 0
        tried: set[int] = set()
        with self._store.lock(userid):
            while (row := self._next(userid, tried)) is not None:
                tried.add(row.id or 0)
                handled += self._handle_one(row)
        if handled:
            self._on_handled()
        return handled

    def _drain_logged(self, userid: str) -> None:
        try:
            self.drain(userid)
        except Exception:
            logger.exception("inbox drain failed; pending events stay for recovery")

    def _next(self, userid: str, tried: set[int]) -> InboxEvent | None:
        with Session(self._engine) as session:
            query = (
                select(InboxEvent)
                .where(InboxEvent.userid == userid, InboxEvent.status == "pending")
                .where(col(InboxEvent.id).not_in(tried))
                .order_by(col(InboxEvent.id))
            )
            return session.exec(query).first()

    def _handle_one(self, row: InboxEvent) -> int:
        try:
            with Session(self._engine, expire_on_commit=False) as session:
                self._handler(session, _load(row))
                self._mark(session, row, status="done")
                session.commit()
            return 1
        except Exception as error:
            logger.exception("handling inbox event %s failed", row.id)
            self._record_failure(row, error)
            return 0

    def _mark(self, session: Session, row: InboxEvent, *, status: str) -> None:
        session.execute(
            update(InboxEvent)
            .where(col(InboxEvent.id) == row.id)
            .values(status=status, processed_at=clock.now(), attempts=row.attempts + 1)
        )

    def _record_failure(self, row: InboxEvent, error: Exception) -> None:
        status = "failed" if row.attempts + 1 >= MAX_ATTEMPTS else "pending"
        with Session(self._engine) as session:
            session.execute(
                update(InboxEvent)
                .where(col(InboxEvent.id) == row.id)
                .values(status=status, attempts=row.attempts + 1, error=type(error).__name__)
            )
            session.commit()

    def close(self) -> None:
        self._pool.shutdown(wait=True)
