"""The scheduler: Shanghai time on its trigger, a catch-up at start, one error path."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest

from bot.reminders.scheduler import JOB_ID, ReminderScheduler

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def started() -> Iterator[list[ReminderScheduler]]:
    """Schedulers a test starts, shut down whatever happens."""
    running: list[ReminderScheduler] = []
    yield running
    for scheduler in running:
        scheduler.shutdown()


def wait_for(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.01)


def test_the_job_ticks_at_the_given_shanghai_hours_with_one_instance_at_a_time(
    started,
) -> None:
    scheduler = ReminderScheduler(lambda: None, hours=(15, 9), catch_up=False)
    started.append(scheduler)
    scheduler.start()

    job = scheduler.job
    assert job is not None and job.id == JOB_ID
    assert job.trigger.timezone == SHANGHAI
    assert str(job.trigger.fields[job.trigger.FIELD_NAMES.index("hour")]) == "9,15"
    assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 3600)
    first = job.next_run_time.astimezone(SHANGHAI)
    assert (first.hour, first.minute) in {(9, 0), (15, 0)}


def test_start_sweeps_at_once_to_catch_up(started) -> None:
    swept = threading.Event()
    scheduler = ReminderScheduler(swept.set)
    started.append(scheduler)
    scheduler.start()
    assert swept.wait(10)


def test_a_failing_sweep_is_logged_and_the_next_one_still_runs(started, caplog) -> None:
    calls: list[int] = []

    def failing() -> None:
        calls.append(1)
        raise RuntimeError("database unreachable")

    scheduler = ReminderScheduler(failing)
    started.append(scheduler)
    with caplog.at_level(logging.ERROR, logger="bot.reminders.scheduler"):
        scheduler.start()
        wait_for(lambda: any(r.exc_info for r in caplog.records))
        scheduler.run_once()

    assert len(calls) == 2 and scheduler.running
    assert [r.getMessage() for r in caplog.records] == [
        "reminder sweep failed; the next tick will try again"
    ] * 2


def test_shutdown_stops_it_and_may_be_repeated(started) -> None:
    scheduler = ReminderScheduler(lambda: None, catch_up=False)
    scheduler.start()
    assert scheduler.running
    scheduler.shutdown()
    scheduler.shutdown()
    assert not scheduler.running


def test_it_refuses_to_run_at_no_hour() -> None:
    with pytest.raises(ValueError, match="at least one hour"):
        ReminderScheduler(lambda: None, hours=())
