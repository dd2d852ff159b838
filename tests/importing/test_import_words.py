"""Every message the importer can give exists in templates/import.j2 and reads as a sentence."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import bot.importing
from bot.importing.results import ImportReport, RowError, row_error
from bot.words import say

PACKAGE = Path(bot.importing.__file__).parent
# Keys appear as the first string argument of row_error/_error/CellError, or as the first
# element of a (key, context) problem tuple in people.py.
KEY = re.compile(r'(?:row_error\([^,]+,|_error\([^,]+,|CellError\(|[(\[]\()\s*"([a-z_]+)"')


def _keys() -> set[str]:
    return {key for path in PACKAGE.glob("*.py") for key in KEY.findall(path.read_text())}


def test_the_key_scan_finds_the_messages() -> None:
    assert {"bad_deadline", "no_department", "no_header", "bad_userid", "no_rows"} <= _keys()


@pytest.mark.parametrize("key", sorted(_keys()))
def test_every_message_key_has_a_macro(key: str) -> None:
    module = bot.words.environment().get_template("import.j2").module
    assert hasattr(module, key), f"templates/import.j2 lacks the macro {key}"


def test_row_errors_carry_their_row() -> None:
    error = row_error(7, "no_department")
    assert error == RowError(7, "第7行：未填写实施/牵头部门。")
    assert row_error(None, "no_rows") == RowError(None, "表格中没有任何数据行。")


def test_summaries() -> None:
    report = ImportReport(created=30, updated=3, unchanged=1, tasks=26)
    report.departments_created = ["宣传部", "教务处"]
    report.absent = ["27"]
    assert say("import.tasks_imported", year=2026, report=report) == (
        "2026年任务表导入完成：共26项任务、34个督办事项，新增30个，更新3个，未变1个；"
        "新建部门2个：宣传部、教务处；库中另有1个事项不在本表中（已保留）：27。"
    )
    people = ImportReport(created=2, roles=3)
    assert say("import.people_imported", report=people) == (
        "人员导入完成：共2人、3项角色，新增2人，更新0人，未变0人。"
    )
    assert report.as_dict()["total"] == 34
