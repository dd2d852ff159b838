"""Time for the whole product: an injectable clock and the Asia/Shanghai calendar date."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Clock:
    """The current time, which tests and the demo can set or move forward."""

    def __init__(self) -> None:
        self._fixed: datetime | None = None
        self._offset = timedelta(0)

    def now(self) -> datetime:
        """The current instant, timezone-aware in UTC."""
        if self._fixed is not None:
            return self._fixed
        return datetime.now(UTC) + self._offset

    def set(self, moment: datetime | None) -> None:
        """Freeze time at `moment` (aware), or unfreeze with None."""
        self._fixed = as_utc(moment) if moment is not None else None

    def advance(self, delta: timedelta) -> None:
        if self._fixed is not None:
            self._fixed += delta
        else:
            self._offset += delta

    def today(self) -> date:
        """Today's date in Asia/Shanghai, the date every rule is judged on."""
        return local_date(self.now())


clock = Clock()


def as_utc(moment: datetime) -> datetime:
    """An aware UTC datetime; a naive one is taken as UTC (how SQLite hands them back)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def to_local(moment: datetime) -> datetime:
    return as_utc(moment).astimezone(SHANGHAI)


def local_date(moment: datetime) -> date:
    return to_local(moment).date()


def iso_local(moment: datetime | None) -> str | None:
    """ISO 8601 with the +08:00 offset, as the JSON contracts promise."""
    return to_local(moment).isoformat(timespec="seconds") if moment is not None else None


def local_moment(day: date, hour: int = 9, minute: int = 0) -> datetime:
    """An aware datetime for a Shanghai wall-clock time."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)
