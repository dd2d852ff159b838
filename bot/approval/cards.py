"""The `button_interaction` card that asks a leader to approve or return one report.

WeCom shows little of a card: about 112 characters of sub-title and six short fields, so the
full report goes ahead of the card as text. Limits are in `WECOM.md`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.approval.items import ReviewItem
from bot.storage.models import ReportKind
from bot.words import say

APPROVE = "approve"
RETURN = "return"
MAX_FIELDS = 6


@dataclass(frozen=True)
class ButtonKey:
    """What a button's key says: the action and the report it is for."""

    action: str
    report_id: int

    @classmethod
    def parse(cls, key: str | None) -> ButtonKey | None:
        action, _, number = (key or "").partition(":")
        if action not in (APPROVE, RETURN) or not number.isdigit():
            return None
        return cls(action, int(number))


def new_task_id(report_id: int, sequence: int) -> str:
    """`rpt12-3-9f2c1a`: the report, its card count, and a random tail.

    WeCom refuses a task_id the app ever used before; the tail keeps a database restored from
    a backup, or a second installation of the same app, from reusing one.
    """
    return f"rpt{report_id}-{sequence}-{secrets.token_hex(3)}"


def build_card(item: ReviewItem, *, task_id: str, review_by: date | None) -> dict[str, Any]:
    return {
        "card_type": "button_interaction",
        "source": {"desc": say("approval.card_source")},
        "main_title": {
            "title": say("approval.card_title", task=item.task),
            "desc": say("approval.card_desc", report=item.report, review_by=review_by),
        },
        "sub_title_text": say("approval.card_text", text=item.report.text),
        "horizontal_content_list": _fields(item),
        "task_id": task_id,
        "button_list": _buttons(item.report_id),
    }


def _fields(item: ReviewItem) -> list[dict[str, str]]:
    return [
        {
            "keyname": say("approval.field_name", name=name, report=item.report),
            "value": say("approval.field_value", name=name, item=item),
        }
        for name in field_names(item)
    ]


def _buttons(report_id: int) -> list[dict[str, Any]]:
    return [
        {"text": say("approval.button_approve"), "style": 1, "key": f"{APPROVE}:{report_id}"},
        {"text": say("approval.button_return"), "style": 2, "key": f"{RETURN}:{report_id}"},
    ]


def field_names(item: ReviewItem) -> list[str]:
    """The card's fields, at most six: period and kind share one field when space is short."""
    report = item.report
    names = ["item"] if item.task.item_no else []
    names += ["department", "period", "kind"]
    if report.kind == ReportKind.SUMMARY and report.self_assessment:
        names.append("assessment")
    if report.reasons:
        names.append("reasons")
    names.append("author")

    if len(names) > MAX_FIELDS:
        names.remove("kind")
        names[names.index("period")] = "period_kind"
    return names
