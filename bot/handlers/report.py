"""The liaison's report in chat (R06-R11, R20, R21): pick what is owed, answer step by step,
check the preview and submit it for the supervising leader's review; 撤回 takes a submitted
report back and 修改 re-opens it, both only until the leader acts.

Every answer is saved at once in the report's row, still a draft, so a conversation dropped
at any step (取消, or a state store that forgot the user) resumes from the database.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from typing import Any

from sqlmodel import Session, col, select

from bot.approval.review import request_review, supersede_open_cards
from bot.clock import clock
from bot.handlers.answers import (
    command_number,
    glued_command,
    is_command,
    read_choice,
    read_number,
)
from bot.handlers.context import Context
from bot.handlers.message_size import reply_long
from bot.handlers.owed import Owed, liaison_owed, member_of
from bot.handlers.report_draft import (
    ASSESSMENTS,
    Step,
    char_count,
    clear_fields,
    editable_steps,
    first_step,
    has_content,
    next_step,
)
from bot.handlers.reporting_season import next_seasons, open_periods
from bot.handlers.router import Router
from bot.periods import Period
from bot.storage import reports
from bot.storage.models import Report, ReportKind, ReportStatus, Role, SelfAssessment
from bot.storage.people import department_names, holders
from bot.storage.tasks import TaskView, list_tasks
from bot.words import render, say

logger = logging.getLogger(__name__)

router = Router("report")

PICK = "report:pick"
RESUME = "report:resume"
TOO_LONG = "report:too_long"
EDIT = "report:edit"
WITHDRAW = "report:withdraw"
REVISE = "report:revise"

REVISABLE = (
    ReportStatus.DRAFT,
    ReportStatus.SUBMITTED,
    ReportStatus.RETURNED,
    ReportStatus.WITHDRAWN,
)


@dataclass(frozen=True)
class Target:
    """The report a conversation is about, as the conversation data keeps it."""

    number: int  # its line in the liaison's list, which 修改 N and 撤回 N refer to
    task_id: int
    department_id: int
    department: str
    period: str
    kind: str
    overdue: bool  # R09: past the deadline, so the progress report gives reasons

    @classmethod
    def of(cls, number: int, entry: Owed) -> Target:
        item = entry.item
        return cls(
            number=number,
            task_id=item.task_id,
            department_id=item.department_id,
            department=item.department,
            period=str(entry.period),
            kind=item.kind.value,
            overdue=item.needs_reasons,
        )


@dataclass(frozen=True)
class Draft:
    """A report being written: what it is about, and its row (status still open)."""

    target: Target
    report: Report


# -- the list: 汇报 [N] ----------------------------------------------------------------------


@router.command("汇报")
def start(ctx: Context) -> bool:
    entries = _owed_now(ctx)
    if entries is None:
        return True

    _remember(ctx, entries)
    ctx.set_state(PICK)
    number = command_number(ctx.text, "汇报")
    if number is not None and 1 <= number <= len(entries):
        return _open(ctx, Target.of(number, entries[number - 1]))

    note = None
    if number is not None:
        note = say("chat.report.no_such_number", number=number, count=len(entries))
    _show_list(ctx, entries, list(enumerate(entries, start=1)), purpose="report", note=note)
    return True


@router.state(PICK)
def pick(ctx: Context) -> bool:
    if is_command(ctx.text):
        return False
    target = _picked(ctx)
    return target is None or _open(ctx, target)


def _open(ctx: Context, target: Target) -> bool:
    """Show the task and ask the first question, or offer the draft already there."""
    if not _may_report(ctx, target):
        return True
    report = _existing(ctx.session, target)
    status = report.status if report is not None else None

    if status == ReportStatus.SUBMITTED:
        leader = _view(ctx.session, target).task.leader_name
        ctx.reply_phrase("chat.report.already_submitted", number=target.number, leader=leader)
        return True
    if status == ReportStatus.APPROVED:
        ctx.reply_phrase("chat.report.already_approved")
        return True

    ctx.update_data(target=asdict(target))
    _show_task(ctx, target, report)
    if report is not None and has_content(report):
        ctx.set_state(RESUME)
        reply_long(ctx, render("chat/report_resume.txt.j2", **_fields(ctx, target, report)))
        return True
    _ask_field(ctx, first_step(target.kind), target, report)
    return True


@router.state(RESUME)
def resume(ctx: Context) -> bool:
    if is_command(ctx.text):
        return False
    draft = _writable(ctx)
    if draft is None:
        return True
    choice = read_choice(ctx.text, 2)

    if choice is None:
        ctx.reply_phrase("chat.report.expected_resume", status=draft.report.status)
    elif choice == 1:
        _advance(ctx, draft)
    else:
        clear_fields(draft.report)
        _save(ctx, draft, "reset")
        _ask_field(ctx, first_step(draft.target.kind), draft.target, draft.report)
    return True


# -- the answers ---------------------------------------------------------------------------


@router.state(Step.ASSESSMENT)
def take_assessment(ctx: Context) -> bool:
    if is_command(ctx.text):
        return False
    choice = read_choice(ctx.text, len(ASSESSMENTS))
    if choice is None:
        ctx.reply_phrase("chat.report.expected_assessment")
        return True
    draft = _writable(ctx)
    if draft is None:
        return True

    draft.report.self_assessment = ASSESSMENTS[choice - 1]
    if draft.report.self_assessment is SelfAssessment.ON_TIME:
        draft.report.reasons = None  # R08: only the other two give reasons
    _save(ctx, draft, "self_assessment")
    _advance(ctx, draft)
    return True


@router.state(Step.TEXT)
def take_text(ctx: Context) -> bool:
    return _take_text(ctx, "text")


@router.state(Step.REASONS)
def take_reasons(ctx: Context) -> bool:
    return _take_text(ctx, "reasons")


def _take_text(ctx: Context, field: str) -> bool:
    if is_command(ctx.text):
        return False
    if not ctx.text:
        ctx.reply_phrase("chat.report.empty_text")
        return True
    draft = _writable(ctx)
    if draft is None:
        return True

    setattr(draft.report, field, ctx.text)
    _save(ctx, draft, field)
    count, limit = char_count(ctx.text), ctx.settings.report_max_chars
    if count > limit:  # R10
        ctx.update_data(too_long=field)
        ctx.set_state(TOO_LONG)
        ctx.reply_phrase("chat.report.too_long", count=count, limit=limit)
        return True
    _advance(ctx, draft)
    return True


@router.state(TOO_LONG)
def too_long(ctx: Context) -> bool:
    if is_command(ctx.text):
        return False
    choice = read_choice(ctx.text, 2)
    if choice is None:
        ctx.reply_phrase("chat.report.expected_too_long")
        return True
    draft = _writable(ctx)
    if draft is None:
        return True

    if choice == 2:
        _advance(ctx, draft)
        return True
    step = Step.TEXT if ctx.data.get("too_long") == "text" else Step.REASONS
    _ask_field(ctx, step, draft.target, draft.report)
    return True


# -- preview, edit, submit -----------------------------------------------------------------


@router.state(Step.CONFIRM)
def confirm(ctx: Context) -> bool:
    if is_command(ctx.text):
        return False
    choice = read_choice(ctx.text, 3)
    if choice is None:
        ctx.reply_phrase("chat.report.expected_confirm")
        return True
    draft = _writable(ctx)
    if draft is None:
        return True

    if choice == 1:
        _submit(ctx, draft)
    elif choice == 2:
        _offer_edit(ctx, draft, show_fields=False)
    else:
        ctx.clear()
        ctx.reply_phrase("chat.report.kept_as_draft", number=draft.target.number)
    return True


@router.state(EDIT)
def choose_field(ctx: Context) -> bool:
    if is_command(ctx.text):
        return False
    draft = _writable(ctx)
    if draft is None:
        return True
    steps = editable_steps(draft.report, overdue=draft.target.overdue)
    choice = read_choice(ctx.text, len(steps))

    if choice is None:
        ctx.reply_phrase("chat.report.expected_edit", count=len(steps))
        return True
    _ask_field(ctx, steps[choice - 1], draft.target, draft.report)
    return True


def _offer_edit(ctx: Context, draft: Draft, *, show_fields: bool) -> None:
    """Ask which answer to change; with a single answer, ask for it straight away."""
    report, target = draft.report, draft.target
    steps = editable_steps(report, overdue=target.overdue)
    if len(steps) == 1:
        _ask_field(ctx, steps[0], target, report)
        return

    if show_fields:
        reply_long(ctx, render("chat/report_fields.txt.j2", **_fields(ctx, target, report)))
    ctx.set_state(EDIT)
    ctx.reply_phrase(
        "chat.report.ask_edit", steps=steps, kind=target.kind, assessment=report.self_assessment
    )


def _submit(ctx: Context, draft: Draft) -> None:
    report, target = draft.report, draft.target
    missing = next_step(report, overdue=target.overdue)
    if missing is not Step.CONFIRM:
        _ask_field(ctx, missing, target, report)
        return

    reports.submit(
        ctx.session,
        report,
        actor=ctx.userid,
        text=report.text,
        kind=ReportKind(target.kind),
        self_assessment=report.self_assessment,
        reasons=report.reasons,
    )
    card = request_review(ctx.session, report, calendar=ctx.calendar, settings=ctx.settings)
    ctx.clear()

    view = _view(ctx.session, target)
    ctx.reply_phrase(
        "chat.report.submitted",
        number=target.number,
        period=target.period,
        kind=target.kind,
        task=view.task,
        leader=view.task.leader_name,
        leader_registered=card is not None,
    )
    logger.info("report %s submitted in chat", report.id)


# -- 撤回 [N] and 修改 [N] --------------------------------------------------------------------


@router.command("撤回")
def withdraw_command(ctx: Context) -> bool:
    entries = _owed_now(ctx)
    if entries is None:
        return True

    _remember(ctx, entries)
    number = command_number(ctx.text, "撤回")
    if number is not None:
        target = _target_at(ctx, number)
        if target is not None:
            _withdraw(ctx, target)
        return True

    rows = [(n, e) for n, e in enumerate(entries, 1) if e.item.status == ReportStatus.SUBMITTED]
    if not rows:
        ctx.reply_phrase("chat.report.nothing_to_withdraw")
        return True
    ctx.set_state(WITHDRAW)
    _show_list(ctx, entries, rows, purpose="withdraw")
    return True


@router.state(WITHDRAW)
def withdraw_pick(ctx: Context) -> bool:
    if is_command(ctx.text):
        return False
    target = _picked(ctx)
    if target is not None:
        _withdraw(ctx, target)
    return True


def _withdraw(ctx: Context, target: Target) -> None:
    if not _may_report(ctx, target):
        return
    report = _existing(ctx.session, target)
    if report is None or report.status != ReportStatus.SUBMITTED:
        status = report.status if report is not None else None
        ctx.reply_phrase("chat.report.cannot_withdraw", status=status, number=target.number)
        return

    _take_back(ctx, report)
    ctx.clear()
    task = _view(ctx.session, target).task
    ctx.reply_phrase(
        "chat.report.withdrawn",
        number=target.number,
        period=target.period,
        kind=target.kind,
        task=task,
    )
    logger.info("report %s withdrawn in chat", report.id)


@router.command("修改")
def revise_command(ctx: Context) -> bool:
    entries = _owed_now(ctx)
    if entries is None:
        return True

    _remember(ctx, entries)
    number = command_number(ctx.text, "修改")
    if number is not None:
        target = _target_at(ctx, number)
        if target is not None:
            _revise(ctx, target)
        return True

    rows = [(n, e) for n, e in enumerate(entries, 1) if e.item.status in REVISABLE]
    if not rows:
        ctx.reply_phrase("chat.report.nothing_to_revise")
        return True
    ctx.set_state(REVISE)
    _show_list(ctx, entries, rows, purpose="revise")
    return True


@router.state(REVISE)
def revise_pick(ctx: Context) -> bool:
    if is_command(ctx.text):
        return False
    target = _picked(ctx)
    if target is not None:
        _revise(ctx, target)
    return True


def _revise(ctx: Context, target: Target) -> None:
    """Re-open a report for editing; a submitted one is withdrawn from review first."""
    if not _may_report(ctx, target):
        return
    report = _existing(ctx.session, target)
    if report is None or not has_content(report):
        _open(ctx, target)
        return
    if report.status == ReportStatus.APPROVED:
        ctx.reply_phrase("chat.report.cannot_revise")
        return

    if report.status == ReportStatus.SUBMITTED:
        _take_back(ctx, report)
        ctx.reply_phrase("chat.report.reopened")
    ctx.update_data(target=asdict(target))
    _show_task(ctx, target, report)
    _offer_edit(ctx, Draft(target, report), show_fields=True)


def _take_back(ctx: Context, report: Report) -> None:
    """Withdraw from review; the leader's card lapses, as its buttons no longer apply."""
    reports.withdraw(ctx.session, report, actor=ctx.userid)
    supersede_open_cards(ctx.session, report.id or 0)


@router.fallback
def command_with_glued_number(ctx: Context) -> bool:
    """`汇报2`: the router splits commands at spaces only, and phones often leave none."""
    word = glued_command(ctx.text, tuple(COMMANDS))
    return word is not None and bool(COMMANDS[word](ctx))


COMMANDS = {"汇报": start, "撤回": withdraw_command, "修改": revise_command}


# -- steps: asking, advancing, saving ------------------------------------------------------


def _advance(ctx: Context, draft: Draft) -> None:
    """Ask for the first answer still missing, or show the preview."""
    step = next_step(draft.report, overdue=draft.target.overdue)
    if step is Step.CONFIRM:
        _preview(ctx, draft)
    else:
        _ask_field(ctx, step, draft.target, draft.report)


def _ask_field(ctx: Context, step: Step, target: Target, report: Report | None) -> None:
    """Ask for one answer; an answer given before is shown so it can be copied and edited."""
    assessment = report.self_assessment if report is not None else None
    old = _old_answer(step, report)

    ctx.set_state(step)
    if old:
        reply_long(ctx, say("chat.report.old_value", text=old))
    if step is Step.ASSESSMENT:
        ctx.reply_phrase("chat.report.ask_assessment")
    elif step is Step.TEXT:
        limit = ctx.settings.report_max_chars
        ctx.reply_phrase(
            "chat.report.ask_text", kind=target.kind, assessment=assessment, limit=limit
        )
    else:
        view = _view(ctx.session, target)
        ctx.reply_phrase(
            "chat.report.ask_reasons", kind=target.kind, assessment=assessment, view=view
        )


def _old_answer(step: Step, report: Report | None) -> str | None:
    if report is None:
        return None
    return {Step.TEXT: report.text, Step.REASONS: report.reasons}.get(step)


def _preview(ctx: Context, draft: Draft) -> None:
    target, limit = draft.target, ctx.settings.report_max_chars
    fields = _fields(ctx, target, draft.report)

    ctx.set_state(Step.CONFIRM)
    reply_long(
        ctx,
        render(
            "chat/report_preview.txt.j2",
            view=_view(ctx.session, target),
            department=target.department,
            period=target.period,
            limit=limit,
            over_limit=max(fields["text_chars"], fields["reasons_chars"]) > limit,
            **fields,
        ),
    )


def _show_task(ctx: Context, target: Target, report: Report | None) -> None:
    reply_long(
        ctx,
        render(
            "chat/report_task.txt.j2",
            view=_view(ctx.session, target),
            department=target.department,
            period=target.period,
            kind=target.kind,
            overdue=target.overdue,
            window=Period.parse(target.period).window(ctx.calendar),
            last=_last_report(ctx.session, target),
            report=report,
        ),
    )


def _fields(ctx: Context, target: Target, report: Report) -> dict[str, Any]:
    return {
        "report": report,
        "kind": target.kind,
        "text_chars": char_count(report.text),
        "reasons_chars": char_count(report.reasons),
    }


def _writable(ctx: Context) -> Draft | None:
    """The report this conversation writes, if it may still be written; else say why not."""
    values = ctx.data.get("target")
    if not values:
        ctx.clear()
        ctx.reply_phrase("chat.report.lost")
        return None
    target = Target(**values)
    if not _may_report(ctx, target):
        return None
    report = reports.report_for(
        ctx.session,
        task_id=target.task_id,
        department_id=target.department_id,
        period=Period.parse(target.period),
        kind=ReportKind(target.kind),
    )

    if report.status not in reports.OPEN_STATUSES:
        ctx.clear()
        ctx.reply_phrase("chat.report.stale", status=report.status)
        return None
    report.kind = ReportKind(target.kind)  # what is owed now wins over an older draft's kind
    return Draft(target, report)


def _save(ctx: Context, draft: Draft, field: str) -> None:
    ctx.session.add(draft.report)
    ctx.session.flush()
    ctx.audit("report.draft", target=f"report:{draft.report.id}", field=field)


# -- reading -------------------------------------------------------------------------------


def _owed_now(ctx: Context) -> list[Owed] | None:
    """The liaison's numbered list for the open periods, or None after saying why not."""
    member = member_of(ctx)
    if not member.departments(Role.LIAISON):
        _refuse(ctx)
        return None
    today = clock.today()
    periods = open_periods(today, ctx.calendar)
    if not periods:
        ctx.reply_phrase("chat.report.no_season", seasons=next_seasons(today, ctx.calendar))
        return None
    entries = liaison_owed(ctx.session, ctx.calendar, periods, member)
    if not entries:
        ctx.reply_phrase("chat.report.nothing_owed", periods=periods)
        return None
    return entries


def _refuse(ctx: Context) -> None:
    """R12: only a department's liaison reports; a head is told who that is."""
    head_of = member_of(ctx).departments(Role.HEAD)
    names = department_names(ctx.session, head_of)
    departments = [
        (names[dept_id], [person.name for person in holders(ctx.session, Role.LIAISON, dept_id)])
        for dept_id in head_of
    ]
    ctx.reply_phrase("chat.report.only_liaison", departments=departments)


def _may_report(ctx: Context, target: Target) -> bool:
    if member_of(ctx).has(Role.LIAISON, target.department_id):
        return True
    ctx.clear()
    ctx.reply_phrase("chat.report.not_yours")
    return False


def _remember(ctx: Context, entries: list[Owed]) -> None:
    ctx.clear()
    ctx.update_data(choices=[asdict(Target.of(n, e)) for n, e in enumerate(entries, start=1)])


def _picked(ctx: Context) -> Target | None:
    """The line the user answered with, or None after saying what was expected."""
    choices = ctx.data.get("choices") or []
    if not choices:
        ctx.clear()
        ctx.reply_phrase("chat.report.lost")
        return None
    number = read_number(ctx.text)
    if number is None:
        ctx.reply_phrase("chat.expected_number", count=len(choices))
        return None
    return _target_at(ctx, number)


def _target_at(ctx: Context, number: int) -> Target | None:
    choices = ctx.data.get("choices") or []
    if not 1 <= number <= len(choices):
        ctx.reply_phrase("chat.report.no_such_number", number=number, count=len(choices))
        return None
    return Target(**choices[number - 1])


def _show_list(
    ctx: Context,
    entries: list[Owed],
    rows: list[tuple[int, Owed]],
    *,
    purpose: str,
    note: str | None = None,
) -> None:
    several = len({entry.item.department_id for entry in entries}) > 1
    text = render(
        "chat/report_list.txt.j2", rows=rows, several=several, purpose=purpose, note=note
    )
    reply_long(ctx, text)


def _existing(session: Session, target: Target) -> Report | None:
    return session.exec(
        select(Report).where(
            Report.task_id == target.task_id,
            Report.department_id == target.department_id,
            Report.period == target.period,
        )
    ).first()


def _last_report(session: Session, target: Target) -> Report | None:
    """The department's latest report on the task for an earlier period that went to review."""
    reported = [ReportStatus.SUBMITTED, ReportStatus.APPROVED]
    return session.exec(
        select(Report)
        .where(
            Report.task_id == target.task_id,
            Report.department_id == target.department_id,
            col(Report.period_index) < Period.parse(target.period).last_index,
            col(Report.status).in_(reported),
        )
        .order_by(col(Report.period_index).desc())
    ).first()


def _view(session: Session, target: Target) -> TaskView:
    return list_tasks(session, ids=[target.task_id])[0]
