"""``smartborder audit``: verify the chain, list entries, send a checkpoint."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from smartborder.audit import service
from smartborder.audit.checkpoints import make_checkpoint, own_heads, verify
from smartborder.audit.heads import HeadLog, read_heads
from smartborder.cliutil import DataDir, fail, node_settings, out, unit
from smartborder.context import node_exchange
from smartborder.db import utcnow

audit_app = typer.Typer(help="The node's tamper-evident audit log.", no_args_is_help=True)


@audit_app.command("verify")
def audit_verify(
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    heads: Annotated[
        Path | None,
        typer.Option("--heads", help="Check against this copy of the signed heads (a witness's)."),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Check the hash chain, the node's signed heads and the partners' signed checkpoints; say
    which entries no signed head covers yet; exit 1 on any problem."""
    settings = node_settings(data_dir)
    if heads is not None and not heads.is_file():
        fail(f"{heads}: no such file of signed heads")
    with unit(settings) as session:
        report = verify(session, own_heads(settings, heads)).as_dict()
    if as_json:
        out.print_json(json.dumps(report))
    elif report["ok"]:
        out.print(
            f"[green]OK[/] {report['size']} entries, head {report['head']}; "
            f"{report['receipts_checked']} partner receipt(s) and "
            f"{report['partner_checkpoints_checked']} partner checkpoint(s) and "
            f"{report['signed_heads_checked']} signed head(s) verified."
        )
    else:
        out.print(f"[bold red]FAILED[/] at position {report['first_bad_position']}")
        for problem in report["problems"]:
            out.print(f"  {problem}", highlight=False)
    if report["uncovered"] and not as_json:
        gap = report["uncovered"]
        out.print(
            f"[yellow]Not yet covered[/] by a signed head: entries {gap['from_position']}-"
            f"{gap['to_position']} ({gap['entries']}, since {gap['since']}).",
            highlight=False,
        )
    if not report["ok"]:
        raise typer.Exit(1)


@audit_app.command("heads")
def audit_heads(
    export: Annotated[
        Path | None, typer.Option("--export", help="Write every signed head to this file.")
    ] = None,
    sign: Annotated[bool, typer.Option("--sign", help="Sign the current head first.")] = False,
    data_dir: DataDir = None,
) -> None:
    """The node's signed heads of its audit chain (kept outside the database); --export copies
    them for a witness, who can later run 'audit verify --heads FILE' against the node."""
    settings = node_settings(data_dir)
    if sign:
        with unit(settings) as session:
            HeadLog.for_node(settings, node_exchange(settings).signer).sign_current(
                session, utcnow()
            )
    source = own_heads(settings)
    signed, problems = read_heads(source.path, source.public_pem)
    for problem in problems:
        out.print(f"[red]{problem}[/]", highlight=False)
    if export is not None:
        lines = [
            json.dumps({"size": h.size, "head": h.head, "at": h.at, "token": h.token})
            for h in signed
        ]
        export.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
        out.print(f"{len(lines)} signed head(s) written to {export}.", highlight=False)
        return
    table = Table("line", "entries", "head", "signed at (UTC)")
    for h in signed[-20:]:
        table.add_row(str(h.line), str(h.size), h.head[:16] + "…", h.at)
    table.caption = f"{len(signed)} signed head(s) in {source.path}"
    out.print(table)


@audit_app.command("list")
def audit_list(
    event: Annotated[
        str, typer.Option("--event", help="Event prefix, e.g. exchange:envelope.")
    ] = "",
    agreement: Annotated[str, typer.Option("--agreement", help="Only this agreement.")] = "",
    partner: Annotated[str, typer.Option("--partner", help="Only this partner.")] = "",
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000, help="Rows.")] = 50,
    data_dir: DataDir = None,
) -> None:
    """List audit entries, newest first."""
    settings = node_settings(data_dir)
    where = service.EntryFilter(event=event, agreement=agreement, partner=partner)
    table = Table("#", "time (UTC)", "event", "actor", "partner", "agreement", "subject")
    with unit(settings) as session:
        total, entries = service.list_entries(session, where, limit=limit)
        for e in entries:
            table.add_row(
                str(e.seq),
                f"{e.at:%Y-%m-%d %H:%M:%S}",
                e.event,
                e.actor,
                e.partner or "",
                e.agreement or "",
                e.subject or "",
            )
    table.caption = f"{len(entries)} of {total}"
    out.print(table)


@audit_app.command("checkpoint")
def audit_checkpoint(data_dir: DataDir = None) -> None:
    """Sign the chain's size and head now and queue it to every partner."""
    settings = node_settings(data_dir)
    ex = node_exchange(settings)
    with unit(settings) as session:
        made = make_checkpoint(session, ex, actor="cli:operator")
    if made:
        out.print(
            f"Checkpoint of {made[0].size} entries queued to {', '.join(c.partner for c in made)}."
        )
    else:
        out.print("No partners registered: nothing to send.")
