"""我的任务: what the member's departments owe in the open reporting periods and where each
report stands; outside a reporting season, what they will owe in the next one."""

from __future__ import annotations

from dataclasses import dataclass

from bot.calendar import Window, WorkCalendar
from bot.clock import clock
from bot.handlers.context import Context
from bot.handlers.message_size import reply_long
from bot.handlers.owed import Owed, department_ids, liaison_owed, member_of, owed
from bot.handlers.reporting_season import next_seasons, open_periods
from bot.handlers.router import Router
from bot.periods import Period
from bot.storage.models import Role
from bot.storage.people import Member, department_names, holders
from bot.words import render

router = Router("tasks")

LineKey = tuple[int, int, str]  # task, department, period: `Owed.key`


@dataclass(frozen=True)
class Group:
    """The lines of one period; `number` is the line's number in 汇报's list, or None when
    the member does not report for that department or the period is not open yet."""

    period: Period
    window: Window
    rows: list[tuple[int | None, Owed]]


@router.command("我的任务")
def my_tasks(ctx: Context) -> bool:
    member = member_of(ctx)
    departments = department_ids(member)
    if not departments:
        ctx.reply_phrase("chat.tasks.no_department", leader=member.has(Role.LEADER))
        return True

    today = clock.today()
    periods = open_periods(today, ctx.calendar)
    seasons = [] if periods else next_seasons(today, ctx.calendar)
    shown = periods or [season.period for season in seasons]
    entries = owed(ctx.session, ctx.calendar, shown, departments)
    numbers = _numbers(ctx, periods, member)

    reply_long(
        ctx,
        render(
            "chat/tasks.txt.j2",
            groups=_groups(ctx.calendar, shown, entries, numbers),
            periods=shown,
            seasons=seasons,
            several=len({entry.item.department_id for entry in entries}) > 1,
            reports=bool(numbers),
            liaisons=_liaisons(ctx, member),
        ),
    )
    return True


def _numbers(ctx: Context, periods: list[Period], member: Member) -> dict[LineKey, int]:
    """Lines the member can answer 汇报 N for: the same numbering as 汇报's list."""
    entries = liaison_owed(ctx.session, ctx.calendar, periods, member)
    return {entry.key: number for number, entry in enumerate(entries, start=1)}


def _groups(
    calendar: WorkCalendar,
    periods: list[Period],
    entries: list[Owed],
    numbers: dict[LineKey, int],
) -> list[Group]:
    return [
        Group(
            period=period,
            window=period.window(calendar),
            rows=[(numbers.get(e.key), e) for e in entries if e.period == period],
        )
        for period in periods
    ]


def _liaisons(ctx: Context, member: Member) -> list[tuple[str, list[str]]]:
    """Who reports for the departments the member heads without being their liaison."""
    ids = [i for i in member.departments(Role.HEAD) if not member.has(Role.LIAISON, i)]
    names = department_names(ctx.session, ids)
    return [
        (names[dept_id], [person.name for person in holders(ctx.session, Role.LIAISON, dept_id)])
        for dept_id in ids
    ]
