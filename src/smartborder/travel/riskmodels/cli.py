"""``smartborder travel model ...``: check, load, list, try and activate risk models."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from smartborder import clock
from smartborder.cliutil import ActingUser, DataDir, acting, err, fail, node_settings, out, unit
from smartborder.context import node_exchange
from smartborder.errors import ValidationFailed
from smartborder.roles import Permission
from smartborder.travel.riskmodels import cosign, service
from smartborder.travel.riskmodels.document import RiskModelDoc, load_model
from smartborder.travel.targeting.cli import targeting_for
from smartborder.travel.targeting.service import activate_model

model_app = typer.Typer(
    help="The joint risk model: indicators, thresholds, board/no-board rules.",
    no_args_is_help=True,
)
ModelFile = Annotated[
    Path, typer.Argument(exists=True, dir_okay=False, help="A risk model (YAML or JSON).")
]


def _read(path: Path) -> RiskModelDoc:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"{path}: cannot read ({exc})")
    try:
        return load_model(text, path.name)
    except ValidationFailed as exc:
        err.print(f"[bold red]error:[/] {exc.message}", highlight=False)
        for detail in exc.details:
            line = f" line {detail['line']}" if detail.get("line") else ""
            err.print(
                f"  {detail['source']}{line}: {detail['location']}: {detail['message']}",
                highlight=False,
            )
        raise typer.Exit(1) from None


@model_app.command("check")
def check(file: ModelFile) -> None:
    """Check a model file and report every problem with its line; exit 1 if any."""
    doc = _read(file)
    joint = sum(1 for i in doc.indicators if i.scope == "joint")
    out.print(
        f"{file.name}: model {doc.name} version {doc.version} is valid: "
        f"{len(doc.indicators)} indicators ({joint} joint), review at {doc.thresholds.review}, "
        f"shared at a joint score of {doc.thresholds.share}.",
        highlight=False,
    )


@model_app.command("load")
def load(file: ModelFile, user: ActingUser, data_dir: DataDir = None) -> None:
    """Keep a checked model as a draft (a model with any problem is refused)."""
    doc = _read(file)
    settings = node_settings(data_dir)
    with unit(settings) as session:
        actor = acting(session, user, Permission.RISK_MODEL_EDIT)
        row = service.store_model(
            session, doc, source=f"file:{file.name}", actor=actor, now=clock.now()
        )
        model_id = row.id
    out.print(f"Loaded {doc.name} version {doc.version} as draft {model_id}.", highlight=False)


@model_app.command("list")
def list_models(data_dir: DataDir = None) -> None:
    """Models loaded on this node, newest version first."""
    settings = node_settings(data_dir)
    table = Table("id", "name", "version", "status", "joint", "indicators", "loaded", "by")
    with unit(settings) as session:
        for row in service.list_models(session):
            table.add_row(
                row.id,
                row.name,
                str(row.version),
                row.status,
                "yes" if row.joint else "no",
                str(row.indicators),
                f"{row.created_at:%Y-%m-%d %H:%M}",
                row.created_by,
            )
    out.print(table)


@model_app.command("activate")
def activate(model_id: str, user: ActingUser, data_dir: DataDir = None) -> None:
    """Make a loaded model the one that scores travellers (the previous one is retired)."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        actor = acting(session, user, Permission.RISK_MODEL_ACTIVATE)
        now = clock.now()
        row, scored = activate_model(
            session, targeting_for(settings), model_id, actor=actor, now=now
        )
        name, version = row.name, row.version
    out.print(
        f"Model {name} version {version} is now active; {scored.travellers:,} travellers of "
        f"{scored.flights} flights not yet arrived scored again ({scored.queued:,} queued).",
        highlight=False,
    )


@model_app.command("propose")
def propose(
    model_id: str,
    user: ActingUser,
    partner: Annotated[str, typer.Option("--to", help="The partner node, e.g. us.")],
    data_dir: DataDir = None,
) -> None:
    """Offer a loaded model to a partner for co-signature; it becomes joint when they co-sign."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        actor = acting(session, user, Permission.RISK_MODEL_ACTIVATE)
        row = cosign.propose(
            session, node_exchange(settings), model_id, partner=partner, actor=actor
        )
        name, version = row.name, row.version
    out.print(f"Model {name} version {version} proposed to {partner}.", highlight=False)


@model_app.command("cosign")
def cosign_model(model_id: str, user: ActingUser, data_dir: DataDir = None) -> None:
    """Co-sign a model a partner proposed: it is then joint on both nodes."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        actor = acting(session, user, Permission.RISK_MODEL_ACTIVATE)
        row = cosign.cosign(
            session,
            node_exchange(settings),
            model_id,
            actor=actor,
            now=clock.now(),
        )
        name, version, partner = row.name, row.version, row.cosigned_by
    out.print(f"Model {name} version {version} co-signed: joint with {partner}.", highlight=False)


@model_app.command("try")
def try_model(
    file: ModelFile,
    date: Annotated[
        str, typer.Option("--date", help="Departure date of the flights to try it on (YYYY-MM-DD).")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    data_dir: DataDir = None,
) -> None:
    """Run a model file over the stored travellers of one day, without keeping anything: how
    many each indicator flags, how many would be queued, shared, or refused boarding."""
    try:
        day = dt.date.fromisoformat(date).isoformat()
    except ValueError:
        fail(f"--date: '{date}' is not a date (YYYY-MM-DD)")
    doc = _read(file)
    settings = node_settings(data_dir)
    with unit(settings) as session:
        tried = service.try_model(session, doc, day, node=settings.node_id)
    if as_json:
        out.print(json.dumps(tried.as_dict(), ensure_ascii=False), highlight=False)
        return
    out.print(
        f"{tried.travellers:,} travellers on {tried.flights} flights departing {day}: "
        f"{tried.matched:,} flagged by at least one indicator, {tried.queued:,} over the review "
        f"threshold, {tried.shareable:,} over the joint sharing threshold.",
        highlight=False,
    )
    table = Table("indicator", "weight", "scope", "travellers flagged")
    counts = tried.by_indicator
    for indicator in doc.indicators:
        table.add_row(
            indicator.id, str(indicator.weight), indicator.scope, f"{counts[indicator.id]:,}"
        )
    out.print(table)
    out.print(
        "Decisions: " + ", ".join(f"{k} {v:,}" for k, v in sorted(tried.decisions.items())),
        highlight=False,
    )
