"""Two service instances on one PostgreSQL database, sweeping at the same instant, send each
reminder once: the Dispatch row's unique key decides, not the scheduler (CALENDAR.md)."""

from __future__ import annotations

import multiprocessing
from collections import Counter
from datetime import date
from typing import Any

from sqlmodel import Session, select

from bot.clock import local_moment
from bot.storage.messaging import OutboxMessage
from tests.reminders.conftest import build_university

INSTANCES = 2


def sweep_in_another_process(url: str, moments: list[str], barrier: Any, results: Any) -> None:
    """What one instance does on scheduler ticks: its own engine, sessions and commits."""
    from datetime import datetime

    from bot.reminders.sweep import sweep
    from bot.storage.calendar_days import load_calendar
    from bot.storage.db import make_engine
    from tests.reminders.conftest import plain_settings

    engine = make_engine(url)
    try:
        for moment in moments:
            with Session(engine) as session:
                calendar = load_calendar(session)
                barrier.wait(timeout=60)
                result = sweep(
                    session,
                    at=datetime.fromisoformat(moment),
                    calendar=calendar,
                    settings=plain_settings(),
                )
                session.commit()
            results.put((moment, [(d.recipient, d.kind.value) for d in result.sent]))
    finally:
        engine.dispose()


def run_instances(url: str, days: list[date]) -> dict[str, list[list[tuple[str, str]]]]:
    """Each instance's digests per sweep moment; the instances start each sweep together."""
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(INSTANCES), context.Queue()
    moments = [local_moment(day, 9, 30).isoformat() for day in days]
    processes = [
        context.Process(target=sweep_in_another_process, args=(url, moments, barrier, results))
        for _ in range(INSTANCES)
    ]
    for process in processes:
        process.start()
    sent: dict[str, list[list[tuple[str, str]]]] = {moment: [] for moment in moments}
    for _ in range(INSTANCES * len(moments)):
        moment, digests = results.get(timeout=180)
        sent[moment].append(digests)
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    return sent


def test_two_instances_on_postgresql_send_each_reminder_once(postgres_engine) -> None:
    with Session(postgres_engine) as session:
        build_university(session)
    url = postgres_engine.url.render_as_string(hide_password=False)

    # Working day 2 of the 2026-09 window: liaisons and heads of all three departments;
    # the day after working day 5: the offices, after both instances close the period.
    days = [date(2026, 10, 9), date(2026, 10, 14)]
    sent = run_instances(url, days)
    for moment, expected in zip(sent, [6, 2], strict=True):
        first, second = sent[moment]
        assert len(first) + len(second) == expected
        assert not set(first) & set(second)

    with Session(postgres_engine) as session:
        rows = session.exec(select(OutboxMessage.recipient)).all()
    per_recipient = Counter(rows)
    assert len(per_recipient) == 8
    assert set(per_recipient.values()) == {1}
