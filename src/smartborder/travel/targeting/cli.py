"""``smartborder travel check|queue|show|dispose|rescore``: board / no board for an interactive
PAXLST (answered with a CUSRES), the analysts' queue, one assessment, dispositions, and
re-scoring the flights not yet arrived."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from smartborder import clock
from smartborder.cliutil import ActingUser, DataDir, acting, node_settings, out, parsed, unit
from smartborder.context import node_exchange
from smartborder.roles import Permission
from smartborder.screening.matcher import Thresholds
from smartborder.screening.service import Screening
from smartborder.settings import Settings
from smartborder.travel.targeting import cusres, queue
from smartborder.travel.targeting import models as tm
from smartborder.travel.targeting.rows import detail_out
from smartborder.travel.targeting.schemas import QueueFilter
from smartborder.travel.targeting.service import Targeting, rescore

targeting_app = typer.Typer(no_args_is_help=True)


def targeting_for(settings: Settings) -> Targeting:
    """Screening (the lookout index is built on first use) and the active model, for a command
    that files or checks travellers outside ``serve``; sharing goes through the node's outbox."""
    screening = Screening(Thresholds.from_settings(settings))
    return Targeting(screening, settings.travel_teams, node_exchange(settings))


def _now() -> dt.datetime:
    return clock.now()


def check_command(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="An interactive PAXLST.")
    ],
    user: ActingUser,
    output: Annotated[
        Path | None, typer.Option("--out", help="Write the CUSRES here (default: stdout).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the decisions as JSON.")] = False,
    data_dir: DataDir = None,
) -> None:
    """Board / no board for each traveller of an interactive PAXLST: the CUSRES answer (ERC 0Z
    OK to board, 1Z do not board, 2Z contact the authority) with reasons. Exit status 3 when
    anyone is not cleared to board."""
    settings = node_settings(data_dir)
    targeting = targeting_for(settings)
    with unit(settings) as session:
        actor = acting(session, user, Permission.TRAVEL_CHECK)
        answered, text = cusres.answer(
            session, targeting, file.read_bytes(), now=_now(), actor=actor
        )
    if as_json:
        out.print(json.dumps([a.as_dict() for a in answered], ensure_ascii=False), highlight=False)
    elif output is not None:
        output.write_text(text)
        out.print(f"CUSRES written to {output} ({len(answered)} traveller(s)).")
    else:
        out.print(text, highlight=False, end="")
    if any(a.verdict.decision != "board" for a in answered):
        raise typer.Exit(3)


def queue_command(
    user: ActingUser,
    within_hours: Annotated[
        int | None, typer.Option("--within-hours", help="Departing within this many hours.")
    ] = None,
    severity: Annotated[str | None, typer.Option(help="high, medium or low.")] = None,
    flight: Annotated[str | None, typer.Option(help="A flight, e.g. AC870.")] = None,
    category: Annotated[str | None, typer.Option(help="A hit category.")] = None,
    team: Annotated[str | None, typer.Option(help="A targeting team.")] = None,
    status: Annotated[str | None, typer.Option(help="A disposition, e.g. 'in review'.")] = None,
    include_closed: Annotated[
        bool, typer.Option("--all", help="Include cleared and closed ones.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    data_dir: DataDir = None,
) -> None:
    """The analysts' queue (priority vetting), soonest departure first."""
    filters = parsed(
        QueueFilter,
        within_hours=within_hours,
        severity=severity,
        flight=flight,
        category=category,
        team=team,
        status=status,
        open=not include_closed,
    )
    settings = node_settings(data_dir)
    with unit(settings) as session:
        acting(session, user, Permission.TRAVEL_READ)
        total, rows = queue.list_queue(session, filters, now=_now(), limit=500)
        if as_json:
            from smartborder.travel.targeting.rows import assessment_out

            out.print(json.dumps({"total": total, "items": [assessment_out(r) for r in rows]}))
            return
        table = Table(
            "id",
            "departs",
            "flight",
            "traveller",
            "severity",
            "score",
            "decision",
            "category",
            "team",
            "status",
            "from",
        )
        for row in rows:
            s = row.summary
            table.add_row(
                row.id[:8],
                row.departs,
                s.get("flight", ""),
                s.get("name", ""),
                row.severity,
                str(row.score),
                row.decision,
                row.category,
                row.team,
                row.status,
                row.origin,
            )
    out.print(table)
    out.print(f"{total} in the queue.")


def show_command(assessment: str, user: ActingUser, data_dir: DataDir = None) -> None:
    """One assessment as its page shows it (JSON): traveller, flight, booking, hits with their
    evidence and lookout, indicators with what matched, history."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        acting(session, user, Permission.TRAVEL_READ)
        found = detail_out(queue.detail(session, _resolve(session, assessment)))
    out.print(json.dumps(found, ensure_ascii=False, indent=2), highlight=False)


def _resolve(session: object, prefix: str) -> str:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    assert isinstance(session, Session)
    ids = (
        session.execute(
            select(tm.Assessment.id).where(tm.Assessment.id.startswith(prefix)).limit(2)
        )
        .scalars()
        .all()
    )
    return ids[0] if len(ids) == 1 else prefix


def dispose_command(
    assessment: str,
    user: ActingUser,
    status: Annotated[str, typer.Option(help="in review, cleared, referred to secondary, ...")],
    note: Annotated[str, typer.Option(help="Why (required except for 'in review').")] = "",
    data_dir: DataDir = None,
) -> None:
    """Set an assessment's disposition with a note; a shared traveller's goes to the partner."""
    settings = node_settings(data_dir)
    ex = node_exchange(settings)
    with unit(settings) as session:
        actor = acting(session, user, Permission.TRAVEL_DISPOSE)
        step = queue.set_disposition(
            session,
            _resolve(session, assessment),
            status=status,
            note=note,
            actor=actor,
            now=_now(),
            ex=ex,
        )
        out.print(f"{step.assessment_id}: {step.status}.")


def rescore_command(user: ActingUser, data_dir: DataDir = None) -> None:
    """Screen and score again every traveller of the flights not yet arrived (after lookouts
    or the model changed outside ``serve``, which does this by itself)."""
    settings = node_settings(data_dir)
    targeting = targeting_for(settings)
    with unit(settings) as session:
        actor = acting(session, user, Permission.RISK_MODEL_ACTIVATE)
        scored = rescore(session, targeting, now=_now(), actor=actor, reason="asked for")
    out.print(json.dumps(scored.as_dict()), highlight=False)
