"""``smartborder operations ...``: the overview over a date range (totals by series and key, or
CSV), and counting the hours now (as the node's job does)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from smartborder.cliutil import ActingUser, DataDir, acting, node_settings, out, unit
from smartborder.context import node_exchange
from smartborder.operations import trends
from smartborder.operations.overview import as_csv, overview, parse_range
from smartborder.operations.rollup import behind, rollup
from smartborder.roles import Permission

operations_app = typer.Typer(help="Operations: the overview by the hour, as a table or CSV.",
                             no_args_is_help=True)  # fmt: skip


@operations_app.callback()
def _group() -> None:
    """Operations: the overview by the hour, as a table or CSV."""


@operations_app.command("overview")
def show(
    user: ActingUser,
    start: Annotated[str | None, typer.Option(
        "--from", help="ISO date or date and time, UTC (default: 24 hours ago).")] = None,
    end: Annotated[str | None, typer.Option(
        "--to", help="ISO date (inclusive) or date and time, UTC (default: now).")] = None,
    as_csv_: Annotated[bool, typer.Option("--csv", help="The counts as CSV.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
    data_dir: DataDir = None,
) -> None:  # fmt: skip
    """Operations: each series' total in the range by key, and the figures of now (or the
    counts by hour or day as CSV, or everything as JSON)."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        acting(session, user, Permission.OPERATIONS_READ)
        now = node_exchange(settings).clock()
        seen = overview(session, parse_range(start, end, now=now), now=now)
    if as_csv_:
        out.file.write(as_csv(seen))
        return
    if as_json:
        out.print_json(json.dumps(seen))
        return
    out.print(f"{seen['from'][:16]} to {seen['to'][:16]} UTC, by {seen['step']}",
              highlight=False)  # fmt: skip
    for one in seen["series"]:
        keys = ", ".join(f"{line['key'] or 'all'} {line['total']:,}" for line in one["lines"])
        out.print(f"{one['name']:<22} {one['total']:>10,}  {keys}", highlight=False)
    for gauge in seen["now"]:
        flag = "  (needs attention)" if gauge["warn"] else ""
        value = "-" if gauge["value"] is None else gauge["value"]
        out.print(f"{gauge['panel']}: {gauge['title']}: {value}{flag}", highlight=False)


@operations_app.command("count")
def count(user: ActingUser, data_dir: DataDir = None) -> None:
    """Operations: count every series by the hour up to now (the node's job does this every
    dispatch interval; a node that had none catches up a week per transaction)."""
    settings = node_settings(data_dir)
    written = 0
    while True:
        with unit(settings) as session:
            acting(session, user, Permission.OPERATIONS_READ)
            now = node_exchange(settings).clock()
            written += sum(rollup(session, now=now).values())
            late = behind(session, now)
        if not late:
            break
    out.print(f"counted up to {now:%Y-%m-%d %H:%M} UTC: {written:,} hourly counts written",
              highlight=False)  # fmt: skip


def _cells(seen: dict[str, Any] | None) -> dict[str, str]:
    if seen is None:
        return {}
    return {c["key"]: ("suppressed" if c["suppressed"] else
                       f"{c['count']:,}" + (f" of {c['of']:,}" if c["of"] is not None else ""))
            for c in seen["cells"]}  # fmt: skip


@operations_app.command("trends")
def trend(
    report: Annotated[str, typer.Argument(help=", ".join(trends.REPORTS))],
    user: ActingUser,
    start: Annotated[str | None, typer.Option(
        "--from", help="ISO date or date and time, UTC (default: 24 hours ago).")] = None,
    end: Annotated[str | None, typer.Option(
        "--to", help="ISO date (inclusive) or date and time, UTC (default: now).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
    data_dir: DataDir = None,
) -> None:  # fmt: skip
    """Operations: a trend report for the range, ours beside the partner's shared aggregates
    (suppressed cells said), with the agreement they travelled under."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        acting(session, user, Permission.OPERATIONS_READ)
        now = node_exchange(settings).clock()
        seen = trends.compare(session, report, parse_range(start, end, now=now), settings.country)
    if as_json:
        out.print_json(json.dumps(seen))
        return
    theirs = seen["theirs"]
    out.print(f"{seen['title']} ({seen['measure']}), {seen['from'][:16]} to {seen['to'][:16]}"
              " UTC", highlight=False)  # fmt: skip
    out.print("partner: " + (f"{theirs['partner']} under {theirs['agreement']}, cells under "
                             f"{theirs['minimum_cell']} suppressed" if theirs else
                             "nothing shared for this range"), highlight=False)  # fmt: skip
    mine, partner = _cells(seen["ours"]), _cells(theirs)
    for key in sorted(set(mine) | set(partner)):
        out.print(f"  {key:<24} ours {mine.get(key, '-'):>16}   theirs "
                  f"{partner.get(key, '-'):>16}", highlight=False)  # fmt: skip


@operations_app.command("share")
def share(
    report: Annotated[str, typer.Argument(help=", ".join(trends.REPORTS))],
    user: ActingUser,
    partner: Annotated[str, typer.Option("--partner", help="The partner node.")],
    start: Annotated[str, typer.Option("--from", help="ISO date or date and time, UTC.")],
    end: Annotated[str, typer.Option("--to", help="ISO date (inclusive) or date and time.")],
    minimum: Annotated[int | None, typer.Option(
        "--minimum-cell", help="Suppress cells under this (at least the annex's).")] = None,
    data_dir: DataDir = None,
) -> None:  # fmt: skip
    """Operations: share a trend report's aggregates for the range with the partner under the
    statistics annex, no cell under the annex's minimum."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        actor = acting(session, user, Permission.OPERATIONS_SHARE)
        ex = node_exchange(settings)
        span = parse_range(start, end, now=ex.clock())
        row = trends.share(session, ex, report, span, partner=partner, actor=actor,
                           minimum=minimum)  # fmt: skip
        said = trends.aggregate_out(row)
    out.print(f"{said['report']} {said['from'][:16]} to {said['to'][:16]} queued for "
              f"{said['partner']} under {said['agreement']}: {len(said['cells'])} cells, "
              f"{said['suppressed_cells']} suppressed (under {said['minimum_cell']})",
              highlight=False)  # fmt: skip
