"""The supervision notice (督办通知单, R17, R22) in chat: an office issues it step by step, the
department's liaison replies, the head and the supervising leader sign their opinions, and
the issuing office is told when the reply is complete."""

from __future__ import annotations

import logging
import re
from enum import StrEnum
from typing import Any

from bot.clock import clock
from bot.handlers.answers import is_command, normalized, read_choice
from bot.handlers.context import Context
from bot.handlers.offices import (
    TaskRef,
    arguments,
    departments_matching,
    office_roles,
    read_task_ref,
    reply_long,
    require_office,
    send_long,
)
from bot.handlers.owed import department_ids
from bot.handlers.router import Router
from bot.storage.models import Department, Notice, Person, Role, Task
from bot.storage.notices import (
    OPEN,
    NoticeError,
    NoticeView,
    department_contacts,
    find_notice,
    issue_notice,
    notice_leaders,
    notice_views,
    record_reply,
    reply_due,
    sign_as_head,
    sign_as_leader,
    view_of,
)
from bot.storage.people import find_member, holders
from bot.storage.tasks import TaskView, list_tasks
from bot.words import render, say

logger = logging.getLogger(__name__)

router = Router("notices")

MAX_REPLY_DAYS = 60
MAX_SUBJECT_CHARS = 200

_DAYS = re.compile(r"^(\d{1,3})\s*(?:天|日|个?自然日)?内?$")
_NUMBER_AND_TEXT = re.compile(r"^第?\s*(\d{1,4})\s*号?\s*[:：,，]?\s*(.*)$", re.DOTALL)
_YEAR = re.compile(r"^(\d{4})\s*年?$")

# A head who answers with one of these confirms the liaison's wording of the unit's opinion;
# anything else is the head's own wording, which replaces it.
AGREEMENT = frozenset({"同意", "确认", "无异议", "属实", "情况属实", "同意上报"})


class Step(StrEnum):
    DEPARTMENT = "notice:department"
    TASK = "notice:task"
    DAYS = "notice:days"
    CONFIRM = "notice:confirm"
    PROGRESS = "notice_reply:progress"
    OPINION = "notice_reply:opinion"
    REPLY_CONFIRM = "notice_reply:confirm"


def read_number_and_text(text: str) -> tuple[int | None, str]:
    """`3 同意` / `第３号：同意` -> (3, "同意"); no leading number -> (None, text).

    Python's `\\d` and `int` take full-width digits too, so the opinion is never folded.
    """
    match = _NUMBER_AND_TEXT.match(text.strip())
    if match is None:
        return None, text.strip()
    return int(match.group(1)), match.group(2).strip()


def is_agreement(text: str) -> bool:
    return text.strip().rstrip("。.!！") in AGREEMENT


# -- issuing: 通知单 ----------------------------------------------------------------------


@router.command("通知单")
def start_notice(ctx: Context) -> bool:
    if not require_office(ctx):
        return True
    ctx.clear()
    ctx.set_state(Step.DEPARTMENT)
    named = arguments(ctx, "通知单")
    if named:
        return _take_department(ctx, named)
    ctx.reply_phrase("offices.ask_department")
    return True


@router.state(Step.DEPARTMENT)
def on_department(ctx: Context) -> bool:
    if is_command(ctx.text):
        return False
    return _take_department(ctx, ctx.text)


def _take_department(ctx: Context, text: str) -> bool:
    candidates: list[int] = ctx.data.get("notice_candidates") or []
    choice = read_choice(text, len(candidates)) if candidates else None
    if choice is not None:
        chosen = ctx.session.get(Department, candidates[choice - 1])
        departments = [chosen] if chosen is not None else []
    else:
        departments = departments_matching(ctx.session, text)

    if not departments:
        ctx.reply_phrase("offices.no_department", text=text)
        return True
    if len(departments) > 1:
        ctx.update_data(notice_candidates=[dept.id for dept in departments])
        names = [dept.name for dept in departments]
        reply_long(ctx, say("offices.ambiguous_department", text=text, names=names, numbered=True))
        return True

    department = departments[0]
    ctx.update_data(notice_department=department.id, notice_candidates=None)
    ctx.set_state(Step.TASK)
    views = _department_tasks(ctx, department.name)
    reply_long(
        ctx,
        render("offices/notice_ask_task.txt.j2", department=department.name, views=views),
    )
    return True


def _department_tasks(ctx: Context, department: str) -> list[TaskView]:
    views = list_tasks(ctx.session, year=clock.today().year)
    return [view for view in views if department in view.departments]


@router.state(Step.TASK)
def on_task(ctx: Context) -> bool:
    if is_command(ctx.text):
        return False
    text = ctx.text
    ref = read_task_ref(text)
    if ref is None:
        return _take_subject(ctx, text)

    department = ctx.session.get(Department, ctx.data.get("notice_department"))
    matching = _tasks_numbered(ctx, ref, department.name if department else "")
    if not matching:
        ctx.reply_phrase("offices.no_task", ref=ref, year=clock.today().year)
        return True
    if len(matching) > 1:
        reply_long(ctx, say("offices.which_item", ref=ref, views=matching))
        return True

    ctx.update_data(notice_task=matching[0].task.id, notice_subject=None)
    return _ask_days(ctx)


def _tasks_numbered(ctx: Context, ref: TaskRef, department: str) -> list[TaskView]:
    """The year's tasks (sub-items) with that number, the department's own ones when it has
    any among them."""
    views = [
        view for view in list_tasks(ctx.session, year=clock.today().year) if ref.matches(view.task)
    ]
    own = [view for view in views if department in view.departments]
    return own or views


def _take_subject(ctx: Context, text: str) -> bool:
    """Work outside the task table (专项督查督办, R05), described in the office's words."""
    subject = text.strip()
    if not subject:
        ctx.reply_phrase("offices.empty_text")
        return True
    if len(subject) > MAX_SUBJECT_CHARS:
        ctx.reply_phrase("offices.subject_too_long", count=len(subject), limit=MAX_SUBJECT_CHARS)
        return True
    ctx.update_data(notice_task=None, notice_subject=subject)
    return _ask_days(ctx)


def _ask_days(ctx: Context) -> bool:
    ctx.set_state(Step.DAYS)
    ctx.reply_phrase("offices.ask_days")
    return True


@router.state(Step.DAYS)
def on_days(ctx: Context) -> bool:
    if is_command(ctx.text):
        return False
    match = _DAYS.match(normalized(ctx.text))
    days = int(match.group(1)) if match else 0
    if not 1 <= days <= MAX_REPLY_DAYS:
        ctx.reply_phrase("offices.expected_days", limit=MAX_REPLY_DAYS)
        return True

    ctx.update_data(notice_days=days)
    ctx.set_state(Step.CONFIRM)
    reply_long(ctx, render("offices/notice_preview.txt.j2", **_draft(ctx)))
    return True


def _draft(ctx: Context) -> dict[str, Any]:
    """The notice as it will read, from the answers so far (no number until it is issued)."""
    data = ctx.data
    department = ctx.session.get(Department, data.get("notice_department"))
    task_id = data.get("notice_task")
    task = ctx.session.get(Task, task_id) if task_id else None
    today = clock.today()
    views = list_tasks(ctx.session, ids=[task_id]) if task_id else []
    return {
        "number": None,
        "department": department.name if department else "",
        "task": task,
        "task_departments": views[0].departments if views else (),
        "subject": data.get("notice_subject"),
        "reply_days": data.get("notice_days"),
        "reply_due": reply_due(today, int(data.get("notice_days") or 0)),
        "offices": office_roles(ctx.member),
    }


@router.state(Step.CONFIRM)
def on_confirm(ctx: Context) -> bool:
    if is_command(ctx.text):
        return False
    choice = read_choice(ctx.text, 3)
    if choice == 1:
        return _issue(ctx)
    if choice == 2:
        ctx.clear()
        ctx.set_state(Step.DEPARTMENT)
        ctx.reply_phrase("offices.ask_department")
        return True
    if choice == 3:
        ctx.clear()
        ctx.reply_phrase("offices.notice_cancelled")
        return True
    ctx.reply_phrase("offices.expected_confirm_notice")
    return True


def _issue(ctx: Context) -> bool:
    if not require_office(ctx):
        ctx.clear()
        return True
    data = ctx.data
    notice = issue_notice(
        ctx.session,
        department_id=int(data["notice_department"]),
        task_id=data.get("notice_task"),
        subject=data.get("notice_subject"),
        reply_days=int(data["notice_days"]),
        issued_by=ctx.userid,
        today=clock.today(),
    )
    ctx.clear()

    view = view_of(ctx.session, notice)
    liaisons, heads = department_contacts(ctx.session, notice.department_id)
    leaders = notice_leaders(ctx.session, notice)
    offices = office_roles(ctx.member)
    send_long(
        ctx,
        _userids(liaisons + heads),
        render("offices/notice.txt.j2", **_notice_context(ctx, view, offices)),
        purpose="notice",
    )
    send_long(
        ctx,
        _userids(leaders),
        render("offices/notice_to_leader.txt.j2", view=view, offices=offices),
        purpose="notice",
    )
    reply_long(
        ctx,
        render(
            "offices/notice_issued.txt.j2",
            view=view,
            liaisons=_names(liaisons),
            heads=_names(heads),
            leaders=_names(leaders),
        ),
    )
    return True


def _notice_context(ctx: Context, view: NoticeView, offices: list[str]) -> dict[str, Any]:
    notice = view.notice
    views = list_tasks(ctx.session, ids=[notice.task_id]) if notice.task_id else []
    return {
        "number": notice.seq,
        "year": notice.year,
        "department": view.department,
        "task": view.task,
        "task_departments": views[0].departments if views else (),
        "subject": notice.subject,
        "reply_days": notice.reply_days,
        "reply_due": notice.reply_due,
        "offices": offices,
    }


# -- the list: 通知单列表 -------------------------------------------------------------------


@router.command("通知单列表")
def list_notices(ctx: Context) -> bool:
    if not require_office(ctx):
        return True
    today = clock.today()
    match = _YEAR.match(arguments(ctx, "通知单列表"))
    year = int(match.group(1)) if match else today.year

    views = notice_views(ctx.session, year=year)
    reply_long(ctx, render("offices/notice_list.txt.j2", views=views, year=year, today=today))
    return True


# -- the department's reply: 回复通知单 N, 回复 ------------------------------------------------


@router.command("回复通知单")
def reply_numbered(ctx: Context) -> bool:
    seq, _ = read_number_and_text(arguments(ctx, "回复通知单"))
    if seq is None:
        ctx.reply_phrase("offices.reply_usage")
        return True
    return _reply_to(ctx, seq)


@router.command("回复")
def reply_only(ctx: Context) -> bool:
    """`回复` alone answers the one notice the member's department has open."""
    seq, _ = read_number_and_text(arguments(ctx, "回复"))
    if seq is not None:
        return _reply_to(ctx, seq)
    departments = _member_departments(ctx)
    if not departments:
        ctx.reply_phrase("offices.only_departments")
        return True

    views = notice_views(ctx.session, department_ids=departments, status=OPEN)
    waiting = [view for view in views if view.notice.head_signed_on is None]
    if not waiting:
        ctx.reply_phrase("offices.no_open_notice")
        return True
    if len(waiting) > 1:
        reply_long(ctx, say("offices.several_open", views=waiting))
        return True
    return _start_reply(ctx, waiting[0].notice)


def _member_departments(ctx: Context) -> list[int]:
    return department_ids(ctx.member) if ctx.member is not None else []


def _reply_to(ctx: Context, seq: int) -> bool:
    departments = _member_departments(ctx)
    if not departments:
        ctx.reply_phrase("offices.only_departments")
        return True
    notice = find_notice(ctx.session, seq=seq, year=clock.today().year, department_ids=departments)
    if notice is None:
        ctx.reply_phrase("offices.notice_not_found", seq=seq)
        return True
    return _start_reply(ctx, notice)


def _start_reply(ctx: Context, notice: Notice) -> bool:
    if notice.status != OPEN:
        ctx.reply_phrase("offices.notice_done", notice=notice)
        return True
    if notice.head_signed_on is not None:
        ctx.reply_phrase("offices.head_signed_already", notice=notice)
        return True

    ctx.clear()
    ctx.update_data(notice_id=notice.id)
    ctx.set_state(Step.PROGRESS)
    view = view_of(ctx.session, notice)
    reply_long(ctx, render("offices/notice_ask_progress.txt.j2", view=view, today=clock.today()))
    return True


@router.state(Step.PROGRESS)
def on_progress(ctx: Context) -> bool:
    if is_command(ctx.text):
        return False
    if not ctx.text:
        ctx.reply_phrase("offices.empty_text")
        return True
    ctx.update_data(notice_progress=ctx.text)
    ctx.set_state(Step.OPINION)
    notice = _notice_in_progress(ctx)
    reply_long(ctx, say("offices.ask_opinion", old=notice.unit_opinion if notice else None))
    return True


@router.state(Step.OPINION)
def on_opinion(ctx: Context) -> bool:
    if is_command(ctx.text):
        return False
    if not ctx.text:
        ctx.reply_phrase("offices.empty_text")
        return True
    ctx.update_data(notice_opinion=ctx.text)
    ctx.set_state(Step.REPLY_CONFIRM)
    notice = _notice_in_progress(ctx)
    if notice is None:
        return _lost(ctx)
    reply_long(
        ctx,
        render(
            "offices/notice_reply_preview.txt.j2",
            notice=notice,
            progress=ctx.data.get("notice_progress"),
            opinion=ctx.text,
        ),
    )
    return True


@router.state(Step.REPLY_CONFIRM)
def on_reply_confirm(ctx: Context) -> bool:
    if is_command(ctx.text):
        return False
    choice = read_choice(ctx.text, 3)
    if choice == 1:
        return _submit_reply(ctx)
    if choice == 2:
        ctx.set_state(Step.PROGRESS)
        ctx.reply_phrase("offices.ask_progress_again")
        return True
    if choice == 3:
        ctx.clear()
        ctx.reply_phrase("offices.reply_cancelled")
        return True
    ctx.reply_phrase("offices.expected_reply_confirm")
    return True


def _notice_in_progress(ctx: Context) -> Notice | None:
    notice_id = ctx.data.get("notice_id")
    return ctx.session.get(Notice, notice_id) if notice_id else None


def _lost(ctx: Context) -> bool:
    ctx.clear()
    ctx.reply_phrase("offices.reply_lost")
    return True


def _submit_reply(ctx: Context) -> bool:
    notice = _notice_in_progress(ctx)
    if notice is None or notice.department_id not in _member_departments(ctx):
        return _lost(ctx)
    data = ctx.data
    try:
        record_reply(
            ctx.session,
            notice,
            actor=ctx.userid,
            progress=str(data.get("notice_progress") or ""),
            unit_opinion=str(data.get("notice_opinion") or ""),
        )
    except NoticeError:
        ctx.clear()
        ctx.reply_phrase("offices.head_signed_already", notice=notice)
        return True
    ctx.clear()

    heads = holders(ctx.session, Role.HEAD, notice.department_id)
    view = view_of(ctx.session, notice)
    send_long(
        ctx,
        _userids(heads),
        render("offices/notice_to_head.txt.j2", view=view, liaison=_member_name(ctx)),
        purpose="notice",
    )
    ctx.reply_phrase("offices.reply_recorded", notice=notice, heads=_names(heads))
    return True


# -- the signatures: 负责人意见 N, 领导意见 N ---------------------------------------------------


@router.command("负责人意见")
def head_opinion(ctx: Context) -> bool:
    seq, words = read_number_and_text(arguments(ctx, "负责人意见"))
    if seq is None:
        ctx.reply_phrase("offices.head_usage")
        return True
    departments = ctx.member.departments(Role.HEAD) if ctx.member else []
    if not departments:
        ctx.reply_phrase("offices.only_heads")
        return True
    notice = find_notice(ctx.session, seq=seq, year=clock.today().year, department_ids=departments)
    if notice is None:
        ctx.reply_phrase("offices.notice_not_found", seq=seq)
        return True
    if not _ready_to_sign(ctx, notice):
        return True

    opinion = None if not words or is_agreement(words) else words
    completed = sign_as_head(
        ctx.session,
        notice,
        actor=ctx.userid,
        name=_member_name(ctx),
        today=clock.today(),
        unit_opinion=opinion,
    )
    leaders = [] if completed else _leaders_still_to_sign(ctx, notice)
    reply_long(ctx, say("offices.head_signed", notice=notice, leaders=_names(leaders)))
    _after_signature(ctx, notice, completed=completed, leaders=leaders)
    return True


@router.command("领导意见")
def leader_opinion(ctx: Context) -> bool:
    seq, words = read_number_and_text(arguments(ctx, "领导意见"))
    if seq is None or not words:
        ctx.reply_phrase("offices.leader_usage")
        return True
    if ctx.member is None or not ctx.member.has(Role.LEADER):
        ctx.reply_phrase("offices.only_leaders")
        return True
    notice = find_notice(ctx.session, seq=seq, year=clock.today().year)
    if notice is None:
        ctx.reply_phrase("offices.notice_not_found", seq=seq)
        return True
    signers = notice_leaders(ctx.session, notice) if notice.task_id else []
    if signers and ctx.member.person.id not in {person.id for person in signers}:
        ctx.reply_phrase("offices.not_your_notice", notice=notice, leaders=_names(signers))
        return True
    if not _ready_to_sign(ctx, notice):
        return True

    completed = sign_as_leader(
        ctx.session,
        notice,
        actor=ctx.userid,
        name=_member_name(ctx),
        opinion=words,
        today=clock.today(),
    )
    ctx.reply_phrase("offices.leader_signed", notice=notice, completed=completed)
    _after_signature(ctx, notice, completed=completed, leaders=[])
    return True


def _ready_to_sign(ctx: Context, notice: Notice) -> bool:
    """Signatures follow the unit's reply and stop once the notice is complete."""
    if notice.status != OPEN:
        ctx.reply_phrase("offices.notice_done", notice=notice)
        return False
    if not notice.progress or not notice.unit_opinion:
        ctx.reply_phrase("offices.unit_not_replied", notice=notice)
        return False
    return True


def _leaders_still_to_sign(ctx: Context, notice: Notice) -> list[Person]:
    if notice.leader_signed_on is not None:
        return []
    return notice_leaders(ctx.session, notice)


def _after_signature(
    ctx: Context, notice: Notice, *, completed: bool, leaders: list[Person]
) -> None:
    view = view_of(ctx.session, notice)
    if completed:
        _tell_completion(ctx, view)
        return
    send_long(
        ctx,
        _userids(leaders),
        render("offices/notice_to_leader_review.txt.j2", view=view),
        purpose="notice",
    )


def _tell_completion(ctx: Context, view: NoticeView) -> None:
    """The issuing office gets the filled-in notice; the department hears it is done."""
    notice = view.notice
    issuer = find_member(ctx.session, notice.issued_by)
    offices = office_roles(issuer)
    office_people = [person for role in offices for person in holders(ctx.session, Role(role))]
    send_long(
        ctx,
        [notice.issued_by, *_userids(office_people)],
        render("offices/notice_replied.txt.j2", view=view),
        purpose="notice",
    )
    liaisons = holders(ctx.session, Role.LIAISON, notice.department_id)
    send_long(
        ctx,
        _userids(liaisons),
        render("offices/notice_closed_for_department.txt.j2", view=view, offices=offices),
        purpose="notice",
    )
    logger.info("notice %s/%s reported back to the office", notice.year, notice.seq)


# -- small helpers ---------------------------------------------------------------------------


def _member_name(ctx: Context) -> str:
    return ctx.member.person.name if ctx.member is not None else ctx.userid


def _userids(people: list[Person]) -> list[str]:
    return list(dict.fromkeys(person.userid for person in people))


def _names(people: list[Person]) -> list[str]:
    return list(dict.fromkeys(person.name for person in people))


@router.fallback
def glued(ctx: Context) -> bool:
    """`回复通知单3`, `负责人意见3同意`: the router splits at spaces only."""
    text = normalized(ctx.text)
    words = (
        ("通知单列表", list_notices),
        ("回复通知单", reply_numbered),
        ("负责人意见", head_opinion),
        ("领导意见", leader_opinion),
    )
    for word, handler in words:
        if text.startswith(word) and len(text) > len(word):
            return bool(handler(ctx))
    return False
