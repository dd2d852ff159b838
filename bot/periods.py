"""Reporting periods: months (`2026-09`) for ★★ tasks, half-years (`2026-H1`) for the rest.

A period is also a range of month indexes (year * 12 + month - 1), the integer form that
set-based queries compare against a task's deadline month.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from bot.calendar import Window, WorkCalendar

_PATTERN = re.compile(r"^(\d{4})-(?:(0[1-9]|1[0-2])|H([12]))$")


class Cadence(StrEnum):
    MONTHLY = "monthly"
    HALF_YEARLY = "half_yearly"


def month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


def month_of_index(index: int) -> tuple[int, int]:
    return index // 12, index % 12 + 1


@dataclass(frozen=True, order=True)
class Period:
    """A month or a half-year that reports are owed for."""

    year: int
    first_month: int
    last_month: int

    @classmethod
    def parse(cls, text: str) -> Period:
        match = _PATTERN.match(text.strip().upper())
        if match is None:
            raise ValueError(f"not a period: {text!r} (expected 2026-09, 2026-H1 or 2026-H2)")
        year = int(match.group(1))
        if match.group(2):
            month = int(match.group(2))
            return cls(year, month, month)
        half = int(match.group(3))
        return cls(year, 1 + 6 * (half - 1), 6 * half)

    @classmethod
    def month_of(cls, day: date) -> Period:
        return cls(day.year, day.month, day.month)

    @classmethod
    def half_of(cls, day: date) -> Period:
        first = 1 if day.month <= 6 else 7
        return cls(day.year, first, first + 5)

    @property
    def cadence(self) -> Cadence:
        return Cadence.MONTHLY if self.first_month == self.last_month else Cadence.HALF_YEARLY

    @property
    def is_month(self) -> bool:
        return self.cadence is Cadence.MONTHLY

    @property
    def first_index(self) -> int:
        return month_index(self.year, self.first_month)

    @property
    def last_index(self) -> int:
        return month_index(self.year, self.last_month)

    @property
    def first_day(self) -> date:
        return date(self.year, self.first_month, 1)

    @property
    def last_day(self) -> date:
        return self.following_day - timedelta(days=1)

    @property
    def following_day(self) -> date:
        """The first day after the period: the window of working days starts here."""
        year, month = month_of_index(self.last_index + 1)
        return date(year, month, 1)

    def previous(self) -> Period:
        year, month = month_of_index(self.first_index - 1)
        if self.is_month:
            return Period(year, month, month)
        return Period(year, month - 5, month)

    def next(self) -> Period:
        year, month = month_of_index(self.last_index + 1)
        if self.is_month:
            return Period(year, month, month)
        return Period(year, month, month + 5)

    def window(self, calendar: WorkCalendar) -> Window:
        return calendar.window_after(str(self), self.following_day)

    def __str__(self) -> str:
        if self.is_month:
            return f"{self.year}-{self.first_month:02d}"
        return f"{self.year}-H{1 if self.first_month == 1 else 2}"
