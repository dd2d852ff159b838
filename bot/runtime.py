"""The running service's parts, wired once: database, state, WeCom client, inbox, outbox."""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field

import redis
from sqlalchemy import Engine
from sqlmodel import Session

from bot.approval.updater import CardUpdater
from bot.calendar import WorkCalendar
from bot.clock import clock
from bot.config import Settings
from bot.handlers import handle
from bot.reminders.scheduler import ReminderScheduler
from bot.reminders.sweep import sweep
from bot.storage.calendar_days import load_calendar
from bot.storage.db import make_engine, upgrade
from bot.storage.state import MemoryStateStore, RedisStateStore, StateStore
from bot.wecom.client import WeComClient
from bot.wecom.crypto import CallbackVerifier
from bot.wecom.dedupe import Deduper, MemoryDeduper, RedisDeduper
from bot.wecom.events import Inbound
from bot.wecom.inbox import InboxWorker, InboxWriter
from bot.wecom.sender import OutboxSender

logger = logging.getLogger(__name__)

CALENDAR_TTL_SECONDS = 60
INBOX_RETRY_SECONDS = 60


@dataclass
class Runtime:
    """Everything `duban serve` (and the demo, and the tests) runs."""

    settings: Settings
    engine: Engine
    store: StateStore
    deduper: Deduper
    verifier: CallbackVerifier
    client: WeComClient
    sender: OutboxSender = field(init=False)
    inbox: InboxWorker = field(init=False)
    writer: InboxWriter = field(init=False)
    cards: CardUpdater = field(init=False)
    _threads: list[threading.Thread] = field(default_factory=list)
    _calendar_cache: tuple[float, WorkCalendar] | None = None
    _stopping: threading.Event = field(default_factory=threading.Event)
    with_scheduler: bool = True  # False for instances that only answer (serve --no-scheduler)
    scheduler: ReminderScheduler | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.sender = OutboxSender(
            self.engine, self.client, per_minute=self.settings.wecom_per_member_per_minute
        )
        self.cards = CardUpdater(self.engine, self.client)
        self.writer = InboxWriter(self.engine)
        self.inbox = InboxWorker(
            self.engine, self.store, self.handle_event, on_handled=self._after_events
        )

    def _after_events(self) -> None:
        # Handled events may have queued messages and closed approval cards.
        self.sender.wake()
        self.cards.wake()

    @classmethod
    def from_settings(
        cls, settings: Settings, engine: Engine | None = None, *, with_scheduler: bool = True
    ) -> Runtime:
        engine = engine or make_engine(settings.effective_database_url)
        upgrade(engine)
        redis_client = redis.Redis.from_url(settings.redis_url) if settings.redis_url else None
        store: StateStore
        deduper: Deduper
        if redis_client is not None:
            store = RedisStateStore(redis_client, prefix=settings.redis_prefix)
            deduper = RedisDeduper(redis_client, prefix=settings.redis_prefix)
        else:
            store, deduper = MemoryStateStore(), MemoryDeduper()
        verifier = CallbackVerifier(
            token=settings.wecom_token,
            aes_key=settings.wecom_aes_key,
            corp_id=settings.wecom_corp_id,
            max_bytes=settings.callback_max_bytes,
        )
        client = WeComClient.from_settings(settings)
        return cls(
            settings, engine, store, deduper, verifier, client, with_scheduler=with_scheduler
        )

    def handle_event(self, session: Session, event: Inbound) -> None:
        handle(
            session,
            event,
            store=self.store,
            calendar=self._calendar(session),
            settings=self.settings,
        )

    def _calendar(self, session: Session) -> WorkCalendar:
        """The working-day calendar, reread at most once a minute (the offices change it
        a few times a year, from the command line)."""
        now = time.monotonic()
        if self._calendar_cache is None or now - self._calendar_cache[0] > CALENDAR_TTL_SECONDS:
            self._calendar_cache = (now, load_calendar(session))
        return self._calendar_cache[1]

    def accept(self, event: Inbound) -> Future[bool]:
        """Store a verified event (once); the future resolves when it is safely stored.

        The event is handled after that, outside the acknowledgement's time.
        """
        if not self.deduper.first_time(event.dedupe_key):
            logger.info("duplicate callback ignored (fast path)")
            done: Future[bool] = Future()
            done.set_result(False)
            return done
        stored = self.writer.submit(event)
        stored.add_done_callback(lambda future: self._stored(future, event))
        return stored

    def _stored(self, future: Future[bool], event: Inbound) -> None:
        if future.exception() is not None:
            # Not stored, so WeCom's retry of this callback must not look like a duplicate.
            self.deduper.forget(event.dedupe_key)
        elif future.result():
            self.inbox.submit(event.userid)
        else:
            logger.info("duplicate callback ignored")

    def start(self) -> None:
        """Start the outbox sender and pick up whatever a previous run left pending."""
        for name, target in (("outbox", self.sender.run), ("cards", self.cards.run)):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        self.inbox.recover()
        retry = threading.Thread(
            target=self._recover_periodically, name="inbox-retry", daemon=True
        )
        retry.start()
        self._threads.append(retry)
        if self.with_scheduler:
            self.scheduler = ReminderScheduler(
                self.sweep_reminders,
                timezone=self.settings.timezone,
                hours=self.settings.reminder_hours,
                misfire_grace_seconds=self.settings.reminder_misfire_grace_seconds,
            )
            self.scheduler.start()

    def _recover_periodically(self) -> None:
        """Events whose handling failed stay pending; pick them up again now and then."""
        while not self._stopping.wait(INBOX_RETRY_SECONDS):
            try:
                self.inbox.recover()
            except Exception:
                logger.exception("inbox recovery pass failed")

    def sweep_reminders(self) -> None:
        """One reminder sweep as of now, committed, then the sender woken for its messages."""
        with Session(self.engine, expire_on_commit=False) as session:
            calendar = load_calendar(session)
            result = sweep(session, at=clock.now(), calendar=calendar, settings=self.settings)
            session.commit()
        if result.sent:
            self.sender.wake()

    def stop(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown()
            self.scheduler = None
        self._stopping.set()
        self.sender.stop()
        self.cards.stop()
        for thread in self._threads:
            thread.join(timeout=10)
        self.writer.close()
        self.inbox.close()
        self.client.close()
