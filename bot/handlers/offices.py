"""The two offices' commands in chat: 统计 (how each department reports, R15, R18) and 催办
(an immediate reminder to one department), and the gate that keeps them to the offices."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from bot.calendar import WorkCalendar
from bot.clock import clock
from bot.handlers.answers import normalized
from bot.handlers.context import Context
from bot.handlers.message_size import split_message
from bot.handlers.owed import Owed, owed
from bot.handlers.reporting_season import open_periods
from bot.handlers.router import Router
from bot.periods import Period
from bot.storage.models import Department, Role, Task
from bot.storage.notices import department_contacts
from bot.storage.people import Member
from bot.storage.statistics import (
    PENDING,
    PeriodStats,
    Standing,
    latest_opened_periods,
    period_statistics,
)
from bot.words import render, say

logger = logging.getLogger(__name__)

router = Router("offices")

OFFICE_COMMAND_ROLES = (Role.PARTY_OFFICE, Role.PRESIDENT_OFFICE, Role.ADMIN)

# A long statistics reply is cut to this many messages by detailing fewer departments.
MAX_STATISTICS_MESSAGES = 4
DETAIL_LIMITS = (None, 30, 15, 8)

_MONTH = re.compile(r"^(?:(\d{4})\s*[年\-/.]\s*)?(\d{1,2})\s*月?(?:份)?$")
_HALF_WORD = re.compile(r"^(?:(\d{4})\s*年?\s*)?([上下])半年$")
_HALF_CODE = re.compile(r"^(\d{4})\s*-?\s*H([12])$", re.IGNORECASE)
_TASK_REF = re.compile(r"^第?(\d{1,3})(?:\s*[(\-.]\s*(\d{1,2})\s*\)?)?\s*项?$")


# -- the gate and shared pieces ----------------------------------------------------------------


def is_office(member: Member | None) -> bool:
    return member is not None and any(member.has(role) for role in OFFICE_COMMAND_ROLES)


def require_office(ctx: Context) -> bool:
    """True for the offices (and admins); anyone else is told politely whose commands these are."""
    if is_office(ctx.member):
        return True
    ctx.reply_phrase("offices.offices_only")
    return False


def office_roles(member: Member | None) -> list[str]:
    """The offices a member acts for, as role values the templates name (none for an admin)."""
    if member is None:
        return []
    return [str(role) for role in (Role.PARTY_OFFICE, Role.PRESIDENT_OFFICE) if member.has(role)]


def arguments(ctx: Context, word: str) -> str:
    """What follows the command word, spaced or glued (`统计 9月`, `统计9月`), as typed:
    opinions keep their full-width punctuation; parsers fold what they read."""
    text = ctx.text
    return text[len(word) :].strip() if text.startswith(word) else ""


def send_long(ctx: Context, recipients: list[str], text: str, *, purpose: str) -> None:
    if not recipients:
        return
    for piece in split_message(text):
        ctx.send(recipients, piece, purpose=purpose)


def reply_long(ctx: Context, text: str) -> None:
    for piece in split_message(text):
        ctx.reply(piece)


@dataclass(frozen=True)
class TaskRef:
    """A task number as typed: `9` (the task, any sub-item) or `9(2)` (one sub-item)."""

    number: int
    item_no: int | None

    def matches(self, task: Task) -> bool:
        return task.number == self.number and self.item_no in (None, task.item_no)


def read_task_ref(text: str) -> TaskRef | None:
    match = _TASK_REF.match(normalized(text))
    if match is None:
        return None
    return TaskRef(int(match.group(1)), int(match.group(2)) if match.group(2) else None)


def departments_matching(session: Session, text: str) -> list[Department]:
    """The department named exactly, else those whose name starts with `text`, else those
    containing it; several means the office has to say which."""
    wanted = normalized(text)
    if not wanted:
        return []
    found = session.exec(
        select(Department)
        .where(col(Department.name).contains(wanted, autoescape=True))
        .order_by(col(Department.name))
    ).all()

    exact = [dept for dept in found if dept.name == wanted]
    prefixed = [dept for dept in found if dept.name.startswith(wanted)]
    return exact or prefixed or list(found)


# -- 统计 --------------------------------------------------------------------------------------


def read_periods(text: str, today: date, calendar: WorkCalendar) -> list[Period] | None:
    """The periods `统计` was asked about; no text means the latest whose window opened.

    A month or half-year without a year is the latest one that has begun by `today`.
    """
    text = normalized(text).replace(" ", "")
    if not text:
        return latest_opened_periods(today, calendar)
    if match := _HALF_CODE.match(text):
        return [Period.parse(f"{match.group(1)}-H{match.group(2)}")]
    if match := _HALF_WORD.match(text):
        first_month = 1 if match.group(2) == "上" else 7
        return [_period(match.group(1), first_month, first_month + 5, today)]
    if (match := _MONTH.match(text)) and 1 <= int(match.group(2)) <= 12:
        month = int(match.group(2))
        return [_period(match.group(1), month, month, today)]
    return None


def _period(year: str | None, first_month: int, last_month: int, today: date) -> Period:
    if year is not None:
        return Period(int(year), first_month, last_month)
    begun = date(today.year, first_month, 1) <= today
    return Period(today.year if begun else today.year - 1, first_month, last_month)


def statistics_messages(stats: PeriodStats) -> list[str]:
    """The statistics reply in WeCom-sized messages, detailing fewer departments when the
    full list would take more than a few messages."""
    pieces: list[str] = []
    for limit in DETAIL_LIMITS:
        layout = statistics_layout(stats, limit)
        pieces = split_message(render("offices/statistics.txt.j2", stats=stats, **layout))
        if len(pieces) <= MAX_STATISTICS_MESSAGES:
            break
    return pieces


def statistics_layout(stats: PeriodStats, limit: int | None) -> dict[str, Any]:
    """Departments in the order an office reads them: late or missing reports first (most
    missing first), then those still pending, then the ones all on time; at most `limit`
    departments are detailed."""
    attention = sorted(
        (dept for dept in stats.departments if dept.count(Standing.MISSING, Standing.LATE)),
        key=lambda dept: (-dept.count(Standing.MISSING), -dept.count(Standing.LATE)),
    )
    pending = [
        dept for dept in stats.departments if dept not in attention and dept.count(*PENDING)
    ]
    on_time = [dept for dept in stats.departments if dept.all_on_time]
    detailed = [*attention, *pending][:limit]
    totals = {standing.value: count for standing, count in stats.totals().items()}

    return {
        "totals": {
            **{standing.value: 0 for standing in Standing},
            **totals,
            "pending": sum(totals.get(standing.value, 0) for standing in PENDING),
        },
        "attention": [dept for dept in attention if dept in detailed],
        "attention_count": len(attention),
        "pending": [dept for dept in pending if dept in detailed],
        "pending_count": len(pending),
        "hidden": [dept for dept in [*attention, *pending] if dept not in detailed],
        "on_time": on_time,
        "on_time_names": [dept.name for dept in on_time][:limit],
    }


@router.command("统计")
def statistics(ctx: Context) -> bool:
    if not require_office(ctx):
        return True
    today = clock.today()
    text = arguments(ctx, "统计")

    periods = read_periods(text, today, ctx.calendar)
    if periods is None:
        ctx.reply_phrase("offices.unknown_period", text=text)
        return True

    for period in periods:
        stats = period_statistics(ctx.session, period, calendar=ctx.calendar, today=today)
        for piece in statistics_messages(stats):
            ctx.reply(piece)
    return True


# -- 催办 --------------------------------------------------------------------------------------


def split_department_and_task(text: str) -> tuple[str, TaskRef | None]:
    """`宣传部 9(2)` -> ("宣传部", 9(2)); a trailing word that is no task number is part of
    the department's name."""
    words = text.split()
    if len(words) > 1 and (ref := read_task_ref(words[-1])) is not None:
        return " ".join(words[:-1]), ref
    return text, None


def still_owed(
    session: Session, calendar: WorkCalendar, department_id: int, today: date
) -> tuple[list[Period], list[Owed]]:
    """The periods open for reporting today and what the department has not completed."""
    periods = open_periods(today, calendar)
    found = owed(session, calendar, periods, [department_id])
    return periods, [entry for entry in found if not entry.item.delivered]


@router.command("催办")
def urge(ctx: Context) -> bool:
    if not require_office(ctx):
        return True
    text = arguments(ctx, "催办")
    if not text:
        ctx.reply_phrase("offices.urge_usage")
        return True

    name, ref = split_department_and_task(text)
    department = _one_department(ctx, name)
    if department is None or department.id is None:
        return True
    periods, entries = still_owed(ctx.session, ctx.calendar, department.id, clock.today())
    entries = [entry for entry in entries if ref is None or ref.matches(entry.task)]
    if not entries:
        ctx.reply_phrase(
            "offices.nothing_to_urge", department=department.name, periods=periods, ref=ref
        )
        return True

    _send_urge(ctx, department, entries, ref)
    return True


def _one_department(ctx: Context, name: str) -> Department | None:
    """The one department `name` means; otherwise the office is told and None returned."""
    found = departments_matching(ctx.session, name)
    if not found:
        ctx.reply_phrase("offices.no_department", text=name)
        return None
    if len(found) > 1:
        names = [dept.name for dept in found]
        reply_long(ctx, say("offices.ambiguous_department", text=name, names=names))
        return None
    return found[0]


def _send_urge(
    ctx: Context, department: Department, entries: list[Owed], ref: TaskRef | None
) -> None:
    liaisons, heads = department_contacts(ctx.session, department.id or 0)
    recipients = [person.userid for person in [*liaisons, *heads]]
    if not recipients:
        ctx.reply_phrase("offices.no_contacts", department=department.name)
        return

    groups = _by_period(entries)
    text = render(
        "offices/urge.txt.j2",
        department=department.name,
        groups=groups,
        offices=office_roles(ctx.member),
        today=clock.today(),
    )
    send_long(ctx, recipients, text, purpose="urge")
    ctx.audit(
        "office.urge",
        f"department:{department.id}",
        recipients=recipients,
        periods=[str(period) for period, _ in groups],
        reports=[[entry.item.task_id, str(entry.period)] for entry in entries],
        task=None if ref is None else [ref.number, ref.item_no],
    )
    logger.info("department %s urged on %s reports", department.id, len(entries))
    ctx.reply_phrase(
        "offices.urged",
        department=department.name,
        liaisons=[person.name for person in liaisons],
        heads=[person.name for person in heads],
        periods=[period for period, _ in groups],
        count=len(entries),
    )


def _by_period(entries: list[Owed]) -> list[tuple[Period, list[Owed]]]:
    groups: dict[Period, list[Owed]] = {}
    for entry in entries:
        groups.setdefault(entry.period, []).append(entry)
    return sorted(groups.items())


# -- glued commands ------------------------------------------------------------------------


@router.fallback
def glued(ctx: Context) -> bool:
    """`统计9月`, `催办宣传部`: the router splits at spaces only, so these arrive here."""
    text = normalized(ctx.text)
    for word, handler in (("统计", statistics), ("催办", urge)):
        if text.startswith(word) and len(text) > len(word):
            return bool(handler(ctx))
    return False
