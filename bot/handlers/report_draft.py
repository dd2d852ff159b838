"""A report being written in chat: which answer it still lacks, and how its length counts (R10).

The draft lives in the database (the Report row), so the conversation can be dropped at any
step and taken up again from what was saved.
"""

from __future__ import annotations

from enum import StrEnum

from bot.storage.models import Report, ReportKind, SelfAssessment


class Step(StrEnum):
    """The steps that fill a field of the report, then the preview; values are state names."""

    ASSESSMENT = "report:assessment"
    TEXT = "report:text"
    REASONS = "report:reasons"
    CONFIRM = "report:confirm"


# The order in which the self-assessment is offered, 1-3 (R08).
ASSESSMENTS = (SelfAssessment.ON_TIME, SelfAssessment.LATE, SelfAssessment.NOT_DONE)


def char_count(text: str | None) -> int:
    """Characters as R10 counts them: each Chinese character, letter, digit or mark is one;
    whitespace at the ends does not count."""
    return len((text or "").strip())


def needs_reasons(report: Report, *, overdue: bool) -> bool:
    """A summary other than 按时完成 gives its main reasons (R08); a progress report past the
    deadline says why the task is unfinished (R09)."""
    if report.kind == ReportKind.SUMMARY:
        return report.self_assessment in (SelfAssessment.LATE, SelfAssessment.NOT_DONE)
    return overdue


def first_step(kind: str) -> Step:
    return Step.ASSESSMENT if kind == ReportKind.SUMMARY else Step.TEXT


def next_step(report: Report, *, overdue: bool) -> Step:
    """The first field still empty, or the preview when nothing is missing."""
    if report.kind == ReportKind.SUMMARY and report.self_assessment is None:
        return Step.ASSESSMENT
    if not report.text:
        return Step.TEXT
    if needs_reasons(report, overdue=overdue) and not report.reasons:
        return Step.REASONS
    return Step.CONFIRM


def editable_steps(report: Report, *, overdue: bool) -> list[Step]:
    """The fields a user may change from the preview, in the order they were asked."""
    steps = [Step.ASSESSMENT] if report.kind == ReportKind.SUMMARY else []
    steps.append(Step.TEXT)
    if needs_reasons(report, overdue=overdue):
        steps.append(Step.REASONS)
    return steps


def has_content(report: Report) -> bool:
    return bool(report.text or report.reasons or report.self_assessment)


def clear_fields(report: Report) -> None:
    report.text = ""
    report.reasons = None
    report.self_assessment = None
