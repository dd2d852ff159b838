"""The command line as an office clerk or an engineer uses it, on a fresh SQLite folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.config import get_settings
from bot.storage.db import get_engine

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


@pytest.fixture
def duban(tmp_path, monkeypatch):
    """Run `duban ...` in an empty folder, as after a fresh clone."""
    monkeypatch.chdir(tmp_path)
    for name in ("DATABASE_URL", "REDIS_URL", "DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    get_engine.cache_clear()
    runner = CliRunner()

    def run(*args: str, code: int = 0):
        result = runner.invoke(app, list(args))
        assert result.exit_code == code, result.output
        return result

    yield run
    get_engine().dispose()
    get_settings.cache_clear()
    get_engine.cache_clear()


def test_calendar_window_json_is_the_contract(duban) -> None:
    data = json.loads(duban("calendar", "window", "2026-09", "--json").stdout)
    assert data == {
        "period": "2026-09",
        "working_days": ["2026-10-08", "2026-10-09", "2026-10-10", "2026-10-12", "2026-10-13"],
        "on_time_until": "2026-10-10",
        "late_until": "2026-10-13",
        "provisional": False,
    }


def test_half_year_window_and_a_provisional_year(duban) -> None:
    data = json.loads(duban("calendar", "window", "2026-H2", "--json").stdout)
    assert data["working_days"][0] == "2027-01-04" and data["provisional"] is True
    human = duban("calendar", "window", "2026-12").stdout
    assert "尚未录入" in human


def test_entering_the_notice_ends_provisional(duban, tmp_path) -> None:
    notice = tmp_path / "notice-2027.csv"
    notice.write_text("日期,类型,说明\n2027-01-01,休息,元旦\n2027-01-04,休息,假想\n", "utf-8")
    assert "2" in duban("calendar", "import", str(notice)).stdout
    data = json.loads(duban("calendar", "window", "2026-12", "--json").stdout)
    assert data["provisional"] is False and data["working_days"][0] == "2027-01-05"


def test_a_bad_notice_row_is_refused_with_its_row(duban, tmp_path) -> None:
    notice = tmp_path / "notice.csv"
    notice.write_text("日期,类型\n2027-01-01,休息\n2027-13-01,休息\n", "utf-8")
    result = duban("calendar", "import", str(notice), code=1)
    assert "第3行" in result.output


def test_bad_period_is_explained(duban) -> None:
    result = duban("due", "2026-13", code=2)
    assert "2026-H1" in result.output


def test_import_list_and_due(duban) -> None:
    assert (
        "新增 34 项"
        in duban("import-tasks", str(SAMPLES / "tasks-2026.xlsx"), "--year", "2026").stdout
    )
    duban("import-people", str(SAMPLES / "people-2026.xlsx"))
    again = duban("import-tasks", str(SAMPLES / "tasks-2026.xlsx"), "--year", "2026").stdout
    assert "新增 0 项" in again and "未变 34 项" in again

    tasks = json.loads(duban("tasks", "--year", "2026", "--json").stdout)
    assert len(tasks) == 34
    [meeting] = [t for t in tasks if t["number"] == 9 and t["item_no"] == 2]
    assert meeting["departments"] == ["宣传部"] and meeting["level"] == "key"
    assert meeting["deadline"] == "2026-06" and meeting["leader"] == "张晓峰"
    assert meeting["item"].startswith("召开学校思想政治工作会议")

    due = json.loads(duban("due", "2026-06", "--json").stdout)
    [owed] = [d for d in due["due"] if d["task_id"] == meeting["id"]]
    assert owed["kind"] == "summary" and owed["department"] == "宣传部"
    assert json.loads(duban("reports", "--json").stdout) == []


def test_broken_table_is_refused_whole_with_row_numbers(duban) -> None:
    result = duban("import-tasks", str(SAMPLES / "tasks-broken.xlsx"), "--year", "2026", code=1)
    for row in ("第14行", "第27行", "第45行"):
        assert row in result.output
    assert json.loads(duban("tasks", "--json").stdout) == []


def test_serve_refuses_to_start_without_wecom_settings(duban) -> None:
    result = duban("serve", code=2)
    assert "WECOM_CORP_ID" in result.output
