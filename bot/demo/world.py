"""Everything the demo runs, wired like production: sandbox WeCom, the bot, the sample data.

Every message goes the real way: the page asks the sandbox client to send a signed and
encrypted callback, the bot handles it and writes its answer to the outbox, the sender
delivers it to the sandbox's API, and the page reads what the sandbox received.
"""

from __future__ import annotations

import base64
import logging
import os
import shutil
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from bot.app import create_app
from bot.clock import clock, local_moment, to_local
from bot.config import Settings
from bot.importing import import_people, import_tasks
from bot.periods import Period
from bot.runtime import Runtime
from bot.sandbox.server import BackgroundServer, SandboxServer
from bot.sandbox.state import SandboxState
from bot.sandbox.users import WeComUsers
from bot.storage.calendar_days import load_calendar
from bot.storage.messaging import OutboxMessage
from bot.storage.models import Department, Person, RoleAssignment

logger = logging.getLogger(__name__)

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
SWEEP_HOUR, SWEEP_MINUTE = 9, 30
CLOCK_FILE = "clock.txt"


def default_start(today: date) -> datetime:
    """The afternoon of the last day of the month before `today`'s: reports are due now."""
    last_day = today.replace(day=1) - timedelta(days=1)
    return local_moment(last_day, 16)


@dataclass
class Typed:
    """A message a demo user typed (the sandbox records only what the bot sends)."""

    userid: str
    text: str
    sent_at: float
    business_time: datetime


@dataclass
class DemoWorld:
    folder: Path
    sandbox: SandboxState
    runtime: Runtime
    users: WeComUsers
    servers: list[BackgroundServer]
    typed: list[Typed] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def engine(self) -> Any:
        return self.runtime.engine

    # -- talking -----------------------------------------------------------------------

    def say(self, userid: str, text: str) -> int:
        with self.lock:
            self.typed.append(Typed(userid, text, time.time(), clock.now()))
        return self.users.send_text(userid, text).status_code

    def click(self, userid: str, task_id: str, key: str) -> int:
        with self.lock:
            label = self._button_label(userid, task_id, key)
            self.typed.append(Typed(userid, f"【点击】{label}", time.time(), clock.now()))
        return self.users.click_card(userid, task_id, key).status_code

    def _button_label(self, userid: str, task_id: str, key: str) -> str:
        card = self.sandbox.card(userid, task_id)
        buttons = card.template_card.get("button_list", []) if card else []
        return next((b.get("text", key) for b in buttons if b.get("key") == key), key)

    # -- the clock ---------------------------------------------------------------------

    def move_clock(self, target: datetime) -> int:
        """Move the business clock forward to `target`, sweeping each morning passed."""
        if target <= clock.now():
            return 0
        sweeps = 0
        day = to_local(clock.now()).date()
        for morning in _mornings_between(clock.now(), target):
            clock.set(morning)
            sweeps += self.sweep()
            day = morning.date()
        clock.set(target)
        _save_clock(self.folder, target)
        if to_local(target).date() != day or sweeps == 0:
            sweeps += self.sweep()
        return sweeps

    def sweep(self) -> int:
        """Run the reminder sweep as of the business clock and deliver what it wrote."""
        from bot.reminders.sweep import sweep

        with Session(self.engine) as session:
            result = sweep(
                session,
                at=clock.now(),
                calendar=load_calendar(session),
                settings=self.runtime.settings,
            )
            session.commit()
        self.runtime.sender.wake()
        return len(result.sent)

    # -- reading -----------------------------------------------------------------------

    def business_times(self, userid: str) -> dict[str, datetime]:
        """When (on the business clock) each delivered message was written, by WeCom msgid."""
        with Session(self.engine) as session:
            rows = session.exec(
                select(OutboxMessage.msgid, OutboxMessage.created_at).where(
                    col(OutboxMessage.recipient) == userid, col(OutboxMessage.msgid).is_not(None)
                )
            ).all()
        return {msgid: created for msgid, created in rows if msgid}

    def people(self) -> list[dict[str, Any]]:
        with Session(self.engine) as session:
            people = session.exec(select(Person).order_by(col(Person.id))).all()
            roles = session.exec(select(RoleAssignment)).all()
            names = {d.id: d.name for d in session.exec(select(Department)).all()}
        held: dict[int, list[RoleAssignment]] = {}
        for role in roles:
            held.setdefault(role.person_id, []).append(role)
        return [
            {
                "userid": p.userid,
                "name": p.name,
                "roles": [
                    {"role": str(r.role), "department": names.get(r.department_id or 0)}
                    for r in held.get(p.id or 0, [])
                ],
            }
            for p in people
        ]

    def stop(self) -> None:
        self.users.close()
        for server in reversed(self.servers):
            server.stop()
        self.runtime.stop()


def _mornings_between(start: datetime, end: datetime) -> list[datetime]:
    """The sweep moments (09:30 Shanghai) after `start` up to and including `end`."""
    found: list[datetime] = []
    day = to_local(start).date()
    while True:
        moment = local_moment(day, SWEEP_HOUR, SWEEP_MINUTE)
        if moment > end:
            return found
        if moment > start:
            found.append(moment)
        day += timedelta(days=1)


def window_status(today: date, calendar: Any) -> dict[str, Any]:
    """Where `today` stands in the reporting cycle, for the page's clock panel."""
    period = Period.month_of(today).previous()
    window = period.window(calendar)
    month_end = calendar.last_working_days(today.year, today.month, 2)
    return {
        "date": today.isoformat(),
        "weekday": today.weekday(),
        "working_day": calendar.is_working_day(today),
        "period": str(period),
        "window_day": window.day_number(today),
        "window": window.as_dict(),
        "month_end_day": (month_end.index(today) + 1) if today in month_end else None,
        "current_month": str(Period.month_of(today)),
        "after_window": today > window.late_until,
    }


def build_world(folder: Path, *, keep: bool, start: datetime) -> DemoWorld:
    """A fresh (or kept) demo in `folder`, running, with the clock set to `start`."""
    fresh = not keep or not (folder / "duban.db").exists()
    if fresh and folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    sandbox = SandboxState(corp_id="wwdemo0000000001", agent_id=1000002, secret="demo-secret")
    sandbox_server = SandboxServer(sandbox)
    api_base = sandbox_server.start()
    aes_key = base64.b64encode(os.urandom(32)).decode().rstrip("=")
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=folder,
        database_url=f"sqlite:///{(folder / 'duban.db').as_posix()}",
        wecom_corp_id=sandbox.corp_id,
        wecom_agent_id=sandbox.agent_id,
        wecom_secret=sandbox.secret,
        wecom_token="DemoCallbackToken",
        wecom_aes_key=aes_key,
        wecom_api_base=api_base,
    )
    # The demo's clock is moved by hand; each move runs the sweep (DemoWorld.move_clock).
    runtime = Runtime.from_settings(settings, with_scheduler=False)
    if fresh:
        _load_samples(runtime)
        clock.set(start)
        _save_clock(folder, start)
    else:
        clock.set(_saved_clock(folder) or start)
    _register_members(runtime, sandbox)
    runtime.start()
    bot_server = BackgroundServer(create_app(runtime, start=False))
    callback = bot_server.start().rstrip("/") + "/wecom/callback"
    users = WeComUsers(
        callback, settings.wecom_token, aes_key, sandbox.corp_id, sandbox.agent_id, sandbox
    )
    return DemoWorld(folder, sandbox, runtime, users, [sandbox_server, bot_server])


def _load_samples(runtime: Runtime) -> None:
    with Session(runtime.engine) as session:
        import_tasks(session, SAMPLES / "tasks-2026.xlsx", year=2026)
        import_people(session, SAMPLES / "people-2026.xlsx")
        session.commit()


def _save_clock(folder: Path, moment: datetime) -> None:
    (folder / CLOCK_FILE).write_text(moment.isoformat(), encoding="utf-8")


def _saved_clock(folder: Path) -> datetime | None:
    """Where a kept demo's clock stood when it was stopped."""
    path = folder / CLOCK_FILE
    if not path.exists():
        return None
    try:
        return datetime.fromisoformat(path.read_text(encoding="utf-8").strip())
    except ValueError:
        return None


def _register_members(runtime: Runtime, sandbox: SandboxState) -> None:
    """The sample people become members of the sandbox corp, in their departments."""
    with Session(runtime.engine) as session:
        departments = session.exec(select(Department)).all()
        people = session.exec(select(Person)).all()
    sandbox.add_department(1, "示范大学")
    for department in departments:
        sandbox.add_department((department.id or 0) + 1, department.name, 1)
    for person in people:
        dept = (person.department_id or 0) + 1 if person.department_id else 1
        sandbox.add_user(person.userid, person.name, [dept])
