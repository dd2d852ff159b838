"""The demo's world without a browser: fresh and kept starts, and the clock that runs sweeps."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, func, select

from bot.clock import clock, local_moment, to_local
from bot.demo.world import build_world, default_start
from bot.storage.models import Task
from bot.storage.workflow import Dispatch


def test_default_start_is_the_end_of_the_previous_month() -> None:
    assert default_start(date(2026, 12, 3)) == local_moment(date(2026, 11, 30), 16)
    assert default_start(date(2027, 1, 15)) == local_moment(date(2026, 12, 31), 16)


def test_a_kept_demo_resumes_its_data_and_its_clock(tmp_path) -> None:
    folder = tmp_path / "demo"
    world = build_world(folder, keep=False, start=local_moment(date(2026, 11, 30), 16))
    try:
        world.move_clock(local_moment(date(2026, 12, 2), 10))  # working day 2 of 2026-11
        with Session(world.engine) as session:
            tasks = session.exec(select(func.count()).select_from(Task)).one()
            sent = session.exec(select(func.count()).select_from(Dispatch)).one()
    finally:
        world.stop()
    assert tasks == 34
    assert sent > 0  # the mornings passed were swept: reminders went out

    kept = build_world(folder, keep=True, start=local_moment(date(2026, 11, 30), 16))
    try:
        assert to_local(clock.now()) == local_moment(date(2026, 12, 2), 10)
        with Session(kept.engine) as session:
            assert session.exec(select(func.count()).select_from(Dispatch)).one() == sent
    finally:
        kept.stop()

    fresh = build_world(folder, keep=False, start=local_moment(date(2026, 11, 30), 16))
    try:
        with Session(fresh.engine) as session:
            assert session.exec(select(func.count()).select_from(Dispatch)).one() == 0
    finally:
        fresh.stop()
