"""Delivers the outbox within WeCom's limits, retrying what can be retried.

WeCom silently drops messages beyond 30 a minute (1000 an hour) from one app to one member,
so the sender counts what it sent to each recipient and holds back the rest. Rows for one
recipient go out in the order they were written. Transient failures wait with back-off;
permanent ones are marked failed and logged, never retried.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Engine, or_, update
from sqlmodel import Session, col, select

from bot.clock import as_utc
from bot.storage.messaging import OutboxMessage
from bot.wecom.client import PermanentWeComError, TransientWeComError

logger = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 300
CLAIM_SECONDS = 60
BATCH = 200


class Transport(Protocol):
    """What the sender needs of the WeCom client."""

    def send_text(self, users: list[str], content: str) -> dict[str, Any]: ...

    def send_markdown(self, users: list[str], content: str) -> dict[str, Any]: ...

    def send_template_card(self, users: list[str], card: dict[str, Any]) -> dict[str, Any]: ...


def real_now() -> datetime:
    # Rate limits and back-off follow the wall clock, not the business clock that the demo
    # and the tests move around.
    return datetime.now(UTC)


class OutboxSender:
    """One delivery pass at a time; `run` loops until stopped, woken early by `wake`."""

    def __init__(
        self,
        engine: Engine,
        transport: Transport,
        *,
        per_minute: int = 30,
        per_hour: int = 1000,
        now: Callable[[], datetime] = real_now,
        interval_seconds: float = 2.0,
    ) -> None:
        self._engine = engine
        self._transport = transport
        self._per_minute = per_minute
        self._per_hour = per_hour
        self._now = now
        self._interval = interval_seconds
        self._wakeup = threading.Event()
        self._stopping = threading.Event()
        self._pass_lock = threading.Lock()

    def wake(self) -> None:
        self._wakeup.set()

    def stop(self) -> None:
        self._stopping.set()
        self._wakeup.set()

    def run(self) -> None:
        while not self._stopping.is_set():
            try:
                self.deliver_due()
            except Exception:
                logger.exception("outbox pass failed; will try again")
            self._wakeup.wait(self._interval)
            self._wakeup.clear()

    def deliver_due(self) -> int:
        """Send every row that is due and within limits; returns how many were sent.

        Rows come oldest first; once one row of a recipient has to wait (back-off, rate limit,
        another instance's claim), that recipient's later rows wait too, keeping their order.
        """
        with self._pass_lock:
            now = self._now()
            sent = 0
            blocked: set[str] = set()
            for row in self._pending_rows():
                if row.recipient in blocked:
                    continue
                if not self._is_due(row, now) or not self._deliver(row):
                    blocked.add(row.recipient)
                    continue
                sent += 1
            return sent

    def _pending_rows(self) -> list[OutboxMessage]:
        query = (
            select(OutboxMessage)
            .where(OutboxMessage.status == "pending")
            .order_by(col(OutboxMessage.id))
            .limit(BATCH)
        )
        with Session(self._engine, expire_on_commit=False) as session:
            return list(session.exec(query).all())

    @staticmethod
    def _is_due(row: OutboxMessage, now: datetime) -> bool:
        # A new row is due at once: its next_attempt_at came from the business clock.
        if row.attempts == 0 and row.errcode is None:
            return row.claimed_until is None or as_utc(row.claimed_until) < now
        claimed = row.claimed_until is not None and as_utc(row.claimed_until) >= now
        return not claimed and as_utc(row.next_attempt_at) <= now

    def _deliver(self, row: OutboxMessage) -> bool:
        now = self._now()
        if not self._claim(row, now):
            return False
        wait_until = self._rate_limited_until(row.recipient, now)
        if wait_until is not None:
            self._release(row, next_attempt_at=wait_until)
            return False
        try:
            result = self._send(row)
        except TransientWeComError as error:
            self._retry_later(row, error, now)
            return False
        except PermanentWeComError as error:
            self._give_up(row, error)
            return True
        self._mark_sent(row, result)
        return True

    def _send(self, row: OutboxMessage) -> dict[str, Any]:
        body = row.body()
        if row.msgtype == "text":
            return self._transport.send_text([row.recipient], body["content"])
        if row.msgtype == "markdown":
            return self._transport.send_markdown([row.recipient], body["content"])
        if row.msgtype == "template_card":
            return self._transport.send_template_card([row.recipient], body)
        raise PermanentWeComError(None, f"unknown msgtype {row.msgtype}")

    def _claim(self, row: OutboxMessage, now: datetime) -> bool:
        """Take the row for this pass; another instance's live claim wins."""
        with Session(self._engine) as session:
            result = session.execute(
                update(OutboxMessage)
                .where(col(OutboxMessage.id) == row.id, col(OutboxMessage.status) == "pending")
                .where(
                    or_(
                        col(OutboxMessage.claimed_until).is_(None),
                        col(OutboxMessage.claimed_until) < now,
                    )
                )
                .values(claimed_until=now + timedelta(seconds=CLAIM_SECONDS))
            )
            session.commit()
            return bool(getattr(result, "rowcount", 0) == 1)

    def _rate_limited_until(self, recipient: str, now: datetime) -> datetime | None:
        """When the recipient may receive again, or None if now is fine."""
        for window, limit in (
            (timedelta(minutes=1), self._per_minute),
            (timedelta(hours=1), self._per_hour),
        ):
            with Session(self._engine) as session:
                times = session.exec(
                    select(OutboxMessage.sent_at)
                    .where(OutboxMessage.recipient == recipient, OutboxMessage.status == "sent")
                    .where(col(OutboxMessage.sent_at) > now - window)
                    .order_by(col(OutboxMessage.sent_at).desc())
                    .limit(limit)
                ).all()
            if len(times) >= limit:
                oldest = as_utc(times[-1]) if times[-1] else now
                return oldest + window + timedelta(milliseconds=50)
        return None

    def _update(self, row: OutboxMessage, **values: Any) -> None:
        with Session(self._engine) as session:
            session.execute(
                update(OutboxMessage).where(col(OutboxMessage.id) == row.id).values(**values)
            )
            session.commit()

    def _release(self, row: OutboxMessage, *, next_attempt_at: datetime) -> None:
        self._update(row, claimed_until=None, next_attempt_at=next_attempt_at)

    def _retry_later(self, row: OutboxMessage, error: TransientWeComError, now: datetime) -> None:
        attempts = row.attempts + 1
        delay = min(2**attempts, MAX_BACKOFF_SECONDS)
        logger.warning(
            "outbox %s: transient WeCom error %s, retry %d in %ds",
            row.id,
            error.errcode,
            attempts,
            delay,
        )
        self._update(
            row,
            attempts=attempts,
            claimed_until=None,
            next_attempt_at=now + timedelta(seconds=delay),
            errcode=error.errcode,
            last_error=str(error)[:500],
        )

    def _give_up(self, row: OutboxMessage, error: PermanentWeComError) -> None:
        logger.warning(
            "outbox %s to %s failed for good: WeCom errcode %s",
            row.id,
            row.recipient,
            error.errcode,
        )
        self._update(
            row,
            status="failed",
            attempts=row.attempts + 1,
            claimed_until=None,
            errcode=error.errcode,
            last_error=str(error)[:500],
        )

    def _mark_sent(self, row: OutboxMessage, result: dict[str, Any]) -> None:
        self._update(
            row,
            status="sent",
            attempts=row.attempts + 1,
            claimed_until=None,
            sent_at=self._now(),
            msgid=result.get("msgid"),
            response_code=result.get("response_code"),
            errcode=0,
        )
