"""Writes the sample spreadsheets an office would send: the 2026 task table (.xlsx, and .csv
as Chinese Excel saves it), a copy with three mistakes, and the people table.

Run `python samples/make_samples.py`; the output files are committed next to this script.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.worksheet.worksheet import Worksheet

HERE = Path(__file__).parent
UP = "↑"  # in the row lists below: the cell is merged with the one above

TASK_HEADER = ("工作内容", "督办级别", "实施/牵头部门", "完成时限", "分管校领导", "备注")

# One tuple per spreadsheet row below the header, in TASK_HEADER's order; a 1-tuple is a
# theme heading spanning the table. Spellings vary on purpose, as they do in real tables.
TASK_ROWS: list[tuple[Any, ...]] = [
    ("一、党的建设",),
    ("1.★★深入学习贯彻党的二十届四中全会精神", "", "", "", "王志强", ""),
    ("(1)制订学校学习宣传贯彻方案，组织开展专题学习研讨。", "", "宣传部", "3月", UP, ""),
    ("(2)举办处级干部专题培训班，实现培训全覆盖。", "", "党委组织部", "6月底", UP, ""),
    ("2.★★全面加强基层党组织建设", "", "党委组织部", "", "王志强", ""),
    ("（1）实施“对标争先”建设计划，培育10个样板党支部。", "", UP, "12月底", UP, ""),
    ("（2）完成学院党委换届工作。", "", UP, "2026年10月", UP, "按期换届"),
    (
        "3.★深化全面从严治党，压实“两个责任”",
        "",
        "纪委办公室（牵头）、党委办公室",
        "年底",
        "刘　洋",
        "与巡察整改统筹推进",
    ),
    (
        "4.★★推进巡察反馈问题整改",
        "重点督查督办",
        "党委办公室，纪委办公室",
        date(2026, 6, 30),
        "刘　洋",
        "",
    ),
    ("二、思想政治工作",),
    ("5.★推进“大思政课”建设", "", "宣传部、教务处", "9月份", "张晓峰", ""),
    ("6、★★加强辅导员队伍建设", "", "学生工作部、人事处", "2026.11", "张晓峰", ""),
    ("7.★深化“三全育人”综合改革", "", "学生工作部", "全年", "张晓峰", ""),
    ("8.加强意识形态阵地管理", "一般", "宣传部；网络信息中心", "长期", "张晓峰", ""),
    ("9.★★进一步强化思想政治工作", "", "", "", "张晓峰", ""),
    (
        "(1)贯彻落实全国和全省高校思想政治工作会议精神，研究制订关于加强和改进新形势下"
        "思想政治工作的措施。",
        "",
        "宣传部",
        "6月",
        UP,
        "",
    ),
    ("(2)召开学校思想政治工作会议，明确学校思想政治工作的目标和任务。", "", UP, UP, UP, ""),
    ("(3)实施“一院一品”校园文化建设项目。", "", "团委、学生工作部", "12月底", UP, ""),
    ("三、人才培养",),
    ("10、★★推进国家级一流本科专业建设", "", "教务处", "2026/9/30", "赵丽萍", ""),
    ("１１．★★深化研究生教育综合改革", "", "", "", "赵丽萍", ""),
    ("（１）修订研究生培养方案。", "", "研究生院", "2026-07", UP, ""),
    (
        "（２）开展博士学位授权点合格评估自评。",
        "",
        "研究生院（牵头）、发展规划处",
        "12月底",
        UP,
        "",
    ),
    ("12.★提升招生就业质量", "", "招生就业处", "2026年8月", "赵丽萍", "毕业去向落实率不低于90%"),
    (
        "13.★推进智慧教室建设",
        "",
        "教务处、网络信息中心、国有资产管理处",
        "2026.9",
        "赵丽萍",
        "",
    ),
    ("四、科学研究",),
    ("14.★★加强有组织科研", "", "科学技术处", "", "孙国庆", ""),
    ("①申报国家重点研发计划项目不少于5项。", "", UP, "10月底", UP, ""),
    ("②新建省部级科研平台2个。", "", UP, "12月", UP, ""),
    ("15.★繁荣发展哲学社会科学", "", "社会科学处", "11月", "孙国庆", ""),
    ("16.推进科技成果转化", "重点", "科学技术处、国有资产管理处", "上半年", "孙国庆", ""),
    ("五、人才队伍",),
    ("17.★★实施高层次人才引育计划", "", "人事处", "全年", "周文斌", ""),
    ("18.★深化职称评审制度改革", "", "人事处", "2026-09", "周文斌", ""),
    ("六、学科建设",),
    ("19.★★推进“双一流”建设", "", "学科建设办公室", "", "周文斌", ""),
    ("(1)完成学科建设中期自评估。", "", UP, "6月", UP, ""),
    ("(2)编制学科专项经费预算并组织实施。", "", "学科建设办公室、财务处", "3月", UP, ""),
    ("(3)启动新一轮学科评估准备工作。", "", "学科建设办公室", "年底", UP, ""),
    ("20.★编制学校“十五五”发展规划", "", "发展规划处、校长办公室", "6月底", "陈立新", ""),
    ("七、国际交流",),
    ("21.★★拓展中外合作办学", "", "国际合作与交流处", "2026年11月", "吴海燕", ""),
    ("八、后勤与安全",),
    ("22.★推进节约型校园建设", "", "后勤管理处、国有资产管理处", "12月底", "郑明远", ""),
    (
        "23.★★加强校园安全稳定工作",
        "",
        "保卫处（牵头）；学生工作部，后勤管理处",
        "长期",
        "黄世平",
        "",
    ),
    ("24.★推进财务信息化建设", "", "财务处、网络信息中心", "10月", "郑明远", ""),
    ("九、其它重点工作",),
    ("25.建设智慧图书馆", "其它", "图书馆", "年底", "吴海燕", ""),
    ("26.加强教职工之家建设", "其他", "工会", "全年", "黄世平", ""),
    (
        "注：标注★★的为重点督查督办工作，实行月报告制度；标注★的为一般督查督办工作，"
        "实行半年报告制度。",
    ),
]

TITLE_ROWS = [("2026年督查督办工作任务表",), ("党委办公室 校长办公室 2026年1月",)]

# The three mistakes of tasks-broken.xlsx: (start of 工作内容, column, wrong value).
MISTAKES = [
    ("5.★推进", "完成时限", "下月"),
    ("12.★提升", "实施/牵头部门", ""),
    ("21.★★拓展", "工作内容", "20.★★拓展中外合作办学"),
]

PEOPLE_HEADER = ("姓名", "账号", "部门", "角色", "联系电话")
LEADERS = [
    ("王志强", "wangzhiqiang"),
    ("陈立新", "chenlixin"),
    ("刘　洋", "liuyang"),
    ("张晓峰", "zhangxiaofeng"),
    ("赵丽萍", "zhaoliping"),
    ("孙国庆", "sunguoqing"),
    ("周文斌", "zhouwenbin"),
    ("吴海燕", "wuhaiyan"),
    ("郑明远", "zhengmingyuan"),
    ("黄世平", "huangshiping"),
]
# department: (liaison, userid), (head, userid)
DEPARTMENTS = {
    "党委办公室": (("何　静", "hejing"), ("孙建华", "sunjianhua")),
    "校长办公室": (("杨　帆", "yangfan"), ("李　明", "liming")),
    "党委组织部": (("罗　敏", "luomin"), ("张　伟", "zhangwei")),
    "宣传部": (("高　翔", "gaoxiang"), ("王　磊", "wanglei")),
    "纪委办公室": (("林　雪", "linxue"), ("陈　刚", "chengang")),
    "学生工作部": (("梁　超", "liangchao"), ("刘　畅", "liuchang")),
    "教务处": (("宋　佳", "songjia"), ("杨　光", "yangguang")),
    "研究生院": (("唐　磊", "tanglei"), ("黄　河", "huanghe")),
    "科学技术处": (("许　婷", "xuting"), ("周　斌", "zhoubin")),
    "社会科学处": (("韩　冰", "hanbing"), ("吴　敏", "wumin")),
    "人事处": (("冯　蕾", "fenglei"), ("徐　峰", "xufeng")),
    "发展规划处": (("赵　敏", "ZhaoMin"), ("朱　立", "zhuli")),
    "学科建设办公室": (("赵　敏", "zhaomin"), ("韩　雷", "hanlei")),
    "国际合作与交流处": (("曹　阳", "caoyang"), ("胡　蓉", "hurong")),
    "财务处": (("彭　丽", "pengli"), ("郭　军", "guojun")),
    "国有资产管理处": (("曾　强", "zengqiang"), ("何　平", "heping")),
    "后勤管理处": (("邓　刚", "denggang"), ("高　勇", "gaoyong")),
    "保卫处": (("谢　军", "xiejun"), ("林　海", "linhai")),
    "招生就业处": (("董　鑫", "dongxin"), ("罗　刚", "luogang")),
    "图书馆": (("袁　媛", "yuanyuan"), ("梁　红", "lianghong")),
    "网络信息中心": (("蒋　涛", "jiangtao"), ("宋　涛", "songtao")),
    "团委": (("于佳琪", "yujiaqi"), ("郑　爽", "zhengshuang")),
    "工会": (("苏　红", "suhong"), ("谢　芳", "xiefang")),
}
OFFICES = [
    ("李　娜", "lina", "党委办公室", "党委办公室"),
    ("马　骏", "majun", "网络信息中心", "管理员"),
]


@dataclass(frozen=True)
class Table:
    title: list[tuple[Any, ...]]
    header: tuple[str, ...]
    rows: list[tuple[Any, ...]]


def task_table(*, broken: bool = False) -> Table:
    rows = [list(row) for row in TASK_ROWS]
    if broken:
        for index, column, value in mistakes():
            rows[index][TASK_HEADER.index(column)] = value
    return Table(TITLE_ROWS, TASK_HEADER, [tuple(row) for row in rows])


def mistakes() -> list[tuple[int, str, str]]:
    """The mistakes as (index in TASK_ROWS, column, wrong value)."""
    return [
        (
            next(i for i, row in enumerate(TASK_ROWS) if str(row[0]).startswith(start)),
            column,
            value,
        )
        for start, column, value in MISTAKES
    ]


def people_table() -> Table:
    rows: list[tuple[Any, ...]] = []
    extension = iter(range(64231001, 64239999, 7))
    for name, userid in LEADERS:
        rows.append((name, userid, "校领导", "分管校领导", next(extension)))
    for department, ((liaison, liaison_id), _) in DEPARTMENTS.items():
        roles = "校长办公室、联络员" if department == "校长办公室" else "联络员"
        rows.append((liaison, liaison_id, department, roles, next(extension)))
    for department, (_, (head, head_id)) in DEPARTMENTS.items():
        rows.append((head, head_id, department, "负责人", next(extension)))
    for name, userid, department, role in OFFICES:
        rows.append((name, userid, department, role, next(extension)))
    title = [("2026年督查督办联络员及相关人员名单",)]
    return Table(title, PEOPLE_HEADER, rows)


# Writing


THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def write_xlsx(table: Table, path: Path, widths: list[int]) -> None:
    """The table as an office formats it: title rows, a boxed header, merged cells."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "任务表" if "工作内容" in table.header else "人员名单"
    for number, title in enumerate(table.title, 1):
        _spanning(sheet, number, title[0], len(table.header), bold=number == 1)
    header_row = len(table.title) + 1
    for column, name in enumerate(table.header, 1):
        cell = sheet.cell(header_row, column, name)
        cell.font, cell.border = Font(bold=True), BOX
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    _write_rows(sheet, table, header_row + 1)
    for column, width in enumerate(widths, 1):
        sheet.column_dimensions[chr(64 + column)].width = width
    sheet.freeze_panes = sheet.cell(header_row + 1, 1)
    # Fixed stamps keep the committed file stable when the script is run again.
    book.properties.creator = "党委办公室"
    book.properties.created = book.properties.modified = datetime(2026, 1, 5, 9, 0)
    book.save(path)


def _spanning(sheet: Worksheet, row: int, text: str, width: int, *, bold: bool) -> None:
    sheet.cell(row, 1, text).font = Font(bold=bold, size=14 if bold else 11)
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)


def _write_rows(sheet: Worksheet, table: Table, first: int) -> None:
    for number, values in enumerate(table.rows, first):
        if len(values) == 1:
            _spanning(sheet, number, values[0], len(table.header), bold=False)
            continue
        for column, value in enumerate(values, 1):
            cell = sheet.cell(number, column)
            cell.border = BOX
            cell.alignment = Alignment(vertical="center", wrap_text=True)
            if value == UP:
                _extend_merge(sheet, number, column)
            else:
                cell.value = value
                if isinstance(value, date):
                    cell.number_format = "yyyy-mm-dd"


def _extend_merge(sheet: Worksheet, row: int, column: int) -> None:
    """Merges the cell with the one above, growing that cell's merged range if it has one."""
    for merged in list(sheet.merged_cells.ranges):
        if merged.min_col == column == merged.max_col and merged.max_row == row - 1:
            start = merged.min_row
            sheet.unmerge_cells(str(merged))
            break
    else:
        start = row - 1
    sheet.merge_cells(start_row=start, start_column=column, end_row=row, end_column=column)


def write_csv(table: Table, path: Path, encoding: str) -> None:
    """As Excel's 'CSV (逗号分隔)' saves it: merged cells keep only their first value."""
    width = len(table.header)
    with path.open("w", encoding=encoding, newline="") as stream:
        writer = csv.writer(stream)
        for title in table.title:
            writer.writerow([title[0]] + [""] * (width - 1))
        writer.writerow(table.header)
        for values in table.rows:
            cells = [_csv_text(value) for value in values]
            writer.writerow(cells + [""] * (width - len(cells)))


def _csv_text(value: Any) -> str:
    if value == UP:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def main() -> None:
    widths = [60, 12, 30, 14, 12, 24]
    write_xlsx(task_table(), HERE / "tasks-2026.xlsx", widths)
    write_csv(task_table(), HERE / "tasks-2026.csv", "gb18030")
    write_xlsx(task_table(broken=True), HERE / "tasks-broken.xlsx", widths)
    write_xlsx(people_table(), HERE / "people-2026.xlsx", [10, 16, 18, 20, 12])
    first_data_row = len(TITLE_ROWS) + 2
    for index, column, value in mistakes():
        print(f"tasks-broken.xlsx row {first_data_row + index}: {column} = {value!r}")


if __name__ == "__main__":
    main()
