"""Importing task tables (R01-R05): the samples, re-imports, and every way a row is refused."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from bot.importing import ImportRejected, import_tasks
from bot.importing.sheet import read_sheet
from bot.importing.task_rows import REQUIRED, TASK_ALIASES, TaskRows
from bot.storage.db import session_scope
from bot.storage.models import DeadlineKind, Department, Task, TaskDepartment, TaskLevel

HEADER = ["工作内容", "督办级别", "实施/牵头部门", "完成时限", "分管校领导"]


def _task(session: Session, number: int, item_no: int = 0, year: int = 2026) -> Task:
    query = select(Task).where(Task.year == year, Task.number == number, Task.item_no == item_no)
    return session.exec(query).one()


def _departments(session: Session, task: Task) -> list[tuple[str, bool]]:
    query = (
        select(Department.name, TaskDepartment.is_lead)
        .join(TaskDepartment, col(TaskDepartment.department_id) == Department.id)
        .where(TaskDepartment.task_id == task.id)
        .order_by(col(TaskDepartment.position))
    )
    return [(name, is_lead) for name, is_lead in session.exec(query)]


def _count(session: Session, model: type) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def _import(engine: Engine, path: Path, year: int = 2026):
    with session_scope(engine) as session:
        return import_tasks(session, path, year=year)


# The samples


def test_sample_table_imports_with_the_expected_counts(db: Engine, samples: Path) -> None:
    report = _import(db, samples / "tasks-2026.xlsx")

    assert (report.tasks, report.created, report.updated, report.unchanged) == (26, 34, 0, 0)
    assert len(report.departments_created) == 23
    assert report.warnings == [] and report.absent == []
    with Session(db) as session:
        assert _count(session, Task) == 34
        assert _count(session, Department) == 23
        levels = session.exec(select(Task.level, func.count()).group_by(Task.level)).all()
        assert dict(levels) == {"key": 21, "general": 11, "other": 2}


def test_task_9_sub_item_2_as_in_the_rules_annex(db: Engine, samples: Path) -> None:
    _import(db, samples / "tasks-2026.xlsx")

    with Session(db) as session:
        task = _task(session, 9, 2)
        assert task.title == "进一步强化思想政治工作"
        assert task.item == "召开学校思想政治工作会议，明确学校思想政治工作的目标和任务。"
        assert task.level == TaskLevel.KEY
        assert (task.deadline_kind, task.deadline_text) == (DeadlineKind.MONTH, "6月")
        assert task.deadline == date(2026, 6, 30)
        assert task.deadline_month == 2026 * 12 + 5
        assert task.leader_name == "张晓峰"
        assert _departments(session, task) == [("宣传部", True)]
        assert _departments(session, _task(session, 9, 3)) == [
            ("团委", True),
            ("学生工作部", False),
        ]
        assert (
            session.exec(select(Task).where(Task.number == 9, Task.item_no == 0)).first() is None
        )


def test_sample_spellings_land_in_the_right_columns(db: Engine, samples: Path) -> None:
    _import(db, samples / "tasks-2026.xlsx")

    with Session(db) as session:
        assert _departments(session, _task(session, 3)) == [
            ("纪委办公室", True),
            ("党委办公室", False),
        ]
        assert [name for name, _ in _departments(session, _task(session, 23))] == [
            "保卫处",
            "学生工作部",
            "后勤管理处",
        ]
        assert _task(session, 3).leader_name == "刘洋"  # padded `刘　洋` in the sheet
        dated = _task(session, 4)  # a real date cell
        assert (dated.deadline_kind, dated.deadline) == (DeadlineKind.DATE, date(2026, 6, 30))
        assert _task(session, 4).level == TaskLevel.KEY  # ★★ and 重点督查督办 agree
        assert _task(session, 8).level == TaskLevel.GENERAL  # only the column: 一般
        assert (_task(session, 8).deadline_kind, _task(session, 8).deadline) == (
            DeadlineKind.LONG_TERM,
            None,
        )
        whole_year = _task(session, 7)
        assert whole_year.deadline_kind == DeadlineKind.YEAR
        assert whole_year.deadline_month == 2026 * 12 + 11
        assert _task(session, 11, 2).title == "深化研究生教育综合改革"  # １１．
        assert _task(session, 14, 2).item == "新建省部级科研平台2个。"  # ②
        assert _task(session, 25).level == TaskLevel.OTHER
        assert json.loads(_task(session, 2, 2).extra or "{}") == {
            "备注": "按期换届",
            "板块": "党的建设",
        }


def test_csv_export_gives_the_same_tasks_as_the_workbook(db: Engine, samples: Path) -> None:
    _import(db, samples / "tasks-2026.xlsx")
    report = _import(db, samples / "tasks-2026.csv")
    assert (report.created, report.updated, report.unchanged) == (0, 0, 34)


def test_reimport_updates_instead_of_duplicating(
    db: Engine, samples: Path, tmp_path: Path
) -> None:
    _import(db, samples / "tasks-2026.xlsx")
    edited = tmp_path / "tasks-2026-edited.xlsx"
    shutil.copy(samples / "tasks-2026.xlsx", edited)
    book = load_workbook(edited)
    sheet = book.active
    assert sheet is not None
    rows = {str(row[0].value): row[0].row for row in sheet.iter_rows() if row[0].value}
    sheet.cell(rows["5.★推进“大思政课”建设"], 4).value = "10月"
    sheet.cell(rows["13.★推进智慧教室建设"], 3).value = "国有资产管理处、教务处"
    book.save(edited)

    report = _import(db, edited)

    assert (report.created, report.updated, report.unchanged) == (0, 2, 32)
    assert report.departments_created == []
    with Session(db) as session:
        assert _count(session, Task) == 34
        task = _task(session, 5)
        assert (task.deadline_text, task.deadline) == ("10月", date(2026, 10, 31))
        assert _departments(session, _task(session, 13)) == [
            ("国有资产管理处", True),
            ("教务处", False),
        ]


def test_broken_sample_is_refused_with_its_rows_and_nothing_written(
    db: Engine, samples: Path
) -> None:
    with pytest.raises(ImportRejected) as caught:
        _import(db, samples / "tasks-broken.xlsx")

    assert [error.row for error in caught.value.errors] == [14, 27, 45]
    assert [error.message for error in caught.value.errors] == [
        "第14行：完成时限“下月”无法识别，请写成“6月”“2026-06-30”“全年”或“长期”。",
        "第27行：未填写实施/牵头部门。",
        "第45行：任务编号20与第43行重复。",
    ]
    with Session(db) as session:
        assert _count(session, Task) == 0
        assert _count(session, Department) == 0


def test_a_refused_reimport_leaves_the_year_as_it_was(db: Engine, samples: Path) -> None:
    _import(db, samples / "tasks-2026.xlsx")
    with pytest.raises(ImportRejected):
        _import(db, samples / "tasks-broken.xlsx")
    with Session(db) as session:
        assert _count(session, Task) == 34
        assert _task(session, 5).deadline_text == "9月份"
        assert _departments(session, _task(session, 12)) == [("招生就业处", True)]


def test_tasks_no_longer_listed_are_kept_and_reported(
    db: Engine, xlsx: Callable[..., Path]
) -> None:
    first = xlsx(
        [HEADER, ["1.★a", "", "宣传部", "6月", "甲"], ["2.★b", "", "宣传部", "6月", "甲"]]
    )
    _import(db, first)
    second = xlsx([HEADER, ["1.★a", "", "宣传部", "6月", "甲"]], name="second.xlsx")
    report = _import(db, second)
    assert report.absent == ["2"] and report.unchanged == 1
    with Session(db) as session:
        assert _count(session, Task) == 2


def test_years_are_separate(db: Engine, xlsx: Callable[..., Path]) -> None:
    path = xlsx([HEADER, ["1.★a", "", "宣传部", "6月", "甲"]])
    _import(db, path, year=2026)
    report = _import(db, path, year=2027)
    assert report.created == 1 and report.departments_created == []
    with Session(db) as session:
        assert _task(session, 1, year=2027).deadline == date(2027, 6, 30)


def test_orm_objects_held_by_the_caller_see_the_update(
    db: Engine, xlsx: Callable[..., Path]
) -> None:
    with session_scope(db) as session:
        import_tasks(session, xlsx([HEADER, ["1.★a", "", "宣传部", "6月", "甲"]]), year=2026)
        task = _task(session, 1)
        changed = xlsx([HEADER, ["1.★a", "", "宣传部", "7月", "甲"]], name="b.xlsx")
        import_tasks(session, changed, year=2026)
        assert task.deadline_text == "7月"


# Layouts


def _rows(path: Path, year: int = 2026) -> TaskRows:
    return TaskRows(read_sheet(path, aliases=TASK_ALIASES, required=REQUIRED), year)


def test_blank_cells_repeat_within_a_task_only(xlsx: Callable[..., Path]) -> None:
    rows = _rows(
        xlsx(
            [
                HEADER,
                ["1.★★a", "", "宣传部、团委", "6月", "甲"],
                ["(1)x", "", "", "", ""],
                ["(2)y", "", "教务处", "", ""],
                ["(3)z", "", "", "9月", ""],
                ["2.★b", "", "", "6月", "乙"],
            ]
        )
    )
    items = {(unit.number, unit.item_no): unit for unit in rows.units}
    assert [ref.name for ref in items[1, 1].fields.departments] == ["宣传部", "团委"]
    assert [ref.name for ref in items[1, 3].fields.departments] == ["教务处"]
    assert items[1, 2].fields.deadline is not None and items[1, 2].fields.deadline.text == "6月"
    assert items[1, 3].fields.leader == "甲"
    assert [error.message for error in rows.errors] == ["第6行：未填写实施/牵头部门。"]


def test_number_column_layout(xlsx: Callable[..., Path]) -> None:
    header = ["编号", *HEADER]
    path = xlsx(
        [
            header,
            ["9", "★★进一步强化思想政治工作", "", "宣传部", "6月", "张晓峰"],
            ["9", "(1)贯彻落实", "", "", "", ""],
            ["(2)", "召开会议", "", "", "", ""],
            ["10", "11.★加强", "", "教务处", "6月", "赵丽萍"],
        ],
        merges=["A2:A3"],
    )
    rows = _rows(path)
    assert [(u.number, u.item_no, u.item) for u in rows.units] == [
        (9, 1, "贯彻落实"),
        (9, 2, "召开会议"),
    ]
    assert [error.message for error in rows.errors] == [
        "第5行：“编号”列写的是“10”，工作内容中的编号却是11，请核对。"
    ]


def test_tasks_numbered_in_chinese(xlsx: Callable[..., Path]) -> None:
    rows = _rows(
        xlsx(
            [
                HEADER,
                ["九、★★进一步强化思想政治工作", "", "宣传部", "6月", "张晓峰"],
                ["（二）召开会议", "", "", "", ""],
                ["十、加强党建", "一般", "党委组织部", "全年", "王志强"],
            ]
        )
    )
    assert rows.errors == []
    assert [(u.number, u.item_no, u.level) for u in rows.units] == [
        (9, 2, TaskLevel.KEY),
        (10, 0, TaskLevel.GENERAL),
    ]


def test_theme_headings_and_notes_are_not_tasks(xlsx: Callable[..., Path]) -> None:
    rows = _rows(
        xlsx(
            [
                ["2026年督查督办工作任务表"],
                HEADER,
                ["一、党的建设"],
                ["1.★a", "", "宣传部", "6月", "甲"],
                ["二、思想政治工作"],
                ["2.★b", "", "宣传部", "6月", "甲"],
                ["注：★★为重点督查督办工作。"],
            ]
        )
    )
    assert rows.errors == []
    assert [json.loads(unit.extra or "{}")["板块"] for unit in rows.units] == [
        "党的建设",
        "思想政治工作",
    ]


def test_levels_from_marks_column_and_sub_items(xlsx: Callable[..., Path]) -> None:
    rows = _rows(
        xlsx(
            [
                HEADER,
                ["1.★★a", "重点", "宣传部", "6月", "甲"],
                ["(1)x", "", "", "", ""],
                ["(2)★y", "", "", "", ""],
                ["2.b", "专项", "宣传部", "", "甲"],
                ["3.c", "其他", "宣传部", "", "甲"],
            ]
        )
    )
    assert rows.errors == []
    levels = {(unit.number, unit.item_no): unit.level for unit in rows.units}
    assert levels == {
        (1, 1): TaskLevel.KEY,
        (1, 2): TaskLevel.GENERAL,
        (2, 0): TaskLevel.SPECIAL,
        (3, 0): TaskLevel.OTHER,
    }
    assert rows.units[2].fields.deadline is None  # special and other work may lack one


def test_missing_leader_is_a_warning_not_an_error(xlsx: Callable[..., Path]) -> None:
    rows = _rows(xlsx([HEADER, ["1.★a", "", "宣传部", "6月", ""]]))
    assert rows.errors == [] and len(rows.units) == 1
    assert [warning.message for warning in rows.warnings] == [
        "第2行：未填写分管校领导，报告将无人审阅，请补充。"
    ]


# Refusals


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            ["进一步强化思想政治工作", "", "宣传部", "6月", "甲"],
            "“进一步强化思想政治工作”前没有任务编号，也不是分项，无法识别。"
            "任务请写成“9.进一步强化……”，分项请写成“(2)召开……”。",
        ),
        (
            ["1.★a", "", "宣传部", "下月", "甲"],
            "完成时限“下月”无法识别，请写成“6月”“2026-06-30”“全年”或“长期”。",
        ),
        (
            ["1.★a", "", "宣传部", "13月", "甲"],
            "完成时限“13月”中的月份不存在，月份应在1到12之间。",
        ),
        (["1.★a", "", "宣传部", "2026-02-30", "甲"], "完成时限“2026-02-30”不是有效日期。"),
        (
            ["1.★a", "", "宣传部", "2025年6月", "甲"],
            "完成时限“2025年6月”早于2026年，请核对年份，或确认导入的是2026年的任务表。",
        ),
        (["1.★a", "", "", "6月", "甲"], "未填写实施/牵头部门。"),
        (
            ["1.★a", "", "宣传部", "", "甲"],
            "未填写完成时限，请写成“6月”“2026-06-30”“全年”或“长期”。",
        ),
        (
            ["1.a", "重要", "宣传部", "6月", "甲"],
            "督办级别“重要”无法识别，请填写“★★”“★”“重点”“一般”“其它”或“专项”。",
        ),
        (
            ["1.★a", "重点", "宣传部", "6月", "甲"],
            "督办级别“重点”与工作内容中的“★”不一致，请核对。",
        ),
        (
            ["1.a", "", "宣传部", "6月", "甲"],
            "未标明督办级别，请在工作内容前加“★★”或“★”，或填写“督办级别”列。",
        ),
        (
            ["1.★★★a", "", "宣传部", "6月", "甲"],
            "“1.★★★a”中的★过多：重点督查督办标“★★”，一般督查督办标“★”。",
        ),
        (["1.★", "", "宣传部", "6月", "甲"], "任务1只有编号，没有工作内容。"),
        (
            ["", "", "宣传部", "6月", "甲"],
            "“工作内容”为空，但本行填写了其他内容，请补全工作内容或删除本行。",
        ),
        (
            ["(1)召开会议", "", "宣传部", "6月", "甲"],
            "分项“召开会议”前面没有所属的任务，请在其上方填写任务编号和名称。",
        ),
        (
            ["1.★a", "", "宣传部" * 40, "6月", "甲"],
            "部门名称“" + ("宣传部" * 10)[:29] + "…”过长，请检查是否漏写了“、”分隔符。",
        ),
    ],
)
def test_each_bad_row_is_named_with_its_reason(
    xlsx: Callable[..., Path], row: list[str], message: str
) -> None:
    rows = _rows(xlsx([["2026年督查督办工作任务表"], HEADER, row]))
    assert [(error.row, error.message) for error in rows.errors] == [(3, f"第3行：{message}")]


def test_duplicates_name_the_first_row(xlsx: Callable[..., Path]) -> None:
    rows = _rows(
        xlsx(
            [
                HEADER,
                ["1.★★a", "", "宣传部", "6月", "甲"],
                ["(1)x", "", "", "", ""],
                ["(1)y", "", "", "", ""],
                ["1.★b", "", "宣传部", "6月", "甲"],
                ["(1)z", "", "", "", ""],
            ]
        )
    )
    assert [error.message for error in rows.errors] == [
        "第4行：任务1的分项(1)与第3行重复。",
        "第5行：任务编号1与第2行重复。",
    ]


def test_every_problem_of_a_row_is_reported_once(xlsx: Callable[..., Path]) -> None:
    rows = _rows(
        xlsx(
            [
                HEADER,
                ["1.★★a", "重要", "宣传部", "下月", "甲"],
                ["(1)x", "", "", "", ""],
                ["(2)y", "", "", "", ""],
            ]
        )
    )
    assert [error.row for error in rows.errors] == [2, 2]
    assert rows.units == []


def test_the_whole_file_is_refused_when_one_row_is_wrong(
    db: Engine, xlsx: Callable[..., Path]
) -> None:
    path = xlsx(
        [HEADER, ["1.★a", "", "宣传部", "6月", "甲"], ["2.★b", "", "新部门", "下月", "甲"]]
    )
    with pytest.raises(ImportRejected) as caught:
        _import(db, path)
    assert [error.row for error in caught.value.errors] == [3]
    with Session(db) as session:
        assert _count(session, Task) == 0 and _count(session, Department) == 0


def test_a_file_without_data_rows_is_refused(db: Engine, xlsx: Callable[..., Path]) -> None:
    with pytest.raises(ImportRejected) as caught:
        _import(db, xlsx([["2026年督查督办工作任务表"], HEADER]))
    assert str(caught.value) == "表格中没有任何数据行。"


def test_number_column_and_empty_sub_items(xlsx: Callable[..., Path]) -> None:
    header = ["编号", *HEADER]
    rows = _rows(
        xlsx(
            [
                header,
                ["第一", "1.★a", "", "宣传部", "6月", "甲"],
                ["2", "★b", "", "宣传部", "6月", "甲"],
                ["", "(1)", "", "", "", ""],
            ]
        )
    )
    assert [error.message for error in rows.errors] == [
        "第2行：“编号”列中的“第一”无法识别，请写成“9”或“(2)”。",
        "第4行：任务2的分项(1)没有工作内容。",
    ]
