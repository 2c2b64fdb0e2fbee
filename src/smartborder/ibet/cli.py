"""``smartborder ibet ...``: IBET cases - open, list yours, read (officers on the case only),
add an event, a task or a file, close with the outcome."""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path
from typing import Annotated

import typer

from smartborder.cliutil import ActingUser, DataDir, acting, node_settings, out, parsed, unit
from smartborder.context import node_exchange
from smartborder.ibet import service
from smartborder.roles import Permission

ibet_app = typer.Typer(help="IBET cases: open, read, add to the timeline, close.",
                       no_args_is_help=True)  # fmt: skip


@ibet_app.callback()
def _group() -> None:
    """IBET cases: open, read, add to the timeline, close."""


@ibet_app.command("open")
def open_case(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help=(
        "The case as JSON: reference, title, partner, members (node, username, agency), "
        "subjects (names, birth_date, nationality)."))],
    user: ActingUser,
    data_dir: DataDir = None,
) -> None:  # fmt: skip
    """IBET cases: open a case shared with the partner's agencies (you among its officers)."""
    settings = node_settings(data_dir)
    try:
        data = json.loads(file.read_text())
    except ValueError as exc:
        raise typer.BadParameter(f"{file}: not JSON ({exc})") from None
    given = parsed(service.CaseIn, **data)
    with unit(settings) as session:
        acting(session, user, Permission.IBET)
        case = service.open_case(session, node_exchange(settings), given, username=user)
        out.print(f"{case.id}  {case.reference}: {case.title} ({', '.join(case.agencies)}), "
                  f"{len(case.subjects)} subject(s)", highlight=False)  # fmt: skip


@ibet_app.command("cases")
def cases(user: ActingUser, data_dir: DataDir = None) -> None:
    """IBET cases: the cases you are on."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        acting(session, user, Permission.IBET)
        for case in service.mine(session, settings.node_id, user):
            out.print(f"{case.id}  {case.reference}: {case.title} ({case.status})",
                      highlight=False)  # fmt: skip


@ibet_app.command("show")
def show(case_id: Annotated[str, typer.Argument(help="The case's id or reference.")],
         user: ActingUser, data_dir: DataDir = None) -> None:  # fmt: skip
    """IBET cases: a case with its timeline, as JSON (its officers only; audited)."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        acting(session, user, Permission.IBET)
        case, entries = service.read_case(session, case_id, node=settings.node_id, username=user)
        out.print_json(json.dumps(service.case_out(case, entries)))


@ibet_app.command("add")
def add(
    case_id: Annotated[str, typer.Argument(help="The case's id or reference.")],
    text: Annotated[str, typer.Argument(help="What happened, or the task.")],
    user: ActingUser,
    task_for: Annotated[str | None, typer.Option(
        "--task-for", help="Make it a task for this officer (node:username).")] = None,
    due: Annotated[str | None, typer.Option("--due", help="A task's due date.")] = None,
    data_dir: DataDir = None,
) -> None:  # fmt: skip
    """IBET cases: add an event (or, with --task-for, a task) to the timeline."""
    settings = node_settings(data_dir)
    given = parsed(service.EntryIn, kind="task" if task_for else "event", text=text,
                   assignee=task_for, due=due)  # fmt: skip
    with unit(settings) as session:
        acting(session, user, Permission.IBET)
        entry = service.add_entry(session, node_exchange(settings), case_id, given,
                                  username=user)  # fmt: skip
        out.print(f"{entry.id}  {entry.kind} added", highlight=False)


@ibet_app.command("attach")
def attach(
    case_id: Annotated[str, typer.Argument(help="The case's id or reference.")],
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The file.")],
    user: ActingUser,
    note: Annotated[str, typer.Option("--note", help="What the file is.")] = "",
    data_dir: DataDir = None,
) -> None:  # fmt: skip
    """IBET cases: attach a file (at most 512 KiB) to the timeline."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        acting(session, user, Permission.IBET)
        entry = service.attach(session, node_exchange(settings), case_id, name=file.name,
                               content_type=mimetypes.guess_type(file.name)[0] or "",
                               content=file.read_bytes()[:service.MAX_ATTACHMENT + 1],
                               note=note, username=user)  # fmt: skip
        out.print(f"{entry.id}  {entry.file_name} ({entry.file_size:,} bytes, SHA-256 "
                  f"{entry.file_sha256})", highlight=False)  # fmt: skip


@ibet_app.command("close")
def close(
    case_id: Annotated[str, typer.Argument(help="The case's id or reference.")],
    outcome: Annotated[str, typer.Argument(help="The outcome.")],
    user: ActingUser,
    data_dir: DataDir = None,
) -> None:  # fmt: skip
    """IBET cases: close a case with its outcome."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        acting(session, user, Permission.IBET)
        case = service.close_case(session, node_exchange(settings), case_id, outcome,
                                  username=user)  # fmt: skip
        out.print(f"{case.reference} closed: {case.outcome}", highlight=False)
