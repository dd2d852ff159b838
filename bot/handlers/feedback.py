"""反馈 (R16): a department tells the supervising leader of a difficulty met on one of its
tasks; when the task's leader is not registered, the two offices receive it instead."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass

from sqlmodel import Session

from bot.clock import clock
from bot.handlers.answers import (
    command_number,
    glued_command,
    is_command,
    read_choice,
    read_number,
)
from bot.handlers.context import Context
from bot.handlers.message_size import reply_long, split_message
from bot.handlers.owed import department_ids, member_of
from bot.handlers.report_draft import char_count
from bot.handlers.router import Router
from bot.periods import Period
from bot.storage.due import due_for
from bot.storage.models import DEPARTMENT_ROLES, Person, Role
from bot.storage.people import department_names, holders, leader_by_name
from bot.storage.tasks import TaskView, list_tasks
from bot.words import render, say

logger = logging.getLogger(__name__)

router = Router("feedback")

PICK = "feedback:pick"
TEXT = "feedback:text"
CONFIRM = "feedback:confirm"

# With its heading, a feedback this long stays within one WeCom message (2048 bytes).
FEEDBACK_MAX_CHARS = 500


@dataclass(frozen=True)
class Subject:
    """A task one of the member's departments carries, as the conversation data keeps it."""

    task_id: int
    department_id: int
    department: str


@dataclass(frozen=True)
class Recipient:
    role: str  # leader, party_office, president_office: how the message names them
    person: Person


@router.command("反馈")
def start(ctx: Context) -> bool:
    ids = department_ids(member_of(ctx))
    if not ids:
        ctx.reply_phrase("chat.feedback.no_department")
        return True
    subjects = _subjects(ctx.session, ids)
    if not subjects:
        ctx.reply_phrase("chat.feedback.no_tasks")
        return True

    ctx.clear()
    ctx.update_data(choices=[asdict(subject) for subject in subjects])
    ctx.set_state(PICK)
    number = command_number(ctx.text, "反馈")
    if number is not None and 1 <= number <= len(subjects):
        _choose(ctx, subjects[number - 1])
        return True

    note = None
    if number is not None:
        note = say("chat.feedback.no_such_number", number=number, count=len(subjects))
    _show_list(ctx, subjects, note)
    return True


@router.state(PICK)
def pick(ctx: Context) -> bool:
    if is_command(ctx.text):
        return False
    choices = ctx.data.get("choices") or []
    number = read_number(ctx.text)

    if not choices:
        _lost(ctx)
    elif number is None:
        ctx.reply_phrase("chat.expected_number", count=len(choices))
    elif not 1 <= number <= len(choices):
        ctx.reply_phrase("chat.feedback.no_such_number", number=number, count=len(choices))
    else:
        _choose(ctx, Subject(**choices[number - 1]))
    return True


def _choose(ctx: Context, subject: Subject) -> None:
    view = _view(ctx.session, subject.task_id)
    recipients = _recipients(ctx.session, view)

    ctx.update_data(subject=asdict(subject))
    ctx.set_state(TEXT)
    ctx.reply_phrase(
        "chat.feedback.ask_text",
        task=view.task,
        recipients=recipients,
        limit=FEEDBACK_MAX_CHARS,
    )


@router.state(TEXT)
def take_text(ctx: Context) -> bool:
    if is_command(ctx.text):
        return False
    count = char_count(ctx.text)
    if count == 0:
        ctx.reply_phrase("chat.feedback.empty_text")
        return True
    if count > FEEDBACK_MAX_CHARS:
        ctx.reply_phrase("chat.feedback.too_long", count=count, limit=FEEDBACK_MAX_CHARS)
        return True

    subject = _subject(ctx)
    if subject is None:
        return True

    ctx.update_data(text=ctx.text)
    view = _view(ctx.session, subject.task_id)
    ctx.set_state(CONFIRM)
    reply_long(
        ctx,
        render(
            "chat/feedback_preview.txt.j2",
            view=view,
            department=subject.department,
            text=ctx.text,
            recipients=_recipients(ctx.session, view),
        ),
    )
    return True


@router.state(CONFIRM)
def confirm(ctx: Context) -> bool:
    if is_command(ctx.text):
        return False
    choice = read_choice(ctx.text, 3)

    if choice is None:
        ctx.reply_phrase("chat.feedback.expected_confirm")
    elif choice == 1:
        _deliver(ctx)
    elif choice == 2:
        ctx.set_state(TEXT)
        reply_long(ctx, say("chat.feedback.old_text", text=ctx.data.get("text", "")))
    else:
        ctx.clear()
        ctx.reply_phrase("chat.feedback.cancelled")
    return True


def _deliver(ctx: Context) -> None:
    data, subject = ctx.data, _subject(ctx)
    if subject is None:
        return
    if not data.get("text"):
        _lost(ctx)
        return
    view = _view(ctx.session, subject.task_id)
    recipients = _recipients(ctx.session, view)

    ctx.clear()
    if not recipients:
        ctx.reply_phrase("chat.feedback.no_recipient")
        return
    _notify(ctx, subject, view, recipients, data["text"])
    ctx.reply_phrase("chat.feedback.delivered", recipients=recipients)


def _notify(
    ctx: Context, subject: Subject, view: TaskView, recipients: list[Recipient], text: str
) -> None:
    """Send the feedback and keep it in the audit log, the record the offices can consult."""
    userids = [recipient.person.userid for recipient in recipients]
    notice = render(
        "chat/feedback_notice.txt.j2",
        view=view,
        department=subject.department,
        sender=member_of(ctx).person.name,
        text=text,
        to_offices=recipients[0].role != Role.LEADER,
    )

    for piece in split_message(notice):
        ctx.send(userids, piece, purpose="feedback")
    ctx.audit(
        "feedback.send",
        target=f"task:{subject.task_id}",
        department=subject.department,
        recipients=userids,
        text=text,
    )
    logger.info("feedback on task %s sent to %d people", subject.task_id, len(userids))


def _subject(ctx: Context) -> Subject | None:
    """The task being written about, if the sender still serves its department."""
    values = ctx.data.get("subject")
    if not values:
        _lost(ctx)
        return None
    subject = Subject(**values)
    if not any(member_of(ctx).has(role, subject.department_id) for role in DEPARTMENT_ROLES):
        ctx.clear()
        ctx.reply_phrase("chat.feedback.no_department")
        return None
    return subject


def _lost(ctx: Context) -> None:
    ctx.clear()
    ctx.reply_phrase("chat.feedback.lost")


@router.fallback
def command_with_glued_number(ctx: Context) -> bool:
    """`反馈2`: the router splits commands at spaces only, and phones often leave none."""
    return glued_command(ctx.text, ("反馈",)) is not None and bool(start(ctx))


def _recipients(session: Session, view: TaskView) -> list[Recipient]:
    """The task's supervising leader; failing that, the two offices (R13, R16)."""
    leader = leader_by_name(session, view.task.leader_name)
    if leader is not None:
        return [Recipient(Role.LEADER.value, leader)]
    found: dict[str, Recipient] = {}
    for role in (Role.PARTY_OFFICE, Role.PRESIDENT_OFFICE):
        for person in holders(session, role):
            found.setdefault(person.userid, Recipient(role.value, person))
    return list(found.values())


def _subjects(session: Session, ids: list[int]) -> list[Subject]:
    """The departments' tasks of this year, and older ones they still report on, in order."""
    today = clock.today()
    names = department_names(session, ids)
    by_name = {name: dept_id for dept_id, name in names.items()}
    owing = {
        item.task_id
        for period in (Period.month_of(today), Period.half_of(today))
        for item in due_for(session, period, department_ids=ids)
    }
    views = {view.task.id: view for view in list_tasks(session, year=today.year)}
    views.update({view.task.id: view for view in list_tasks(session, ids=owing)})

    ordered = sorted(views.values(), key=lambda v: (v.task.year, v.task.number, v.task.item_no))
    return [
        Subject(view.task.id or 0, by_name[name], name)
        for view in ordered
        for name in view.departments
        if name in by_name
    ]


def _show_list(ctx: Context, subjects: list[Subject], note: str | None) -> None:
    task_ids = {subject.task_id for subject in subjects}
    views = {view.task.id: view for view in list_tasks(ctx.session, ids=task_ids)}
    rows = [(subject, views[subject.task_id]) for subject in subjects]
    several = len({subject.department_id for subject in subjects}) > 1
    reply_long(ctx, render("chat/feedback_list.txt.j2", rows=rows, several=several, note=note))


def _view(session: Session, task_id: int) -> TaskView:
    return list_tasks(session, ids=[task_id])[0]
