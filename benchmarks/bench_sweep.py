"""Times the reminder sweep over a synthetic university: 10,000 tasks, 200 departments and
2,000 people (liaisons, heads, leaders and the two offices).

Run: python benchmarks/bench_sweep.py [--postgres URL]
Prints the build time, then for each swept moment of the 2026-09 window the sweep's time,
the digests it produced (one outbox row each) by kind, the reports they name, the longest
text, and the distinct reports behind them. Each outbox row is one WeCom message/send call
to one member, so messages per call is 1.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text
from sqlmodel import Session

from bot.calendar import WorkCalendar
from bot.clock import as_utc, clock, local_moment
from bot.config import Settings
from bot.periods import Period, month_index
from bot.reminders.digests import Digest
from bot.reminders.standing import standing
from bot.reminders.sweep import SweepResult, sweep
from bot.storage.db import make_engine, upgrade
from bot.storage.models import (
    DeadlineKind,
    Department,
    Person,
    Report,
    ReportKind,
    ReportStatus,
    Role,
    RoleAssignment,
    Task,
    TaskDepartment,
    TaskLevel,
    Verdict,
)

TASKS = 10_000
DEPARTMENTS = 200
LIAISONS_PER_DEPARTMENT = 6
HEADS_PER_DEPARTMENT = 3
LEADERS = 40
OFFICE_STAFF = 80  # in each of the two offices
YEAR = 2026
PERIOD = Period.parse("2026-09")
SUBMITTED_ON = local_moment(date(2026, 10, 8), 10)  # working day 1 of the window
MOMENTS = [  # (what, Shanghai day and time)
    ("working day 2, first sweep", date(2026, 10, 9), 9),
    ("working day 2, repeated tick", date(2026, 10, 9), 15),
    ("working day 4", date(2026, 10, 12), 9),
    ("day after working day 5", date(2026, 10, 14), 9),
]


def build(engine: Any) -> dict[str, int]:
    """Bulk-insert the university; returns how many rows of each kind it made."""
    rng = random.Random(2026)
    people, roles = _people()
    tasks, links = _tasks(rng)
    reports = _reports(rng, tasks, links)
    with Session(engine) as session:
        session.execute(
            insert(Department), [{"id": n, "name": f"部门{n:03d}"} for n in _departments()]
        )
        session.execute(insert(Person), people)
        session.execute(insert(RoleAssignment), roles)
        session.execute(insert(Task), tasks)
        session.execute(insert(TaskDepartment), links)
        session.execute(insert(Report), reports)
        session.commit()
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:  # autovacuum would do this in a live database
            connection.execute(text("ANALYZE"))
            connection.commit()
    return {
        "people": len(people),
        "tasks": len(tasks),
        "pairs": len(links),
        "reports": len(reports),
    }


def _departments() -> range:
    return range(1, DEPARTMENTS + 1)


def _people() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    people: list[dict[str, Any]] = []
    roles: list[dict[str, Any]] = []

    def add(userid: str, name: str, role: Role, department: int | None) -> None:
        person_id = len(people) + 1
        people.append({"id": person_id, "userid": userid, "name": name, "active": True})
        roles.append({"person_id": person_id, "role": role.value, "department_id": department})

    for dept in _departments():
        for n in range(LIAISONS_PER_DEPARTMENT):
            add(f"lia{dept:03d}{n}", f"联络员{dept:03d}{n}", Role.LIAISON, dept)
        for n in range(HEADS_PER_DEPARTMENT):
            add(f"head{dept:03d}{n}", f"负责人{dept:03d}{n}", Role.HEAD, dept)
    for n in range(1, LEADERS + 1):
        add(f"leader{n:02d}", f"校领导{n:02d}", Role.LEADER, None)
    for n in range(OFFICE_STAFF):
        add(f"dangban{n:02d}", f"党办{n:02d}", Role.PARTY_OFFICE, None)
        add(f"xiaoban{n:02d}", f"校办{n:02d}", Role.PRESIDENT_OFFICE, None)
    return people, roles


def _tasks(rng: random.Random) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    levels = [TaskLevel.KEY] * 6 + [TaskLevel.GENERAL] * 3 + [TaskLevel.OTHER]
    tasks, links = [], []
    for n in range(1, TASKS + 1):
        month = rng.choice([None, *range(1, 13)])
        tasks.append(
            {
                "id": n,
                "year": YEAR,
                "number": (n - 1) // 5 + 1,
                "item_no": (n - 1) % 5 + 1,
                "title": f"第{(n - 1) // 5 + 1}项重点工作：深化综合改革",
                "item": f"({(n - 1) % 5 + 1})完善配套制度并推进落实",
                "level": rng.choice(levels).value,
                "deadline_kind": (DeadlineKind.MONTH if month else DeadlineKind.LONG_TERM).value,
                "deadline_month": month_index(YEAR, month) if month else None,
                "leader_name": f"校领导{rng.randint(1, LEADERS):02d}",
            }
        )
        for position, dept in enumerate(rng.sample(_departments(), rng.randint(1, 2))):
            links.append(
                {
                    "task_id": n,
                    "department_id": dept,
                    "is_lead": position == 0,
                    "position": position,
                }
            )
    return tasks, links


def _reports(
    rng: random.Random, tasks: list[dict[str, Any]], links: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """2026-09 reports of the monthly tasks: 40% approved on day 1, 25% waiting on the leader,
    10% returned or drafts, the rest not started."""
    monthly = {task["id"] for task in tasks if task["level"] == TaskLevel.KEY.value}
    reports = []
    for link in links:
        if link["task_id"] not in monthly:
            continue
        draw = rng.random()
        if draw >= 0.75:
            continue
        status = (
            ReportStatus.APPROVED
            if draw < 0.4
            else ReportStatus.SUBMITTED
            if draw < 0.65
            else rng.choice([ReportStatus.RETURNED, ReportStatus.DRAFT])
        )
        reports.append(_report(link, status))
    return reports


def _report(link: dict[str, Any], status: ReportStatus) -> dict[str, Any]:
    approved = status == ReportStatus.APPROVED
    return {
        "task_id": link["task_id"],
        "department_id": link["department_id"],
        "period": str(PERIOD),
        "period_index": PERIOD.last_index,
        "kind": ReportKind.PROGRESS.value,
        "text": "本月进展顺利。",
        "status": status.value,
        "created_at": as_utc(SUBMITTED_ON),
        "submitted_at": as_utc(SUBMITTED_ON) if status != ReportStatus.DRAFT else None,
        "approved_at": as_utc(SUBMITTED_ON) if approved else None,
        "verdict": Verdict.ON_TIME.value if approved else None,
    }


def time_sweep(engine: Any, day: date, hour: int, settings: Settings) -> tuple[float, SweepResult]:
    calendar = WorkCalendar()
    moment = local_moment(day, hour, 30)
    clock.set(moment)
    with Session(engine) as session:
        started = time.perf_counter()
        result = sweep(session, at=moment, calendar=calendar, settings=settings)
        session.commit()
        return time.perf_counter() - started, result


def report(engine: Any, what: str, seconds: float, result: SweepResult) -> None:
    print(
        f"{what} ({result.day}): {seconds * 1000:.0f} ms -> {len(result.sent)} digests"
        f" = {len(result.sent)} outbox messages; {result.closed} verdicts recorded"
    )
    for kind, digests in sorted(_by_kind(result).items()):
        items = [digest.items for digest in digests]
        largest = max(len(digest.text.encode("utf-8")) for digest in digests)
        print(
            f"    {kind}: {len(digests)} digests naming {sum(items)} reports"
            f" ({min(items)}-{max(items)} each, longest text {largest} bytes)"
        )
    with Session(engine) as session:
        lines = standing(session, PERIOD)
    unsent = sum(not line.submitted for line in lines)
    waiting = sum(line.waiting_on_leader() for line in lines)
    print(
        f"    distinct {PERIOD} reports behind them: {unsent} not submitted,"
        f" {waiting} waiting on a leader, {sum(not line.due.delivered for line in lines)}"
        f" not complete (of {len(lines)} owed)"
    )


def _by_kind(result: SweepResult) -> dict[str, list[Digest]]:
    kinds: dict[str, list[Digest]] = {}
    for digest in result.sent:
        kinds.setdefault(digest.kind.value, []).append(digest)
    return kinds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", help="a PostgreSQL URL of an EMPTY database to use")
    args = parser.parse_args()
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    with tempfile.TemporaryDirectory() as folder:
        url = args.postgres or f"sqlite:///{Path(folder) / 'bench.db'}"
        engine = make_engine(url)
        upgrade(engine)
        started = time.perf_counter()
        counts = build(engine)
        print(
            f"built {counts['tasks']} tasks ({counts['pairs']} task-department pairs),"
            f" {DEPARTMENTS} departments, {counts['people']} people, {counts['reports']}"
            f" 2026-09 reports in {time.perf_counter() - started:.1f} s"
            f" on {engine.url.get_backend_name()}"
        )
        for what, day, hour in MOMENTS:
            seconds, result = time_sweep(engine, day, hour, settings)
            report(engine, what, seconds, result)
        print(
            "messages per WeCom call: 1.0 (each outbox row is one message/send call to one"
            " member; the digest is what keeps the count down, one per person per rung and day)"
        )
        engine.dispose()


if __name__ == "__main__":
    main()
