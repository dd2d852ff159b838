"""The `duban` command line: set-up, imports, listings and the calendar."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from bot.clock import clock, iso_local
from bot.periods import Period
from bot.storage import db
from bot.storage.calendar_days import (
    CalendarEntryError,
    load_calendar,
    read_notice_file,
    save_entries,
)
from bot.storage.due import due_for
from bot.storage.reports import list_reports
from bot.storage.tasks import list_tasks
from bot.words import render, say

app = typer.Typer(no_args_is_help=True, add_completion=False, help="督办助手 (duban)")
calendar_app = typer.Typer(no_args_is_help=True, help="Working-day calendar.")
app.add_typer(calendar_app, name="calendar")

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


@app.callback()
def main(verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False) -> None:
    """Logging is configured here, at the entry point, and nowhere else."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


def ready() -> None:
    """Every command finds the schema current, so a fresh folder just works."""
    db.upgrade()


def parse_period(text: str) -> Period:
    try:
        return Period.parse(text)
    except ValueError:
        typer.echo(say("cli.bad_period", value=text), err=True)
        raise typer.Exit(2) from None


@app.command()
def init() -> None:
    """Create the database, or upgrade an existing one in place."""
    db.upgrade()
    url = db.get_engine().url.render_as_string(hide_password=True)
    typer.echo(say("cli.db_ready", url=url))


@app.command("import-tasks")
def import_tasks_command(
    file: Path, year: Annotated[int, typer.Option(help="The year of the task table.")]
) -> None:
    """Load a year's task table (.xlsx or .csv); a bad row stops the whole import."""
    from bot.importing import ImportRejected, import_tasks

    ready()
    try:
        with db.session_scope() as session:
            report = import_tasks(session, file, year=year)
    except ImportRejected as rejected:
        _refuse(rejected)
    _report_import(report)


@app.command("import-people")
def import_people_command(file: Path) -> None:
    """Load people and their roles (.xlsx or .csv); a bad row stops the whole import."""
    from bot.importing import ImportRejected, import_people

    ready()
    try:
        with db.session_scope() as session:
            report = import_people(session, file)
    except ImportRejected as rejected:
        _refuse(rejected)
    _report_import(report)


def _refuse(rejected: Any) -> NoReturn:
    typer.echo(say("cli.import_refused", count=len(rejected.errors)), err=True)
    for error in rejected.errors:
        typer.echo(f"  {error.message}", err=True)
    raise typer.Exit(1)


def _report_import(report: Any) -> None:
    typer.echo(say("cli.import_done", report=report))
    for warning in report.warnings:
        typer.echo(f"  {warning.message}")


@app.command()
def tasks(year: Annotated[int | None, typer.Option()] = None, as_json: JsonFlag = False) -> None:
    """List tasks (one row per reportable unit: a task or a sub-item)."""
    ready()
    with db.session_scope() as session:
        views = list_tasks(session, year=year)
    if as_json:
        echo_json([view.as_dict() for view in views])
        return
    rows = [
        {
            "row": [
                v.task.id,
                v.task.number,
                v.task.title,
                v.task.item or "",
                _label("level", v.task.level),
                "、".join(v.departments),
                v.task.deadline_text or v.deadline_iso or "",
                v.task.leader_name or "",
            ]
        }
        for v in views
    ]
    typer.echo(render("cli/tasks.txt.j2", tasks=rows))


def _label(kind: str, value: Any) -> str:
    return say(f"labels.{kind}", value=value)


@app.command()
def due(period: str, as_json: JsonFlag = False) -> None:
    """Who owes which report for PERIOD (2026-09, 2026-H1)."""
    parsed = parse_period(period)
    ready()
    with db.session_scope() as session:
        items = due_for(session, parsed)
        views = {v.task.id: v for v in list_tasks(session, ids={i.task_id for i in items})}
        window = parsed.window(load_calendar(session))
    if as_json:
        echo_json(
            {
                "period": str(parsed),
                "window": window.as_dict(),
                "due": [_due_dict(item, views[item.task_id]) for item in items],
            }
        )
        return
    rows = [_due_row(item, views[item.task_id]) for item in items]
    delivered = sum(item.delivered for item in items)
    typer.echo(
        render("cli/due.txt.j2", period=str(parsed), window=window, rows=rows, delivered=delivered)
    )


def _due_dict(item: Any, view: Any) -> dict[str, Any]:
    return {
        "task_id": item.task_id,
        "number": view.task.number,
        "title": view.task.title,
        "item": view.task.item,
        "department": item.department,
        "is_lead": item.is_lead,
        "kind": item.kind.value,
        "needs_reasons": item.needs_reasons,
        "report_id": item.report_id,
        "status": item.status.value if item.status else None,
        "verdict": item.verdict,
        "leader": view.task.leader_name,
    }


def _due_row(item: Any, view: Any) -> list[Any]:
    number = f"{view.task.number}({view.task.item_no})" if view.task.item_no else view.task.number
    return [
        item.task_id,
        number,
        view.task.item or view.task.title,
        item.department,
        _label("kind", item.kind.value),
        _label("yes", item.needs_reasons),
        _label("status", item.status.value if item.status else None),
        _label("verdict", item.verdict),
    ]


@app.command()
def reports(
    period: Annotated[str | None, typer.Option()] = None, as_json: JsonFlag = False
) -> None:
    """List reports with their status and verdict."""
    if period is not None:
        parse_period(period)
    ready()
    with db.session_scope() as session:
        rows = list_reports(session, period=period)
    if as_json:
        echo_json([row.as_dict() for row in rows])
        return
    table = []
    for row in rows:
        data = row.as_dict()
        table.append(
            [
                data["id"],
                data["period"],
                data["task_number"],
                data["department"],
                _label("kind", data["kind"]),
                _label("status", data["status"]),
                (data["submitted_at"] or "")[:16].replace("T", " "),
                (data["approved_at"] or "")[:16].replace("T", " "),
                _label("verdict", data["verdict"]),
            ]
        )
    typer.echo(render("cli/reports.txt.j2", rows=table))


@calendar_app.command("window")
def calendar_window(period: str, as_json: JsonFlag = False) -> None:
    """Working days 1-5 after PERIOD, the on-time and late deadlines."""
    parsed = parse_period(period)
    ready()
    with db.session_scope() as session:
        window = parsed.window(load_calendar(session))
    if as_json:
        echo_json(window.as_dict())
        return
    typer.echo(render("cli/window.txt.j2", window=window.as_dict(), days=window.working_days))


@calendar_app.command("import")
def calendar_import(file: Path) -> None:
    """Enter a year's State Council notice from a CSV of `日期,类型[,说明]` rows."""
    try:
        entries = read_notice_file(file)
    except CalendarEntryError as error:
        typer.echo(say("cli.calendar_bad_row", row=error.row, value=error.value), err=True)
        raise typer.Exit(1) from None
    ready()
    with db.session_scope() as session:
        count = save_entries(session, entries)
    typer.echo(say("cli.calendar_saved", count=count))


@app.command()
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    no_scheduler: Annotated[
        bool, typer.Option("--no-scheduler", help="Send no reminders (instances that answer).")
    ] = False,
) -> None:
    """Run the service: the WeCom callback, the outbox sender, reminders, the health check."""
    import uvicorn

    from bot.app import create_app
    from bot.config import get_settings
    from bot.runtime import Runtime

    logging.getLogger().setLevel(logging.INFO)
    settings = get_settings()
    missing = settings.missing_wecom_settings()
    if missing:
        typer.echo(say("cli.wecom_missing", names=missing), err=True)
        raise typer.Exit(2)
    runtime = Runtime.from_settings(settings, with_scheduler=not no_scheduler)
    uvicorn.run(create_app(runtime), host=host, port=port, log_config=None)


@app.command()
def demo(
    port: Annotated[int, typer.Option(help="Port of the demo page.")] = 8080,
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    folder: Annotated[Path, typer.Option(help="Where the demo keeps its data.")] = Path(
        "demo-data"
    ),
    keep: Annotated[bool, typer.Option("--keep", help="Keep the previous demo's data.")] = False,
    at: Annotated[
        str | None, typer.Option(help="Start moment, e.g. 2026-09-30T16:00 (Shanghai).")
    ] = None,
) -> None:
    """The whole product in a browser: the bot, the sandbox WeCom and the sample data."""
    import uvicorn

    from bot.clock import clock
    from bot.demo.web import create_demo_app
    from bot.demo.world import build_world, default_start

    start = parse_moment(at) if at else default_start(clock.today())
    typer.echo(say("cli.demo_starting", keep=keep))
    world = build_world(folder, keep=keep, start=start)
    try:
        typer.echo(say("cli.demo_ready", url=f"http://{host}:{port}/"))
        uvicorn.run(create_demo_app(world), host=host, port=port, log_level="warning")
    finally:
        world.stop()
        typer.echo(say("cli.demo_stopped", folder=str(folder)))


def parse_moment(text: str) -> Any:
    """An ISO date or datetime; without an offset it is Asia/Shanghai wall-clock time."""
    from datetime import datetime

    from bot.clock import SHANGHAI

    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        typer.echo(say("cli.bad_moment", value=text), err=True)
        raise typer.Exit(2) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)


@app.command("sweep")
def sweep_command(
    at: Annotated[
        str | None, typer.Option("--at", help="ISO time, e.g. 2026-10-09T09:30 (Beijing time).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be sent; write nothing.")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Run the reminder sweep as of TIME (default now), then deliver what it queued."""
    from bot.config import get_settings
    from bot.reminders.sweep import sweep

    moment = parse_moment(at) if at else clock.now()
    settings = get_settings()
    ready()
    with db.session_scope() as session:
        calendar = load_calendar(session)
        result = sweep(session, at=moment, calendar=calendar, settings=settings, dry_run=dry_run)
    delivered = None if dry_run or not result.sent else _deliver_outbox(settings)

    if as_json:
        echo_json(result.as_dict() | {"delivered": delivered})
        return
    rows = [
        [d.recipient, say("reminders.kind_name", value=d.kind.value), d.period, d.items]
        for d in result.sent
    ]
    at_text = (iso_local(moment) or "")[:16].replace("T", " ")
    typer.echo(
        render("reminders/sweep.txt.j2", result=result, rows=rows, at=at_text, settings=settings)
    )
    if not dry_run and result.sent:
        typer.echo(_delivery_words(delivered, len(result.sent)))


def _deliver_outbox(settings: Any) -> int | None:
    """Send what is due in the outbox now; None when WeCom is not configured to send."""
    from bot.wecom.client import WeComClient
    from bot.wecom.sender import OutboxSender

    if not (settings.wecom_corp_id and settings.wecom_agent_id and settings.wecom_secret):
        return None
    client = WeComClient.from_settings(settings)
    sender = OutboxSender(db.get_engine(), client, per_minute=settings.wecom_per_member_per_minute)
    try:
        delivered = 0
        # Passes until one sends nothing: what is left waits on rate limits or back-off,
        # and the service's sender will deliver it.
        while (sent := sender.deliver_due()) > 0:
            delivered += sent
        return delivered
    finally:
        client.close()


def _delivery_words(delivered: int | None, queued: int) -> str:
    if delivered is None:
        return say("reminders.waiting", count=queued)
    return say("reminders.delivered", count=delivered)
