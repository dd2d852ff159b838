"""帮助 and the greeting on opening the app: what the bot does for this member, by role."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from bot.clock import as_utc, clock, local_moment
from bot.handlers.context import Context
from bot.handlers.owed import member_of
from bot.handlers.router import Router
from bot.storage.messaging import OutboxMessage
from bot.storage.models import Role
from bot.storage.people import department_names
from bot.wecom.events import EventKind
from bot.words import render

router = Router("help")

GREETING = "greeting"


@router.command("帮助", "菜单", "?", "？")
def show_help(ctx: Context) -> bool:
    ctx.reply_template("chat/help.txt.j2", **_roles(ctx))
    return True


@router.on(EventKind.ENTER_AGENT)
def greet(ctx: Context) -> bool:
    """WeCom reports every opening of the app: greet once a day, and never mid-conversation."""
    if ctx.state is not None or _greeted_today(ctx):
        return True
    ctx.send(ctx.userid, render("chat/greeting.txt.j2", **_roles(ctx)), purpose=GREETING)
    return True


def _roles(ctx: Context) -> dict[str, Any]:
    from bot.handlers import build_router  # help lists only the commands that exist

    member = member_of(ctx)
    liaison, head = member.departments(Role.LIAISON), member.departments(Role.HEAD)
    names = department_names(ctx.session, liaison + head)
    offices = [
        role.value for role in (Role.PARTY_OFFICE, Role.PRESIDENT_OFFICE) if member.has(role)
    ]
    return {
        "name": member.person.name,
        "liaison_of": [names[dept_id] for dept_id in liaison],
        "head_of": [names[dept_id] for dept_id in head],
        "leader": member.has(Role.LEADER),
        "offices": offices,
        "commands": set(build_router().commands),
    }


def _greeted_today(ctx: Context) -> bool:
    # Stored times are UTC (SQLite keeps no offset), so compare with midnight in UTC.
    since = as_utc(local_moment(clock.today(), 0))
    query = select(OutboxMessage.id).where(
        OutboxMessage.recipient == ctx.userid,
        OutboxMessage.purpose == GREETING,
        col(OutboxMessage.created_at) >= since,
    )
    return ctx.session.exec(query).first() is not None
