"""Placeholder-free minimum: 取消 always gets the user out of any conversation."""

from __future__ import annotations

from bot.handlers.context import Context
from bot.handlers.router import Router

router = Router("basics")


@router.command("取消", "退出")
def cancel(ctx: Context) -> bool:
    had_state = ctx.state is not None
    ctx.set_state(None)
    ctx.reply_phrase("chat.cancelled" if had_state else "chat.nothing_to_cancel")
    return True
