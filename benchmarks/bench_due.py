"""Times "what is due for period P" over a synthetic year: 10,000 tasks, 200 departments.

Run: python benchmarks/bench_due.py [--postgres URL]
Prints the build time, then the time of `due_for` for a month and a half-year (best of 5).
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert, text
from sqlmodel import Session

from bot.periods import Period, month_index
from bot.storage.db import make_engine, upgrade
from bot.storage.due import due_for
from bot.storage.models import (
    DeadlineKind,
    Department,
    Report,
    ReportKind,
    ReportStatus,
    Task,
    TaskDepartment,
    TaskLevel,
)

TASKS = 10_000
DEPARTMENTS = 200
YEAR = 2026


def build(engine) -> None:
    rng = random.Random(2026)
    levels = [TaskLevel.KEY] * 5 + [TaskLevel.GENERAL] * 4 + [TaskLevel.OTHER, TaskLevel.SPECIAL]
    with Session(engine) as session:
        session.execute(
            insert(Department),
            [{"id": n, "name": f"部门{n:03d}"} for n in range(1, DEPARTMENTS + 1)],
        )
        tasks, links, reports = [], [], []
        for n in range(1, TASKS + 1):
            month = rng.choice([None, *range(1, 13)])
            tasks.append(
                {
                    "id": n,
                    "year": YEAR,
                    "number": n,
                    "title": f"重点工作{n}",
                    "item_no": 0,
                    "level": rng.choice(levels).value,
                    "deadline_kind": (
                        DeadlineKind.MONTH if month else DeadlineKind.LONG_TERM
                    ).value,
                    "deadline_month": month_index(YEAR, month) if month else None,
                }
            )
            for position, dept in enumerate(
                rng.sample(range(1, DEPARTMENTS + 1), rng.randint(1, 3))
            ):
                links.append(
                    {
                        "task_id": n,
                        "department_id": dept,
                        "is_lead": position == 0,
                        "position": position,
                    }
                )
                if rng.random() < 0.5:
                    reports.append(_report(n, dept, "2026-09"))
        session.execute(insert(Task), tasks)
        session.execute(insert(TaskDepartment), links)
        session.execute(insert(Report), reports)
        session.commit()
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:  # autovacuum would do this in a live database
            connection.execute(text("ANALYZE"))
            connection.commit()
    print(f"built {TASKS} tasks, {len(links)} task-department pairs, {len(reports)} reports")


def _report(task_id: int, dept: int, period: str) -> dict[str, object]:
    return {
        "task_id": task_id,
        "department_id": dept,
        "period": period,
        "period_index": Period.parse(period).last_index,
        "kind": ReportKind.PROGRESS.value,
        "text": "进展",
        "status": ReportStatus.SUBMITTED.value,
    }


def time_due(engine, period: str) -> None:
    best, count = float("inf"), 0
    for _ in range(5):
        with Session(engine) as session:
            started = time.perf_counter()
            count = len(due_for(session, Period.parse(period)))
            best = min(best, time.perf_counter() - started)
    print(f"due_for({period}): {count} owed reports in {best * 1000:.1f} ms (best of 5)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", help="a PostgreSQL URL of an EMPTY database to use")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.postgres or f"sqlite:///{Path(folder) / 'bench.db'}"
        engine = make_engine(url)
        upgrade(engine)
        started = time.perf_counter()
        build(engine)
        print(f"build: {time.perf_counter() - started:.1f} s on {engine.url.get_backend_name()}")
        for period in ("2026-09", "2026-H2"):
            time_due(engine, period)
        engine.dispose()


if __name__ == "__main__":
    main()
