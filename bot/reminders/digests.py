"""A digest: one reminder text for one person, naming all they are reminded of that day.

WeCom cuts a text message after 2048 bytes (a Chinese character takes 3), so a digest names
as many items as fit and says how many more there are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from bot.reminders.ladder import Rung
from bot.wecom.client import MAX_CONTENT_BYTES
from bot.words import environment, render


@dataclass(frozen=True)
class Digest:
    """What one person is sent (or would be) for one rung, period and day."""

    recipient: str
    kind: Rung
    period: str
    day: date
    items: int  # how many reports (or notices) the digest is about, shown or not
    text: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "recipient": self.recipient,
            "kind": self.kind.value,
            "period": self.period,
            "day": self.day.isoformat(),
            "items": self.items,
            "text": self.text,
        }


@dataclass(frozen=True)
class Draft:
    """A digest decided but not worded yet: wording waits until it is known to be owed, so a
    repeated tick renders nothing."""

    recipient: str
    kind: Rung
    period: str
    day: date
    items: int
    compose: Callable[[], str] = field(compare=False, repr=False)

    @property
    def key(self) -> tuple[str, str, str]:
        """What makes it unique within its day (the Dispatch key without the day)."""
        return self.kind.value, self.period, self.recipient

    def digest(self) -> Digest:
        return Digest(self.recipient, self.kind, self.period, self.day, self.items, self.compose())


def fitted(template: str, *, count: int, **context: Any) -> str:
    """Render `template` showing as many of its `count` rows as fit in one WeCom text.

    The template receives `shown` and lists only that many rows, adding a line about the
    rest; the largest `shown` that fits is found by bisection, as rendering is the cost.
    """
    text = render(template, shown=count, **context)
    if _fits(text) or count == 0:
        return text
    low, high = 0, count - 1
    while low < high:
        middle = (low + high + 1) // 2
        if _fits(render(template, shown=middle, **context)):
            low = middle
        else:
            high = middle - 1
    return render(template, shown=low, **context)


def worded(template: str, *, row: str, **context: Any) -> str:
    """A digest listing `context["lines"]`, each worded once by the macro `row` of reminders.j2.

    The template lists the first `shown` of the worded `rows`, so fitting only re-joins
    words already rendered.
    """
    several = bool(context.get("several"))
    rows = [_row(row, line, several) for line in context["lines"]]
    return fitted(template, count=len(rows), rows=rows, **context)


@lru_cache(maxsize=50_000)
def _row(row: str, line: Any, several: bool) -> str:
    # One report shows up in the digests of every liaison and head of its department, and
    # again at the next tick: its row is worded once. `line` is frozen, so equal means same.
    macro = getattr(environment().get_template("reminders.j2").module, row)
    return str(macro(line, several)).strip()


def _fits(text: str) -> bool:
    return len(text.encode("utf-8")) <= MAX_CONTENT_BYTES
