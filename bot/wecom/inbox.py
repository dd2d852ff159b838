"""The inbox: verified callbacks stored before acknowledging, then handled one user at a time.

A callback is acknowledged as soon as it is stored; handling happens after the answer, in a
worker thread, per user in arrival order under the user's conversation lock. A failure is
logged and retried by `recover()`, so nothing acknowledged is lost.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict
from typing import Any

from sqlalchemy import Connection, Engine, update
from sqlalchemy import select as select_rows
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from bot.clock import clock
from bot.storage.messaging import InboxEvent
from bot.storage.state import StateStore
from bot.wecom.events import EventKind, Inbound

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
DRAIN_BATCH = 50

EventHandler = Callable[[Session, Inbound], None]


def _row(event: Inbound) -> dict[str, object]:
    return {
        "dedupe_key": event.dedupe_key,
        "userid": event.userid,
        "kind": event.kind.value,
        "payload": json.dumps(asdict(event), ensure_ascii=False),
        "status": "pending",
        "attempts": 0,
        "received_at": clock.now(),
    }


def _insert_new(connection: Connection, event: Inbound) -> bool:
    """Insert unless the dedupe key is there already; True when this call inserted it."""
    insert = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
    statement = insert(InboxEvent).on_conflict_do_nothing(index_elements=["dedupe_key"])
    return connection.execute(statement, _row(event)).rowcount == 1


class InboxWriter:
    """Stores verified events in batches: callbacks that arrive together share one commit.

    A commit waits for the disk; under load, one flush for a batch of fifty callbacks keeps
    every acknowledgement fast. Each caller gets a future that resolves, after the commit,
    to whether its event was new.
    """

    def __init__(self, engine: Engine, *, max_batch: int = 200) -> None:
        self._engine = engine
        self._max_batch = max_batch
        self._queue: queue.Queue[tuple[Inbound, Future[bool]] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="inbox-writer", daemon=True)
        self._thread.start()

    def submit(self, event: Inbound) -> Future[bool]:
        future: Future[bool] = Future()
        self._queue.put((event, future))
        return future

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while (first := self._queue.get()) is not None:
            batch = [first]
            while len(batch) < self._max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self._queue.put(None)
                    break
                batch.append(item)
            self._write(batch)

    def _write(self, batch: list[tuple[Inbound, Future[bool]]]) -> None:
        try:
            with self._engine.begin() as connection:
                results = [_insert_new(connection, event) for event, _ in batch]
        except Exception as error:
            logger.exception("storing %d callbacks failed", len(batch))
            for _, future in batch:
                future.set_exception(error)
            return
        for (_, future), inserted in zip(batch, results, strict=True):
            future.set_result(inserted)


def _load(row: Any) -> Inbound:
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
        after = 0  # events are tried once per drain, in id order
        with self._store.lock(userid):
            while batch := self._pending(userid, after):
                for row in batch:
                    after = row.id
                    handled += self._handle_one(row)
                if len(batch) < DRAIN_BATCH:
                    break  # anything stored since then comes with its own submit()
        if handled:
            self._on_handled()
        return handled

    def _drain_logged(self, userid: str) -> None:
        try:
            self.drain(userid)
        except Exception:
            logger.exception("inbox drain failed; pending events stay for recovery")

    def _pending(self, userid: str, after: int) -> list[Any]:
        """The user's pending events after id `after`, oldest first (Core: a hot path)."""
        table = InboxEvent.__table__  # type: ignore[attr-defined]
        query = (
            select_rows(table.c.id, table.c.attempts, table.c.payload)
            .where(table.c.userid == userid, table.c.status == "pending", table.c.id > after)
            .order_by(table.c.id)
            .limit(DRAIN_BATCH)
        )
        with self._engine.connect() as connection:
            return list(connection.execute(query))

    def _handle_one(self, row: Any) -> int:
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

    def _mark(self, session: Session, row: Any, *, status: str) -> None:
        session.execute(
            update(InboxEvent)
            .where(col(InboxEvent.id) == row.id)
            .values(status=status, processed_at=clock.now(), attempts=row.attempts + 1)
        )

    def _record_failure(self, row: Any, error: Exception) -> None:
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
