"""The conversations: one module each, composed here in order, and the entry that runs them."""

from __future__ import annotations

import logging
from functools import lru_cache

from sqlmodel import Session

from bot.calendar import WorkCalendar
from bot.config import Settings
from bot.handlers.context import Context
from bot.handlers.router import Router
from bot.storage.people import find_member
from bot.storage.state import StateStore
from bot.wecom.events import EventKind, Inbound

logger = logging.getLogger(__name__)


@lru_cache
def build_router() -> Router:
    """Every conversation's router, in the order they are asked."""
    from bot.handlers import approval, basics, feedback, help, notices, offices, report, tasks

    root = Router("root")
    for module in (basics, help, tasks, report, feedback, approval, offices, notices):
        root.include(module.router)
    return root


def handle(
    session: Session,
    event: Inbound,
    *,
    store: StateStore,
    calendar: WorkCalendar,
    settings: Settings,
) -> None:
    """Handle one verified event inside the caller's transaction and the user's lock."""
    member = find_member(session, event.userid)
    ctx = Context(session, event, member, store, calendar, settings)
    if member is None:
        if event.kind in (EventKind.TEXT, EventKind.ENTER_AGENT):
            ctx.reply_phrase("chat.stranger")
        logger.info("event from an unknown user ignored")
        return
    if not build_router().dispatch(ctx) and event.kind is EventKind.TEXT:
        ctx.reply_phrase("chat.not_understood", text=ctx.text)
