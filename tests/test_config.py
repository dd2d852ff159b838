"""Settings: `.env.example` documents every one and loads as it is; production refuses blanks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.config import Settings

EXAMPLE = Path(__file__).resolve().parents[1] / ".env.example"


def test_env_example_names_every_setting() -> None:
    named = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", EXAMPLE.read_text(), re.MULTILINE))
    assert {name.upper() for name in Settings.model_fields} <= named


def test_env_example_loads_as_it_is(monkeypatch, tmp_path) -> None:
    (tmp_path / ".env").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    settings = Settings()
    assert settings.database_url is None
    assert settings.reminder_hours == (9, 15)
    assert settings.effective_database_url == "sqlite:///data/duban.db"


def test_production_refuses_to_start_without_real_secrets() -> None:
    with pytest.raises(ValidationError, match="WECOM_SECRET"):
        Settings(
            _env_file=None,  # type: ignore[call-arg]
            environment="production",
            wecom_corp_id="ww123",
            wecom_secret="changeme",
            wecom_token="t",
            wecom_aes_key="k",
        )
