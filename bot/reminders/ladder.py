"""Which reminders belong to a day: the periods live on it and who is reminded of each.

The ladder follows R12-R15: liaisons at the end of the report month and early in the window
of working days that follows it, department heads in its middle, leaders while reports wait
on them, the two offices on working day 4 (late so far) and on the first working day after
day 5 (未上报). Everything here is calendar arithmetic; nothing reads the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from bot.calendar import ON_TIME_DAYS, Window, WorkCalendar
from bot.config import Settings
from bot.periods import Period


class Rung(StrEnum):
    """Who a digest is for; also the `kind` of its Dispatch row."""

    LIAISON = "liaison"
    HEAD = "head"
    LEADER = "leader"
    ESCALATE_LATE = "escalate_late"
    ESCALATE_MISSING = "escalate_missing"
    NOTICE = "notice"


class Stage(StrEnum):
    """Where a day stands in a period's reporting, which decides the wording."""

    MONTH_END = "month_end"  # the last working days of the report period itself
    OPEN = "open"  # window days before the on-time deadline
    LAST_DAY = "last_day"  # working day 3: the flow must complete today
    LATE = "late"  # working days 4-5: still accepted, as 逾期上报
    CLOSED = "closed"  # after working day 5


@dataclass(frozen=True)
class LivePeriod:
    """A period that something may be owed for today, and where today stands in it."""

    period: Period
    window: Window
    today: date
    month_end: bool  # today is one of the last working days of the period
    closing_day: date  # the first working day after working day 5

    @property
    def day_number(self) -> int | None:
        return self.window.day_number(self.today)

    @property
    def stage(self) -> Stage:
        number = self.day_number
        if self.month_end:
            return Stage.MONTH_END
        if number is None:
            return Stage.CLOSED
        if number < ON_TIME_DAYS:
            return Stage.OPEN
        return Stage.LAST_DAY if number == ON_TIME_DAYS else Stage.LATE


@dataclass(frozen=True)
class Ladder:
    """The configured rungs: which working days of the window remind whom."""

    month_end_days: int = 2
    liaison_days: frozenset[int] = frozenset({1, 2, 3})
    head_days: frozenset[int] = frozenset({2, 3})
    leader_days: frozenset[int] = frozenset({1, 2, 3, 4, 5})
    office_late_day: int = 4

    @classmethod
    def from_settings(cls, settings: Settings) -> Ladder:
        return cls(
            month_end_days=settings.reminder_month_end_days,
            liaison_days=frozenset(settings.reminder_liaison_days),
            head_days=frozenset(settings.reminder_head_days),
            leader_days=frozenset(settings.reminder_leader_days),
            office_late_day=settings.reminder_office_late_day,
        )

    def rungs(self, live: LivePeriod) -> set[Rung]:
        """Who hears about `live.period` today."""
        number = live.day_number
        found: set[Rung] = set()
        if live.month_end or number in self.liaison_days:
            found.add(Rung.LIAISON)
        if number in self.head_days:
            found.add(Rung.HEAD)
        if number in self.leader_days:
            found.add(Rung.LEADER)
        if number == self.office_late_day:
            found.add(Rung.ESCALATE_LATE)
        if live.today == live.closing_day:
            found.add(Rung.ESCALATE_MISSING)
        return found

    def live_periods(self, today: date, calendar: WorkCalendar) -> list[LivePeriod]:
        """Periods with a rung today: this month (and half-year) at its end, last month's
        (and last half-year's) window and closing day. Reminders go out on working days
        only, so a day off has none."""
        if not calendar.is_working_day(today):
            return []
        month, half = Period.month_of(today), Period.half_of(today)
        candidates = sorted({month, half, month.previous(), half.previous()})
        found = [self._live(period, today, calendar) for period in candidates]
        return [live for live in found if self.rungs(live)]

    def _live(self, period: Period, today: date, calendar: WorkCalendar) -> LivePeriod:
        window = period.window(calendar)
        closing_day = calendar.working_days_from(window.late_until + timedelta(days=1), 1)[0]
        return LivePeriod(
            period, window, today, self._is_month_end(period, today, calendar), closing_day
        )

    def _is_month_end(self, period: Period, today: date, calendar: WorkCalendar) -> bool:
        if self.month_end_days <= 0:
            return False
        last_days = calendar.last_working_days(period.year, period.last_month, self.month_end_days)
        return today in last_days

    def closable(self, today: date, calendar: WorkCalendar) -> list[Period]:
        """Periods whose window closed this month, whose 未上报 verdicts can be recorded.

        Asked from the closing day to the month's end, so a closing day the service missed
        is made up; older periods are left as they are (their owed reports stay listed).
        """
        month, half = Period.month_of(today), Period.half_of(today)
        this_month = date(today.year, today.month, 1)
        recent = sorted({month.previous(), half.previous()})
        return [
            period
            for period in recent
            if period.following_day == this_month and today > period.window(calendar).late_until
        ]
