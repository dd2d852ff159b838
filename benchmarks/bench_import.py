"""Times the task-table import on a synthetic 10,000-task workbook (200 departments) on
SQLite: the first import, an unchanged re-import and a re-import with changes.

Run `python benchmarks/bench_import.py [TASKS]`.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from openpyxl import Workbook

from bot.importing import ImportReport, import_tasks
from bot.importing.sheet import read_sheet
from bot.importing.task_rows import REQUIRED, TASK_ALIASES
from bot.storage.db import make_engine, session_scope, upgrade

T = TypeVar("T")

DEPARTMENTS = [f"第{n}部门" for n in range(1, 201)]
DEADLINES = ["3月", "6月底", "2026-09", "2026/10/31", "年底", "全年", "长期", "2026年11月"]
LEADERS = ["王志强", "陈立新", "刘洋", "张晓峰", "赵丽萍", "孙国庆", "周文斌", "吴海燕"]
ITEMS_EVERY = 20  # every 20th task has two sub-items


def write_table(path: Path, tasks: int, *, deadline_shift: int = 0) -> int:
    """Writes the table; returns the number of spreadsheet rows below the header."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["2026年督查督办工作任务表"])
    sheet.append(["工作内容", "督办级别", "实施/牵头部门", "完成时限", "分管校领导", "备注"])
    for number in range(1, tasks + 1):
        departments = "、".join(
            DEPARTMENTS[(number * k) % 200] for k in (1, 7, 13)[: number % 3 + 1]
        )
        deadline = DEADLINES[(number + deadline_shift * (number % 10 == 0)) % len(DEADLINES)]
        marks = "★★" if number % 2 else "★"
        leader = LEADERS[number % len(LEADERS)]
        sheet.append(
            [f"{number}.{marks}第{number}项重点工作", "", departments, deadline, leader, ""]
        )
        if number % ITEMS_EVERY == 0:
            sheet.append([f"(1)第{number}项的第一个分项", "", "", "", "", "备注"])
            sheet.append([f"(2)第{number}项的第二个分项", "", DEPARTMENTS[0], "12月", "", ""])
    book.save(path)
    return sheet.max_row - 2


def timed(label: str, action: Callable[[], T]) -> T:
    """Runs `action`, printing wall-clock and CPU seconds (CPU is steadier on a busy box)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = action()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{label:<34} {wall:6.2f} s wall {cpu:6.2f} s CPU")
    return result


def run_import(engine_url: str, path: Path) -> ImportReport:
    with session_scope(make_engine(engine_url)) as session:
        return import_tasks(session, path, year=2026)


def describe(report: ImportReport) -> str:
    return (
        f"    {report.tasks} tasks, {report.total} units: {report.created} created, "
        f"{report.updated} updated, {report.unchanged} unchanged, "
        f"{len(report.departments_created)} departments created"
    )


def main(tasks: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        table, changed = Path(folder) / "tasks.xlsx", Path(folder) / "tasks-changed.xlsx"
        rows = timed(f"write {tasks} tasks to .xlsx", lambda: write_table(table, tasks))
        write_table(changed, tasks, deadline_shift=1)
        print(f"    {rows} rows below the header")
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        upgrade(make_engine(url))

        timed(
            "read the sheet only",
            lambda: read_sheet(table, aliases=TASK_ALIASES, required=REQUIRED),
        )
        print(describe(timed("first import", lambda: run_import(url, table))))
        print(describe(timed("re-import, unchanged", lambda: run_import(url, table))))
        print(
            describe(timed("re-import, 10% deadlines changed", lambda: run_import(url, changed)))
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
