"""The demo's page and its small JSON API: pick a person, chat, click cards, move the clock."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from fastapi import FastAPI, HTTPException
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field
from sqlmodel import Session

from bot.clock import clock, local_moment, to_local
from bot.demo.world import DemoWorld, window_status
from bot.periods import Period
from bot.sandbox.state import Card, SentMessage
from bot.storage.calendar_days import load_calendar
from bot.words import render

VISIBLE_HOUR = 10  # after the 09:30 sweep, so a moved clock shows that morning's reminders


class Said(BaseModel):
    userid: str
    text: str = Field(min_length=1, max_length=2000)


class Clicked(BaseModel):
    userid: str
    task_id: str
    key: str


class ClockMove(BaseModel):
    mode: str  # next, window_day, date
    value: str | None = None


def create_demo_app(world: DemoWorld) -> FastAPI:
    app = FastAPI(title="duban demo", docs_url=None, redoc_url=None)

    @app.get("/", response_class=HTMLResponse)
    def page() -> str:
        return render("demo/index.html")

    @app.get("/api/people")
    def people() -> list[dict[str, Any]]:
        return world.people()

    @app.get("/api/conversation")
    def conversation(userid: str) -> dict[str, Any]:
        return {
            "messages": _conversation(world, userid),
            "counts": _bot_message_counts(world),
            "clock": _clock(world),
        }

    @app.post("/api/say")
    def say(said: Said) -> dict[str, Any]:
        return {"status": world.say(said.userid, said.text.strip())}

    @app.post("/api/click")
    def click(clicked: Clicked) -> dict[str, Any]:
        try:
            status = world.click(clicked.userid, clicked.task_id, clicked.key)
        except (LookupError, ValueError) as error:
            raise HTTPException(409, str(error)) from None
        return {"status": status}

    @app.post("/api/clock")
    def move(move: ClockMove) -> dict[str, Any]:
        target = _target(world, move)
        if target is None:
            raise HTTPException(400, "bad clock move")
        world.move_clock(target)
        return _clock(world)

    return app


def _clock(world: DemoWorld) -> dict[str, Any]:
    now = to_local(clock.now())
    with Session(world.engine) as session:
        calendar = load_calendar(session)
    return {"now": now.isoformat(timespec="minutes")} | window_status(now.date(), calendar)


def _target(world: DemoWorld, move: ClockMove) -> datetime | None:
    with Session(world.engine) as session:
        calendar = load_calendar(session)
    today = to_local(clock.now()).date()
    if move.mode == "next":
        day = calendar.working_days_from(today + timedelta(days=1), 1)[0]
        return local_moment(day, VISIBLE_HOUR)
    if move.mode == "window_day" and move.value and move.value.isdigit():
        return _window_day(calendar, today, int(move.value))
    if move.mode == "date" and move.value:
        try:
            return local_moment(date.fromisoformat(move.value), VISIBLE_HOUR)
        except ValueError:
            return None
    return None


def _window_day(calendar: Any, today: date, number: int) -> datetime | None:
    """Working day `number` (1-6; 6 is the day after the window) of the window now due."""
    if not 1 <= number <= 6:
        return None
    period = Period.month_of(today).previous()
    window = period.window(calendar)
    after = calendar.working_days_from(window.opens, 6)
    if today > after[-1]:
        after = calendar.working_days_from(Period.month_of(today).window(calendar).opens, 6)
    return local_moment(after[number - 1], VISIBLE_HOUR)


def _conversation(world: DemoWorld, userid: str) -> list[dict[str, Any]]:
    times = world.business_times(userid)
    cards = {card.task_id: card for card in world.sandbox.cards_to(userid)}
    items: list[tuple[float, dict[str, Any]]] = []
    for message in world.sandbox.messages_to(userid):
        at = times.get(message.msgid)
        items.append((message.sent_at, _bot_message(message, cards, at)))
    with world.lock:
        typed = [t for t in world.typed if t.userid.lower() == userid.lower()]
    for entry in typed:
        items.append(
            (
                entry.sent_at,
                {
                    "from": "me",
                    "kind": "text",
                    "text": entry.text,
                    "at": _label_time(entry.business_time),
                },
            )
        )
    return [item for _, item in sorted(items, key=lambda pair: pair[0])]


def _bot_message(
    message: SentMessage, cards: dict[str, Card], at: datetime | None
) -> dict[str, Any]:
    base = {"from": "bot", "at": _label_time(at), "id": message.msgid}
    if message.msgtype == "template_card":
        task_id = message.payload.get("template_card", {}).get("task_id", "")
        card = cards.get(task_id)
        return base | {"kind": "card", "card": _card(card, message)}
    return base | {"kind": message.msgtype, "text": message.content or ""}


def _card(card: Card | None, message: SentMessage) -> dict[str, Any]:
    body = card.template_card if card else message.payload.get("template_card", {})
    return {
        "task_id": body.get("task_id"),
        "title": body.get("main_title", {}).get("title", ""),
        "desc": body.get("main_title", {}).get("desc", ""),
        "sub_title": body.get("sub_title_text", ""),
        "fields": body.get("horizontal_content_list", []),
        "buttons": body.get("button_list", []),
        "done": card.replace_name if card else None,
        "clickable": bool(card and card.clickable),
    }


def _label_time(moment: datetime | None) -> str | None:
    return to_local(moment).strftime("%m-%d %H:%M") if moment else None


def _bot_message_counts(world: DemoWorld) -> dict[str, int]:
    counts: dict[str, int] = {}
    for message in world.sandbox.messages():
        key = message.userid.lower()
        counts[key] = counts.get(key, 0) + 1
    return counts
