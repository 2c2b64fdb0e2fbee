"""``smartborder travel retention|hold|release``: run the retention job (or preview it), and
legal holds on a traveller's data."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated

import typer
from rich.table import Table

from smartborder import clock
from smartborder.cliutil import (
    ActingUser,
    DataDir,
    acting,
    node_settings,
    operator,
    out,
    unit,
)
from smartborder.roles import Permission
from smartborder.travel.retention import service as retention_job


def _now() -> dt.datetime:
    return clock.now()


def retention_command(
    preview: Annotated[
        bool,
        typer.Option(
            "--preview",
            help="Say what would be masked and deleted; change nothing.",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON.")] = False,
    data_dir: DataDir = None,
) -> None:
    """Run the API/PNR retention job now (``serve`` runs it every hour): delete what is past
    SMARTBORDER_TRAVEL_DELETE_AFTER_DAYS, mask what is past SMARTBORDER_TRAVEL_MASK_AFTER_DAYS,
    except travellers under an open hold. Every mask and deletion is audited."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        run = retention_job.run_retention(
            session,
            mask_after_days=settings.travel_mask_after_days,
            delete_after_days=settings.travel_delete_after_days,
            now=_now(),
            actor=operator(),
            preview=preview,
        )
    if as_json:
        out.print(json.dumps(run.as_dict()), highlight=False)
        return
    verb = ("would mask", "would delete") if preview else ("masked", "deleted")
    table = Table("", "flights", "messages", "passengers", "reservations", "travellers")
    for label, tally in (
        (f"{verb[1]} (received before {run.delete_before:%Y-%m-%d})", run.deleted),
        (f"{verb[0]} (received before {run.mask_before:%Y-%m-%d})", run.masked),
        (f"kept: {run.held_travellers} traveller(s) on hold", run.kept_for_holds),
    ):
        counts = tally.as_dict()
        table.add_row(label, *(f"{counts[k]:,}" for k in counts))
    out.print(table)


def hold_command(
    traveller_id: Annotated[str, typer.Argument(help="The resolved traveller's id.")],
    user: ActingUser,
    reason: Annotated[str, typer.Option("--reason", help="Why the data must be kept.")],
    data_dir: DataDir = None,
) -> None:
    """Keep a traveller's API/PNR data from being masked or deleted until the hold is released."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        actor = acting(session, user, Permission.TRAVEL_HOLD)
        placed = retention_job.place_hold(
            session, traveller_id, reason=reason, actor=actor, now=_now()
        )
        hold_id = placed.id
    out.print(f"Hold {hold_id} placed on traveller {traveller_id}.", highlight=False)


def release_command(
    hold_id: Annotated[str, typer.Argument(help="The hold's id.")],
    user: ActingUser,
    reason: Annotated[str, typer.Option("--reason", help="Why it is no longer needed.")] = "",
    data_dir: DataDir = None,
) -> None:
    """Release a hold: the traveller's data follows the retention schedule again."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        actor = acting(session, user, Permission.TRAVEL_HOLD)
        retention_job.release_hold(session, hold_id, reason=reason, actor=actor, now=_now())
    out.print(f"Hold {hold_id} released.", highlight=False)
