"""Reading .xlsx and .csv files into header and rows, as offices' files really come."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from bot.importing.results import ImportRejected
from bot.importing.sheet import read_sheet
from bot.importing.task_rows import REQUIRED, TASK_ALIASES

TASK_HEADER = ["工作内容", "督办级别", "实施/牵头部门", "完成时限", "分管校领导"]

TABLE = [
    ["2026年督查督办工作任务表"],
    [*TASK_HEADER, "备注", ""],
    ["9.★★进一步强化思想政治工作", "", "宣传部", "6月", "张晓峰", "", "x"],
    ["(1)贯彻落实……", "", "宣传部", "6月", "张晓峰", "第一项", ""],
    ["", "", "", "", "", "", ""],
    ["(2)召开学校思想政治工作会议", "", "", "", "", "", ""],
]


def _read(path: Path):
    return read_sheet(path, aliases=TASK_ALIASES, required=REQUIRED)


def test_header_below_a_title_row_and_extra_columns(xlsx: Callable[..., Path]) -> None:
    sheet = _read(xlsx(TABLE))
    assert sheet.header_row == 2
    assert [row.number for row in sheet.rows] == [3, 4, 6]  # the blank row 5 is dropped
    first, second, _ = sheet.rows
    assert first.get("工作内容") == "9.★★进一步强化思想政治工作"
    assert first.get("编号") == ""
    assert first.extra == {}  # the unnamed column is ignored, an empty 备注 is not kept
    assert second.extra == {"备注": "第一项"}


def test_merged_cells_repeat_their_top_left_value(xlsx: Callable[..., Path]) -> None:
    rows = [
        ["2026年督查督办工作任务表"],
        TASK_HEADER,
        ["9.★★进一步强化思想政治工作", "", "宣传部", "6月", "张晓峰"],
        ["(1)贯彻落实……"],
        ["(2)召开学校思想政治工作会议"],
        ["10.★x", "", "教务处", "", ""],
    ]
    path = xlsx(rows, merges=["A1:E1", "C3:C5", "D4:D5", "E3:E6"])
    sheet = _read(path)
    assert sheet.header_row == 2
    assert [row.get("实施/牵头部门") for row in sheet.rows] == ["宣传部"] * 3 + ["教务处"]
    assert [row.get("完成时限") for row in sheet.rows] == ["6月", "", "", ""]
    assert [row.get("分管校领导") for row in sheet.rows] == ["张晓峰"] * 4


def test_header_spellings_with_spaces_full_width_and_line_breaks(
    xlsx: Callable[..., Path],
) -> None:
    header = ["序 号", "工作\n内容", "级别", "实施／牵头\n部门", "要求完成时限", "分管领导"]
    sheet = _read(xlsx([header, ["1", "x", "★", "教务处", "6月", "赵丽萍"]]))
    assert sheet.columns == {
        "编号",
        "工作内容",
        "督办级别",
        "实施/牵头部门",
        "完成时限",
        "分管校领导",
    }
    assert sheet.rows[0].values["完成时限"] == "6月"


def test_typed_cell_values_read_as_the_office_typed_them(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(TASK_HEADER)
    sheet.append([9, None, "宣传部", datetime(2026, 6, 30), None])
    sheet.append([9.0, None, "宣传部", date(2026, 6, 30), None])
    sheet.append(["x", None, "宣传部", 2026.1, None])
    sheet["D4"].number_format = "0.00"
    sheet.append(["x", None, "宣传部", 2026.6, None])
    path = tmp_path / "typed.xlsx"
    book.save(path)

    rows = _read(path).rows
    assert [row.get("工作内容") for row in rows[:2]] == ["9", "9"]
    assert [row.get("完成时限") for row in rows] == [
        "2026-06-30",
        "2026-06-30",
        "2026.10",
        "2026.6",
    ]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_csv_encodings(csv_file: Callable[..., Path], encoding: str) -> None:
    path = csv_file(TABLE, encoding=encoding)
    sheet = _read(path)
    assert sheet.header_row == 2
    assert sheet.rows[0].get("工作内容") == "9.★★进一步强化思想政治工作"
    assert sheet.rows[1].extra == {"备注": "第一项"}


def test_tab_separated_text(csv_file: Callable[..., Path]) -> None:
    path = csv_file(TABLE, delimiter="\t", name="table.txt")
    assert _read(path).rows[0].get("实施/牵头部门") == "宣传部"


def test_csv_line_breaks_inside_a_cell_keep_row_numbers(csv_file: Callable[..., Path]) -> None:
    rows = [
        TASK_HEADER,
        ["1.★加强\n党建", "", "宣传部", "6月", ""],
        ["2.★x", "", "教务处", "6月", ""],
    ]
    sheet = _read(csv_file(rows))
    assert [row.number for row in sheet.rows] == [2, 3]


def test_undecodable_csv_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(b"\xff\xff\xff\x80\x80")
    with pytest.raises(ImportRejected) as caught:
        _read(path)
    assert "编码" in caught.value.errors[0].message


@pytest.mark.parametrize(
    ("name", "phrase"),
    [("table.docx", "不支持“.docx”"), ("table.xls", "另存为"), ("table", "不支持")],
)
def test_unknown_file_types_are_refused(tmp_path: Path, name: str, phrase: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"whatever")
    with pytest.raises(ImportRejected) as caught:
        _read(path)
    [error] = caught.value.errors
    assert error.row is None and phrase in error.message


def test_a_corrupt_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "table.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ImportRejected) as caught:
        _read(path)
    assert "无法作为 .xlsx 表格打开" in str(caught.value)


def test_missing_column_is_named_with_the_header_row(xlsx: Callable[..., Path]) -> None:
    path = xlsx([["标题"], ["工作内容", "实施/牵头部门", "分管校领导"], ["1.x", "宣传部", ""]])
    with pytest.raises(ImportRejected) as caught:
        _read(path)
    [error] = caught.value.errors
    assert error.row == 2
    assert error.message == "第2行：表头缺少“完成时限”列，请补充后再导入。"


def test_no_header_at_all(xlsx: Callable[..., Path]) -> None:
    with pytest.raises(ImportRejected) as caught:
        _read(xlsx([["a", "b"], ["c", "d"]]))
    assert caught.value.errors[0].row is None
    assert "找不到表头" in caught.value.errors[0].message
