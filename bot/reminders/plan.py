"""Deciding who is sent which digest today, from where the reports and notices stand.

The department side (liaison, head) hears of reports it has not submitted; the leader of
reports waiting on them; the offices of reports not complete (R12-R15, B02, B05). Nobody
hears of a report that is already done. Nothing here touches the database.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, partial
from typing import Any, TypeVar

from bot.reminders.digests import Draft, fitted, worded
from bot.reminders.ladder import LivePeriod, Rung
from bot.reminders.notices import OpenNotice
from bot.reminders.standing import Standing
from bot.storage.models import Verdict

Line = TypeVar("Line")


@dataclass(frozen=True)
class Audience:
    """The people reminders go to, looked up once per sweep."""

    liaisons: dict[int, list[str]]  # department id -> userids
    heads: dict[int, list[str]]
    leaders: dict[str, str]  # leader name in the task table -> userid
    offices: list[str]


@dataclass(frozen=True)
class Tally:
    """One row of an escalation: how many reports a department (or leader) owes."""

    name: str | None  # None: a task without a supervising leader
    count: int
    not_submitted: int = 0
    waiting: int = 0


def period_digests(
    live: LivePeriod,
    rungs: set[Rung],
    lines: list[Standing],
    audience: Audience,
    *,
    morning: datetime,
) -> list[Draft]:
    """Every digest about `live.period` that today owes, for the rungs given.

    Leaders hear of what waited on them at the reminder hour (`morning`): a report submitted
    later in the day reached them as an approval card just now, and waits for tomorrow.
    """
    found: list[Draft] = []
    if Rung.LIAISON in rungs:
        found += _liaisons(live, lines, audience)
    if Rung.HEAD in rungs:
        found += _heads(live, lines, audience, liaisons_told=Rung.LIAISON in rungs)
    if Rung.LEADER in rungs:
        found += _leaders(live, lines, audience, morning)
    if Rung.ESCALATE_LATE in rungs:
        found += _late(live, lines, audience)
    if Rung.ESCALATE_MISSING in rungs:
        found += _missing(live, lines, audience)
    return found


def _liaisons(live: LivePeriod, lines: list[Standing], audience: Audience) -> list[Draft]:
    unsent = [line for line in lines if not line.submitted]
    groups = by_person(unsent, lambda line: audience.liaisons.get(line.department_id, []))
    return [
        _digest(live, Rung.LIAISON, userid, group, "reminders/liaison.txt.j2", "owed_row")
        for userid, group in groups.items()
    ]


def _heads(
    live: LivePeriod, lines: list[Standing], audience: Audience, *, liaisons_told: bool
) -> list[Draft]:
    def heads_of(line: Standing) -> list[str]:
        heads = audience.heads.get(line.department_id, [])
        if not liaisons_told:
            return heads
        # A head who is also the department's liaison has the liaison's digest today.
        liaisons = audience.liaisons.get(line.department_id, [])
        return [userid for userid in heads if userid not in liaisons]

    unsent = [line for line in lines if not line.submitted]
    digests = []
    for userid, group in by_person(unsent, heads_of).items():
        unstaffed = _unique(
            line.department for line in group if not audience.liaisons.get(line.department_id)
        )
        template = "reminders/head.txt.j2"
        digests.append(
            _digest(live, Rung.HEAD, userid, group, template, "owed_row", unstaffed=unstaffed)
        )
    return digests


def _leaders(
    live: LivePeriod, lines: list[Standing], audience: Audience, morning: datetime
) -> list[Draft]:
    def leader_of(line: Standing) -> list[str]:
        userid = audience.leaders.get(line.leader_name or "")
        return [userid] if userid else []

    waiting = [line for line in lines if line.waiting_on_leader(morning)]
    return [
        _digest(live, Rung.LEADER, userid, group, "reminders/leader.txt.j2", "waiting_row")
        for userid, group in by_person(waiting, leader_of).items()
    ]


def _late(live: LivePeriod, lines: list[Standing], audience: Audience) -> list[Draft]:
    outstanding = [line for line in lines if not line.due.delivered]
    if not outstanding:
        return []
    rows = sorted(
        (
            Tally(
                name,
                len(group),
                not_submitted=sum(not line.submitted for line in group),
                waiting=sum(line.waiting_on_leader() for line in group),
            )
            for name, group in _grouped(outstanding, lambda line: line.department).items()
        ),
        key=lambda row: -row.count,
    )
    context = _context(live, outstanding)
    compose = cache(
        lambda: fitted("reminders/escalate_late.txt.j2", count=len(rows), rows=rows, **context)
    )
    return _to_offices(live, Rung.ESCALATE_LATE, audience, len(outstanding), compose)


def _missing(live: LivePeriod, lines: list[Standing], audience: Audience) -> list[Draft]:
    missing = [line for line in lines if line.missing]
    if not missing:
        return []
    departments = _tallies(missing, lambda line: line.department)
    leaders = _tallies(missing, lambda line: line.leader_name)
    verdicts = Counter(line.due.verdict for line in lines)
    context = _context(live, missing) | {
        "departments": departments,
        "leaders": leaders,
        "owed": len(lines),
        "on_time": verdicts[Verdict.ON_TIME],
        "late": verdicts[Verdict.LATE],
    }
    count = max(len(departments), len(leaders))
    compose = cache(lambda: fitted("reminders/escalate_missing.txt.j2", count=count, **context))
    return _to_offices(live, Rung.ESCALATE_MISSING, audience, len(missing), compose)


def notice_digests(today: date, notices: list[OpenNotice], audience: Audience) -> list[Draft]:
    """One digest per liaison or head whose departments have notices awaiting a reply."""

    def people_of(notice: OpenNotice) -> list[str]:
        department = notice.department_id
        return audience.liaisons.get(department, []) + audience.heads.get(department, [])

    def compose(group: list[OpenNotice]) -> Callable[[], str]:
        several = len({notice.department_id for notice in group}) > 1
        return lambda: fitted(
            "reminders/notice.txt.j2", count=len(group), notices=group, several=several
        )

    # Notices are numbered per year, so the year stands in for the period; the day keys it.
    return [
        Draft(userid, Rung.NOTICE, str(today.year), today, len(group), compose(group))
        for userid, group in by_person(notices, people_of).items()
    ]


def by_person(lines: Iterable[Line], people: Callable[[Line], list[str]]) -> dict[str, list[Line]]:
    """Each person's lines, in the order given; a line goes to every person it names."""
    found: dict[str, list[Line]] = defaultdict(list)
    for line in lines:
        for userid in dict.fromkeys(people(line)):
            found[userid].append(line)
    return dict(found)


def _digest(
    live: LivePeriod,
    rung: Rung,
    userid: str,
    lines: list[Standing],
    template: str,
    row: str,
    **extra: Any,
) -> Draft:
    context = _context(live, lines) | extra
    compose = partial(worded, template, row=row, **context)
    return Draft(userid, rung, str(live.period), live.today, len(lines), compose)


def _to_offices(
    live: LivePeriod, rung: Rung, audience: Audience, items: int, compose: Callable[[], str]
) -> list[Draft]:
    """The same escalation for everyone in the two offices, worded once."""
    return [
        Draft(userid, rung, str(live.period), live.today, items, compose)
        for userid in audience.offices
    ]


def _context(live: LivePeriod, lines: list[Standing]) -> dict[str, Any]:
    """What every template about a period is told."""
    return {
        "period": str(live.period),
        "window": live.window,
        "today": live.today,
        "day_number": live.day_number,
        "stage": live.stage.value,
        "lines": lines,
        "total": len(lines),
        "kinds": sorted({line.kind.value for line in lines}),
        "several": len({line.department_id for line in lines}) > 1,
    }


def _grouped(lines: list[Standing], key: Callable[[Standing], Any]) -> dict[Any, list[Standing]]:
    found: dict[Any, list[Standing]] = defaultdict(list)
    for line in lines:
        found[key(line)].append(line)
    return dict(found)


def _tallies(lines: list[Standing], key: Callable[[Standing], str | None]) -> list[Tally]:
    """Rows by `key`, most reports first, then in order of first appearance (sorted is
    stable)."""
    groups = _grouped(lines, key)
    rows = [Tally(name, len(group)) for name, group in groups.items()]
    return sorted(rows, key=lambda row: -row.count)


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))
