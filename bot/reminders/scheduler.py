"""When the sweep runs: APScheduler 3 ticks in Asia/Shanghai, plus one catch-up at start.

The scheduler only decides *when*; the sweep decides *what* from the database, so a tick
that is missed, doubled or run by several instances at once sends nothing twice
(CALENDAR.md). Each process keeps its own in-memory job store: never share one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.job import Job
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

logger = logging.getLogger(__name__)

JOB_ID = "reminders.sweep"


class ReminderScheduler:
    """Runs `run_sweep` at `hours` o'clock every day, and once as soon as it starts."""

    def __init__(
        self,
        run_sweep: Callable[[], object],
        *,
        timezone: str = "Asia/Shanghai",
        hours: Sequence[int] = (9, 15),
        misfire_grace_seconds: int = 3600,
        catch_up: bool = True,
    ) -> None:
        if not hours:
            raise ValueError("the reminder scheduler needs at least one hour to run at")
        self._run_sweep = run_sweep
        self._zone = ZoneInfo(timezone)
        self._hours = sorted(set(hours))
        self._grace = misfire_grace_seconds
        self._catch_up = catch_up
        self._scheduler = BackgroundScheduler(timezone=self._zone)

    @property
    def running(self) -> bool:
        return bool(self._scheduler.running)

    @property
    def job(self) -> Job | None:
        return self._scheduler.get_job(JOB_ID)

    def start(self) -> None:
        # The first run at start-up catches up whatever today still owes after a restart;
        # later runs follow the cron trigger.
        first_run = {"next_run_time": datetime.now(self._zone)} if self._catch_up else {}
        self._scheduler.add_job(
            self.run_once,
            CronTrigger(hour=",".join(map(str, self._hours)), minute=0, timezone=self._zone),
            id=JOB_ID,
            name="reminder sweep",
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=self._grace,
            **first_run,
        )
        self._scheduler.start()
        logger.info("reminder scheduler started: sweeps at %s o'clock %s", self._hours, self._zone)

    def shutdown(self, wait: bool = True) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=wait)
            logger.info("reminder scheduler stopped")

    def run_once(self) -> None:
        """One sweep; a failure is logged and the next tick tries again."""
        try:
            self._run_sweep()
        except Exception:
            logger.exception("reminder sweep failed; the next tick will try again")
