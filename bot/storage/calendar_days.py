"""The offices' own calendar entries (from the State Council notice), stored and loaded."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlmodel import Session, select

from bot.calendar import WorkCalendar
from bot.storage.models import CalendarDay

WORKING_WORDS = {"上班", "工作日", "调休上班", "补班", "work", "working"}
OFF_WORDS = {"休息", "放假", "休假", "假日", "off", "holiday"}


@dataclass(frozen=True)
class CalendarEntryError(ValueError):
    row: int
    value: str


def load_calendar(session: Session) -> WorkCalendar:
    """The working-day calendar with every entered day winning over the library."""
    days = session.exec(select(CalendarDay)).all()
    return WorkCalendar({entry.day: entry.working for entry in days})


def read_notice_file(path: Path) -> list[CalendarDay]:
    """Rows `日期,类型[,说明]` (类型 休息 or 上班); every row is checked before any is kept."""
    entries: list[CalendarDay] = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for number, row in enumerate(csv.reader(handle), start=1):
            cells = [cell.strip() for cell in row]
            if not any(cells) or cells[0] in {"日期", "date"}:
                continue
            entries.append(_entry(number, cells))
    return entries


def _entry(number: int, cells: list[str]) -> CalendarDay:
    try:
        day = date.fromisoformat(cells[0].replace("/", "-"))
    except ValueError:
        raise CalendarEntryError(number, cells[0]) from None
    kind = cells[1] if len(cells) > 1 else ""
    if kind not in WORKING_WORDS | OFF_WORDS:
        raise CalendarEntryError(number, kind)
    note = cells[2] if len(cells) > 2 and cells[2] else None
    return CalendarDay(day=day, working=kind in WORKING_WORDS, note=note)


def save_entries(session: Session, entries: list[CalendarDay]) -> int:
    """Insert or replace the given days; returns how many were written."""
    for entry in entries:
        session.merge(entry)
    return len(entries)
