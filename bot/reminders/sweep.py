"""The reminder sweep: what today still owes, sent once, whenever and wherever the sweep runs.

A sweep asks the database what is due today and not yet dispatched, so missed ticks,
restarts and several instances are harmless (CALENDAR.md): each digest is one `Dispatch` row
keyed by (kind, period, recipient, day), inserted with ON CONFLICT DO NOTHING, and queued in
the outbox only when that insert took, in the caller's transaction. A reminder belongs to its
day: a late sweep catches up today, never yesterday.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.calendar import WorkCalendar
from bot.clock import as_utc, clock, iso_local, local_moment, to_local
from bot.config import Settings
from bot.reminders import recipients
from bot.reminders.digests import Digest, Draft
from bot.reminders.ladder import Ladder, Rung
from bot.reminders.notices import overdue_notices
from bot.reminders.plan import Audience, notice_digests, period_digests
from bot.reminders.standing import standing
from bot.storage.messaging import enqueue
from bot.storage.models import Role
from bot.storage.reports import close_period
from bot.storage.workflow import Dispatch

logger = logging.getLogger(__name__)

DISPATCH = Dispatch.__table__  # type: ignore[attr-defined]
DISPATCH_KEY = ["kind", "period", "recipient", "day"]
INSERT_BATCH = 500  # rows per INSERT: 6 parameters each, well within SQLite's limit

QUIET_HOURS = "quiet_hours"
BEFORE_REMIND_HOUR = "before_remind_hour"


@dataclass(frozen=True)
class SweepResult:
    """What one sweep sent (or, dry, would send), and why it sent nothing when it held."""

    at: datetime
    day: date
    dry_run: bool
    sent: list[Digest] = field(default_factory=list)  # or, dry, what would be sent
    held: str | None = None  # QUIET_HOURS or BEFORE_REMIND_HOUR
    closed: int = 0  # 未上报 verdicts recorded by closing finished periods

    @property
    def reports(self) -> int:
        """How many reports (and notices) the digests name, counted once per digest."""
        return sum(digest.items for digest in self.sent)

    def as_dict(self) -> dict[str, Any]:
        return {
            "at": iso_local(self.at),
            "day": self.day.isoformat(),
            "dry_run": self.dry_run,
            "held": self.held,
            "closed": self.closed,
            "sent": [digest.as_dict() for digest in self.sent],
        }


def sweep(
    session: Session,
    *,
    at: datetime,
    calendar: WorkCalendar,
    settings: Settings,
    dry_run: bool = False,
) -> SweepResult:
    """Send what `at`'s day (Asia/Shanghai) owes and has not been sent; the caller commits.

    A dry run reads only: it neither closes periods nor records nor queues anything.
    """
    moment = to_local(at)
    today = moment.date()
    ladder = Ladder.from_settings(settings)

    closed = 0 if dry_run else _close_finished(session, ladder, today, calendar)
    held = holding(moment.hour, settings)
    if held is not None:
        logger.info("reminder sweep for %s holds (%s)", today, held)
        return SweepResult(at, today, dry_run, held=held, closed=closed)

    drafts = plan(session, ladder, today, calendar, remind_hour=settings.remind_hour)
    done = _dispatched(session, today)
    digests = [draft.digest() for draft in sorted(drafts, key=_key) if draft.key not in done]
    chosen = digests if dry_run else _dispatch(session, digests)

    _log(chosen, dry_run)
    return SweepResult(at, today, dry_run, chosen, closed=closed)


def holding(hour: int, settings: Settings) -> str | None:
    """Why nothing may leave at this local hour, or None when reminders may go out."""
    start, end = settings.quiet_start, settings.quiet_end
    quiet = (hour >= start or hour < end) if start > end else start <= hour < end
    if quiet:
        return QUIET_HOURS
    if hour < settings.remind_hour:
        return BEFORE_REMIND_HOUR
    return None


def plan(
    session: Session, ladder: Ladder, today: date, calendar: WorkCalendar, *, remind_hour: int
) -> list[Draft]:
    """Every digest today owes, sent or not."""
    if not calendar.is_working_day(today):
        return []
    lives = ladder.live_periods(today, calendar)
    lines = {live.period: standing(session, live.period) for live in lives}
    notices = overdue_notices(session, today)
    if not lives and not notices:
        return []

    # Leaders are looked up only on days they are reminded, by the names their tasks give.
    leader_names = {
        line.leader_name
        for live in lives
        if Rung.LEADER in ladder.rungs(live)
        for line in lines[live.period]
    }
    audience = _audience(session, leader_names)
    morning = as_utc(local_moment(today, remind_hour))
    drafts = [
        draft
        for live in lives
        for draft in period_digests(
            live, ladder.rungs(live), lines[live.period], audience, morning=morning
        )
    ]
    return drafts + notice_digests(today, notices, audience)


def _audience(session: Session, leader_names: set[str | None]) -> Audience:
    return Audience(
        liaisons=recipients.by_department(session, Role.LIAISON),
        heads=recipients.by_department(session, Role.HEAD),
        leaders=recipients.leaders(session, leader_names),
        offices=recipients.offices(session),
    )


def _close_finished(session: Session, ladder: Ladder, today: date, calendar: WorkCalendar) -> int:
    """Record 未上报 for the recent periods past working day 5 (idempotent)."""
    written = 0
    for period in ladder.closable(today, calendar):
        try:
            with session.begin_nested():
                written += close_period(session, period, calendar=calendar, today=today)
        except IntegrityError:
            # Another instance is closing the same period right now; its verdicts will do.
            logger.info("period %s is being closed by another instance", period)
    if written:
        logger.info("closed finished periods: %d verdict(s) recorded", written)
    return written


def _dispatch(session: Session, digests: list[Digest]) -> list[Digest]:
    """Record and queue each digest whose Dispatch row is new; the others went out already.

    Rows go in in one fixed order so that two instances inserting the same keys wait on each
    other instead of deadlocking; the loser's conflicting rows are skipped, not returned.
    """
    taken: dict[tuple[str, str, str], int] = {}
    for start in range(0, len(digests), INSERT_BATCH):
        taken |= _record(session, digests[start : start + INSERT_BATCH])
    sent = [digest for digest in digests if _key(digest) in taken]
    for digest in sent:
        enqueue(
            session,
            digest.recipient,
            "text",
            {"content": digest.text},
            purpose=f"reminder.{digest.kind.value}",
            ref=f"dispatch:{taken[_key(digest)]}",
        )
    return sent


def _record(session: Session, digests: list[Digest]) -> dict[tuple[str, str, str], int]:
    """Insert the digests' Dispatch rows; the key and id of each insert that took."""
    now = clock.now()
    rows = [
        {
            "kind": digest.kind.value,
            "period": digest.period,
            "recipient": digest.recipient,
            "day": digest.day,
            "created_at": now,
            "items": digest.items,
        }
        for digest in digests
    ]
    statement = (
        _insert(session)
        .values(rows)
        .on_conflict_do_nothing(index_elements=DISPATCH_KEY)
        .returning(DISPATCH.c.id, DISPATCH.c.kind, DISPATCH.c.period, DISPATCH.c.recipient)
    )
    return {
        (kind, period, recipient): dispatch_id
        for dispatch_id, kind, period, recipient in session.execute(statement)
    }


def _insert(session: Session) -> Any:
    """The dialect's INSERT, which knows ON CONFLICT DO NOTHING (PostgreSQL and SQLite)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(DISPATCH)
    if dialect == "sqlite":
        return sqlite.insert(DISPATCH)
    raise NotImplementedError(f"reminder dispatch needs ON CONFLICT, not available on {dialect}")


def _dispatched(session: Session, today: date) -> set[tuple[str, str, str]]:
    """Keys of the digests already recorded for `today`: not worded again, not sent again."""
    rows = session.exec(
        select(Dispatch.kind, Dispatch.period, Dispatch.recipient).where(Dispatch.day == today)
    ).all()
    return {(kind, period, recipient) for kind, period, recipient in rows}


def _key(item: Digest | Draft) -> tuple[str, str, str]:
    return item.kind.value, item.period, item.recipient


def _log(digests: list[Digest], dry_run: bool) -> None:
    batches: dict[tuple[str, str], list[Digest]] = defaultdict(list)
    for digest in digests:
        batches[(digest.kind.value, digest.period)].append(digest)
    verb = "would send" if dry_run else "queued"
    for (kind, period), batch in sorted(batches.items()):
        logger.info(
            "reminders %s for %s: %s %d digest(s) naming %d item(s)",
            kind,
            period,
            verb,
            len(batch),
            sum(digest.items for digest in batch),
        )
