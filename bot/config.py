"""One typed settings object, read from the environment and `.env`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_API_BASE = "https://qyapi.weixin.qq.com/cgi-bin/"
PLACEHOLDERS = {"", "changeme", "change-me", "placeholder", "your-secret"}


class Settings(BaseSettings):
    """Everything configurable; `.env.example` documents each field."""

    # Empty values in .env (as .env.example leaves them) mean "use the default".
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True
    )

    environment: Literal["development", "production"] = "development"
    data_dir: Path = Path("data")
    database_url: str | None = None
    redis_url: str | None = None
    redis_prefix: str = "duban"

    wecom_corp_id: str = ""
    wecom_agent_id: int = 0
    wecom_secret: str = ""
    wecom_token: str = ""
    wecom_aes_key: str = ""
    wecom_api_base: str = DEFAULT_API_BASE
    wecom_timeout_seconds: float = 5.0

    timezone: str = "Asia/Shanghai"
    report_max_chars: int = 300
    callback_max_bytes: int = 64 * 1024
    wecom_per_member_per_minute: int = 30
    # Who may approve for a leader, set by the offices: `leaderid:delegateid,leaderid2:other`.
    leader_delegates: str = ""

    # Reminders and escalation (R12, R14, R15, B02, B05). Hours are Asia/Shanghai wall-clock
    # hours; working days are numbered within the window after the report period (1-5).
    remind_hour: int = 9  # a sweep before this hour sends nothing for today yet
    quiet_start: int = 21  # no reminder leaves from this hour ...
    quiet_end: int = 8  # ... until this one
    reminder_hours: tuple[int, ...] = (9, 15)  # when the scheduler sweeps
    reminder_misfire_grace_seconds: int = 3600
    reminder_month_end_days: int = 2  # liaisons: the last N working days of the report month
    reminder_liaison_days: tuple[int, ...] = (1, 2, 3)
    reminder_head_days: tuple[int, ...] = (2, 3)
    reminder_leader_days: tuple[int, ...] = (1, 2, 3, 4, 5)
    reminder_office_late_day: int = 4  # the offices hear of reports not complete by day 3

    @model_validator(mode="after")
    def _refuse_placeholders_in_production(self) -> Settings:
        if self.environment != "production":
            return self
        for name in ("wecom_corp_id", "wecom_secret", "wecom_token", "wecom_aes_key"):
            if getattr(self, name).strip().lower() in PLACEHOLDERS:
                raise ValueError(f"{name.upper()} must be set to a real value in production")
        return self

    def missing_wecom_settings(self) -> list[str]:
        """The WeCom settings a real service cannot run without, by variable name."""
        names = ("wecom_corp_id", "wecom_agent_id", "wecom_secret", "wecom_token", "wecom_aes_key")
        return [name.upper() for name in names if not getattr(self, name)]

    @property
    def effective_database_url(self) -> str:
        """The configured URL, or a SQLite file under the data folder."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'duban.db').as_posix()}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
