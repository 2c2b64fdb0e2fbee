"""``smartborder travel ...``: the API/PNR command group, gathered from its sub-domains: intake
(parse, ingest, watch, quarantine, reprocess), targeting (check, queue, show, dispose,
rescore), retention (retention, hold, release) and the risk model (``model ...``)."""

from __future__ import annotations

import typer

from smartborder.travel.intake import cli as intake_cli
from smartborder.travel.retention import cli as retention_cli
from smartborder.travel.riskmodels.cli import model_app
from smartborder.travel.targeting import cli as targeting_cli

travel_app = typer.Typer(
    help="API/PNR: PAXLST and PNRGOV messages, retention, the risk model.", no_args_is_help=True
)
travel_app.add_typer(model_app, name="model")
travel_app.command("parse")(intake_cli.parse_file)
travel_app.command("ingest")(intake_cli.ingest)
travel_app.command("watch")(intake_cli.watch)
travel_app.command("quarantine")(intake_cli.quarantine)
travel_app.command("reprocess")(intake_cli.reprocess)
travel_app.command("consume")(intake_cli.consume)
travel_app.command("check")(targeting_cli.check_command)
travel_app.command("queue")(targeting_cli.queue_command)
travel_app.command("show")(targeting_cli.show_command)
travel_app.command("dispose")(targeting_cli.dispose_command)
travel_app.command("rescore")(targeting_cli.rescore_command)
travel_app.command("retention")(retention_cli.retention_command)
travel_app.command("hold")(retention_cli.hold_command)
travel_app.command("release")(retention_cli.release_command)
