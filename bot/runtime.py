"""The running service's parts, wired once: database, state, WeCom client, inbox, outbox."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

import redis
from sqlalchemy import Engine
from sqlmodel import Session

from bot.config import Settings
from bot.handlers import handle
from bot.storage.calendar_days import load_calendar
from bot.storage.db import make_engine, upgrade
from bot.storage.state import MemoryStateStore, RedisStateStore, StateStore
from bot.wecom.client import WeComClient
from bot.wecom.crypto import CallbackVerifier
from bot.wecom.dedupe import Deduper, MemoryDeduper, RedisDeduper
from bot.wecom.events import Inbound
from bot.wecom.inbox import InboxWorker, store_event
from bot.wecom.sender import OutboxSender

logger = logging.getLogger(__name__)


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
    _threads: list[threading.Thread] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.sender = OutboxSender(
            self.engine, self.client, per_minute=self.settings.wecom_per_member_per_minute
        )
        self.inbox = InboxWorker(
            self.engine, self.store, self.handle_event, on_handled=self.sender.wake
        )

    @classmethod
    def from_settings(cls, settings: Settings, engine: Engine | None = None) -> Runtime:
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
        return cls(settings, engine, store, deduper, verifier, WeComClient.from_settings(settings))

    def handle_event(self, session: Session, event: Inbound) -> None:
        calendar = load_calendar(session)
        handle(session, event, store=self.store, calendar=calendar, settings=self.settings)

    def accept(self, event: Inbound) -> None:
        """Store a verified event (once) and have it handled after the acknowledgement."""
        if not self.deduper.first_time(event.dedupe_key):
            logger.info("duplicate callback ignored (fast path)")
            return
        if not store_event(self.engine, event):
            logger.info("duplicate callback ignored")
            return
        self.inbox.submit(event.userid)

    def start(self) -> None:
        """Start the outbox sender and pick up whatever a previous run left pending."""
        thread = threading.Thread(target=self.sender.run, name="outbox", daemon=True)
        thread.start()
        self._threads.append(thread)
        self.inbox.recover()

    def stop(self) -> None:
        self.sender.stop()
        for thread in self._threads:
            thread.join(timeout=10)
        self.inbox.close()
        self.client.close()
