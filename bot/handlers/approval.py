"""The leader's review in chat (R13, B04): a tap on the card, or the text commands that work
whatever became of the card: 待审, 通过 N, 退回 N 意见, 全部通过 [周期].

Only the report's supervising leader, or a delegate the offices configured, may decide it;
a click or a command from anyone else changes nothing.
"""

from __future__ import annotations

import logging
import re

from bot.approval.cards import APPROVE, RETURN, ButtonKey
from bot.approval.decisions import approve_report, return_report
from bot.approval.delegates import Delegates, configured_delegates
from bot.approval.items import ReviewItem, find_item, load_item, pending_items
from bot.approval.review import ACTED, OPEN, SUPERSEDED, card_by_task_id, close_card
from bot.handlers.answers import command_number, is_command, normalized
from bot.handlers.context import Context
from bot.handlers.message_size import reply_long
from bot.handlers.owed import member_of
from bot.handlers.router import Router, first_word
from bot.periods import Period
from bot.storage.models import Report, ReportStatus, Role
from bot.storage.workflow import ApprovalCard
from bot.wecom.events import EventKind
from bot.words import render

logger = logging.getLogger(__name__)

router = Router("approval")

COMMENT = "approval:comment"
BULK = "approval:bulk"

_RETURN = re.compile(r"^退回\s*(\d{1,9})[\s:：,，.、。]*(.*)$", re.DOTALL)
_GLUED = re.compile(r"^(通过|退回)\s*\d")
_CHINESE_PERIOD = re.compile(r"^(\d{4})年(?:(\d{1,2})月|(上|下)半年)$")


# -- the card ------------------------------------------------------------------------------


@router.on(EventKind.CARD_CLICK)
def card_clicked(ctx: Context) -> bool:
    card = card_by_task_id(ctx.session, ctx.event.task_id)
    if card is None:
        return False
    key = ButtonKey.parse(ctx.event.event_key)
    allowed = _delegates(ctx).may_act_for(ctx.userid, card.leader_userid)
    if key is None or key.report_id != card.report_id or not allowed:
        logger.warning("card %s: click by %s refused, not its reviewer", card.id, ctx.userid)
        return True
    report = ctx.session.get(Report, card.report_id, with_for_update=True)
    ctx.session.refresh(card)  # as the holder of the report's lock left it

    if report is None or card.status != OPEN or report.status != ReportStatus.SUBMITTED:
        _stale_click(ctx, card, report)
    elif key.action == APPROVE:
        _approve_by_card(ctx, card, load_item(ctx.session, report))
    else:
        _ask_comment(ctx, load_item(ctx.session, report), card=card)
    return True


def _approve_by_card(ctx: Context, card: ApprovalCard, item: ReviewItem) -> None:
    close_card(ctx.session, card, status=ACTED, outcome=APPROVE, response_code=_code(ctx))
    _forget_pending_return(ctx, item.report_id)
    _approve(ctx, item, via="card")


def _stale_click(ctx: Context, card: ApprovalCard, report: Report | None) -> None:
    """A click on a card whose report is no longer waiting: nothing is decided again.

    The card evidently still shows its buttons, so the click's fresh code is kept for greying
    them out.
    """
    superseded = card.status == SUPERSEDED
    if card.status == OPEN:
        close_card(ctx.session, card, status=SUPERSEDED, outcome=None, response_code=_code(ctx))
    else:
        card.response_code = _code(ctx) or card.response_code
        ctx.session.add(card)

    status = report.status if report is not None else None
    ctx.reply_phrase("approval.card_stale", status=status, superseded=superseded)


def _code(ctx: Context) -> str | None:
    return ctx.event.response_code or None


# -- 待审 ------------------------------------------------------------------------------------


@router.command("待审", "待审阅")
def list_pending(ctx: Context) -> bool:
    if not _is_reviewer(ctx):
        ctx.reply_phrase("approval.not_a_reviewer")
        return True
    items = pending_items(ctx.session, ctx.userid, _delegates(ctx))

    if not items:
        ctx.reply_phrase("approval.nothing_pending")
        return True
    reply_long(ctx, render("approval/pending.txt.j2", items=items, me=ctx.userid))
    return True


# -- 通过 N ----------------------------------------------------------------------------------


@router.command("通过")
def approve_command(ctx: Context) -> bool:
    report_id = command_number(ctx.text, "通过")
    if report_id is None:
        ctx.reply_phrase("approval.usage_approve")
        return True
    item = _reviewable(ctx, report_id)
    if item is not None:
        _forget_pending_return(ctx, report_id)
        _approve(ctx, item, via="text")
    return True


def _approve(ctx: Context, item: ReviewItem, *, via: str) -> None:
    report = approve_report(ctx.session, item, actor=ctx.userid, calendar=ctx.calendar, via=via)
    ctx.reply_phrase("approval.approved", item=item, report=report)
    logger.info("report %s approved by %s via %s", item.report_id, ctx.userid, via)


# -- 退回 N 意见 ------------------------------------------------------------------------------


@router.command("退回")
def return_command(ctx: Context) -> bool:
    match = _RETURN.match(normalized(ctx.text))
    if match is None:
        ctx.reply_phrase("approval.usage_return")
        return True
    item = _reviewable(ctx, int(match.group(1)))
    if item is None:
        return True

    comment = match.group(2).strip()
    if comment:
        _return(ctx, item, comment, via="text")
    else:
        _ask_comment(ctx, item, card=None)
    return True


def _ask_comment(ctx: Context, item: ReviewItem, *, card: ApprovalCard | None) -> None:
    """Wait for the comment before returning: the report stays submitted until it comes.

    A clicked card stays open meanwhile, with the click's code kept for greying it out, so
    that a leader who gives up can still tap 通过 on it.
    """
    if card is not None:
        card.outcome = RETURN
        card.response_code = _code(ctx) or card.response_code
        ctx.session.add(card)
    ctx.set_state(COMMENT)
    ctx.update_data(approval_report=item.report_id, approval_via="card" if card else "text")
    ctx.reply_phrase("approval.ask_comment", item=item)


@router.state(COMMENT)
def take_comment(ctx: Context) -> bool:
    if _is_another_command(ctx.text):
        _leave(ctx)
        return False
    if not ctx.text:
        ctx.reply_phrase("approval.empty_comment")
        return True
    report_id = int(ctx.data.get("approval_report") or 0)
    via = str(ctx.data.get("approval_via") or "text")

    _leave(ctx)
    item = _reviewable(ctx, report_id)
    if item is not None:
        _return(ctx, item, ctx.text, via=via)
    return True


def _return(ctx: Context, item: ReviewItem, comment: str, *, via: str) -> None:
    return_report(
        ctx.session, item, actor=ctx.userid, comment=comment, calendar=ctx.calendar, via=via
    )
    ctx.reply_phrase("approval.returned", item=item)
    logger.info("report %s returned by %s via %s", item.report_id, ctx.userid, via)


def _forget_pending_return(ctx: Context, report_id: int) -> None:
    """Approving a report that waits for a return comment ends that wait."""
    if ctx.state == COMMENT and ctx.data.get("approval_report") == report_id:
        _leave(ctx)


# -- 全部通过 [周期] ---------------------------------------------------------------------------


@router.command("全部通过")
def approve_all(ctx: Context) -> bool:
    if not _is_reviewer(ctx):
        ctx.reply_phrase("approval.not_a_reviewer")
        return True
    rest = normalized(ctx.text).removeprefix("全部通过").strip()
    period = _read_period(rest) if rest else None
    if rest and period is None:
        ctx.reply_phrase("approval.usage_approve_all", text=rest)
        return True

    items = pending_items(ctx.session, ctx.userid, _delegates(ctx), period=period)
    if not items:
        ctx.reply_phrase("approval.nothing_pending_in", period=period)
        return True
    ctx.set_state(BULK)
    ctx.update_data(approval_bulk=[item.report_id for item in items])
    reply_long(ctx, render("approval/bulk_confirm.txt.j2", items=items, period=period))
    return True


@router.state(BULK)
def confirm_all(ctx: Context) -> bool:
    if normalized(ctx.text) != "确认":
        if _is_another_command(ctx.text):
            _leave(ctx)
            return False
        ctx.reply_phrase("approval.expected_confirm")
        return True
    report_ids = [int(value) for value in ctx.data.get("approval_bulk") or []]
    _leave(ctx)

    approved: list[ReviewItem] = []
    for report_id in report_ids:
        item = _reviewable(ctx, report_id, quiet=True)
        if item is not None:
            approve_report(ctx.session, item, actor=ctx.userid, calendar=ctx.calendar, via="bulk")
            approved.append(item)
    logger.info("%d reports approved in bulk by %s", len(approved), ctx.userid)
    ctx.reply_phrase(
        "approval.bulk_done", approved=approved, skipped=len(report_ids) - len(approved)
    )
    return True


def _read_period(text: str) -> str | None:
    """`2026-09`, `2026-H1`, `2026年9月`, `2026年上半年` -> the period as reports store it."""
    match = _CHINESE_PERIOD.match(text)
    if match is not None:
        year, month, half = match.groups()
        text = f"{year}-{int(month):02d}" if month else f"{year}-H{1 if half == '上' else 2}"
    try:
        return str(Period.parse(text))
    except ValueError:
        return None


# -- commands typed without a space ------------------------------------------------------


@router.fallback
def command_with_glued_number(ctx: Context) -> bool:
    """`通过12`, `退回12 意见`: the router splits commands at spaces only."""
    if _GLUED.match(normalized(ctx.text)) is None:
        return False
    return bool(approve_command(ctx) if ctx.text.startswith("通过") else return_command(ctx))


# -- who may decide ------------------------------------------------------------------------


def _reviewable(ctx: Context, report_id: int, *, quiet: bool = False) -> ReviewItem | None:
    """The report, if it exists, waits for review, and the sender may review it; else None,
    after telling the sender why (unless `quiet`)."""
    item = find_item(ctx.session, report_id)
    details: dict[str, object] = {"report_id": report_id}
    if item is None:
        reason = "approval.no_such_report"
    elif not item.may_review(ctx.userid, _delegates(ctx)):
        reason = "approval.not_yours"
    elif item.report.status != ReportStatus.SUBMITTED:
        reason, details = "approval.not_waiting", {"item": item}
    else:
        return item
    if not quiet:
        ctx.reply_phrase(reason, **details)
    return None


def _is_reviewer(ctx: Context) -> bool:
    return member_of(ctx).has(Role.LEADER) or bool(_delegates(ctx).leaders_of(ctx.userid))


def _delegates(ctx: Context) -> Delegates:
    return configured_delegates(ctx.settings.leader_delegates)


def _is_another_command(text: str) -> bool:
    """A command typed in the middle of a step leaves the step (and is then run)."""
    from bot.handlers import build_router  # the composed router knows every command word

    return first_word(text) in build_router().commands or is_command(text)


def _leave(ctx: Context) -> None:
    ctx.set_state(None)
    ctx.update_data(approval_report=None, approval_via=None, approval_bulk=None)
