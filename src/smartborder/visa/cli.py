"""``smartborder visa ...``: requirement snapshots, the convergence report, history,
consultations with the partner and visa applicant screening."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from smartborder import clock
from smartborder.cliutil import (
    ActingUser,
    DataDir,
    acting,
    err,
    node_settings,
    out,
    quarantine,
    unit,
)
from smartborder.context import node_exchange
from smartborder.errors import ValidationFailed
from smartborder.roles import Permission
from smartborder.screening.files import read_records, validate_all
from smartborder.screening.matcher import Thresholds
from smartborder.screening.service import Screening
from smartborder.visa import applicants, consult, service
from smartborder.visa.report import report_csv
from smartborder.visa.requirements import BUNDLED, bundled_text
from smartborder.visa.service import snapshot_out

visa_app = typer.Typer(
    help="Visa policy: requirement snapshots, convergence report, consultations, screening.",
    no_args_is_help=True,
)


def _date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"'{value}' is not a date (YYYY-MM-DD)", param_hint=option
        ) from None


def _now() -> dt.datetime:
    return clock.now()


@visa_app.command("load")
def load(
    user: ActingUser,
    file: Annotated[
        Path | None,
        typer.Argument(
            exists=True,
            dir_okay=False,
            help="A CSV snapshot (Passport,Destination,Requirement); none: the shipped data set.",
        ),
    ] = None,
    taken_on: Annotated[
        str | None, typer.Option("--date", help="The date the data describes (default today).")
    ] = None,
    label: Annotated[str, typer.Option("--label", help="What this snapshot is.")] = "",
    data_dir: DataDir = None,
) -> None:
    """Load a snapshot of visa requirements; a file with any problem changes nothing (each
    problem reported as FILE:LINE: column: problem; the file is kept in quarantine)."""
    settings = node_settings(data_dir)
    when = _date(taken_on, "--date") or _now().date()
    if file is None:
        text, name = bundled_text(), BUNDLED
    else:
        try:
            text, name = file.read_text(encoding="utf-8-sig"), file.name
        except UnicodeDecodeError as exc:
            text, name = "", file.name
            problem = {
                "source": name,
                "line": 1,
                "location": "file",
                "message": f"byte {exc.start} cannot be decoded as UTF-8",
            }
            _rejected(
                settings, file, ValidationFailed(f"{name} is not UTF-8 text", details=[problem])
            )
    try:
        with unit(settings) as session:
            actor = acting(session, user, Permission.VISA_MANAGE)
            snapshot = service.load_snapshot(
                session,
                text,
                source=f"file:{name}",
                taken_on=when,
                label=label or f"{name} ({when})",
                actor=actor,
                now=_now(),
            )
            summary = (snapshot.id, len(snapshot.destinations), snapshot.rows)
    except ValidationFailed as exc:
        if file is None:
            raise
        _rejected(settings, file, exc)
    out.print(
        f"Loaded snapshot {summary[0]} of {when}: {summary[1]} destination list(s), "
        f"{summary[2]:,} requirements.",
        highlight=False,
    )


def _rejected(settings: Any, file: Path, exc: ValidationFailed) -> None:
    for detail in exc.details:
        detail.setdefault("source", file.name)
    err.print(f"[bold red]error:[/] {exc.message}", highlight=False)
    for detail in exc.details:
        line = f":{detail['line']}" if detail.get("line") else ""
        err.print(
            f"  {detail['source']}{line}: {detail['location']}: {detail['message']}",
            highlight=False,
        )
    kept = quarantine(settings, file, exc.details)
    err.print(f"kept in quarantine: {kept}", highlight=False)
    raise typer.Exit(1)


@visa_app.command("snapshots")
def list_snapshots(
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
    data_dir: DataDir = None,
) -> None:
    """The snapshots loaded, newest first."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        rows = [snapshot_out(row) for row in service.snapshots(session, now=_now())]
    if as_json:
        out.print_json(json.dumps(rows))
        return
    table = Table("id", "date", "label", "destinations", "rows", "loaded", "by")
    for row in rows:
        places = row["destinations"]
        shown = ", ".join(places[:4]) + (" …" if len(places) > 4 else "")
        table.add_row(
            row["id"],
            row["taken_on"],
            row["label"],
            f"{len(places)} ({shown})",
            f"{row['rows']:,}",
            row["loaded_at"][:16],
            row["loaded_by"],
        )
    out.print(table)


@visa_app.command("compare")
def compare(
    a: Annotated[str, typer.Argument(help="A destination (ISO alpha-2), e.g. CA.")] = "CA",
    b: Annotated[str, typer.Argument(help="Another destination, e.g. US.")] = "US",
    snapshot: Annotated[
        str | None, typer.Option("--snapshot", help="As of this date (default: latest lists).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    csv_file: Annotated[
        Path | None, typer.Option("--csv", help="Also write one row per nationality here.")
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """The convergence report of two destinations' visa requirements: how many nationalities
    they treat alike, and which they do not, grouped by kind of difference."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        report = service.convergence(session, a, b, _date(snapshot, "--snapshot"), now=_now())
    if csv_file is not None:
        csv_file.write_text(report_csv(report), encoding="utf-8")
    data = report.as_dict()
    if as_json:
        out.print_json(json.dumps(data))
        return
    x, y = data["a"], data["b"]
    lists = data["lists"]
    out.print(
        f"{x} (list of {lists[x]['taken_on']}) and {y} (list of {lists[y]['taken_on']}), "
        f"{data['nationalities']} nationalities of third countries:\n"
        f"  same policy: {data['agree']}   different: {data['differ']}\n"
        f"  visa needed or not: same {data['visa_needed']['agree']}, "
        f"different {data['visa_needed']['differ']}",
        highlight=False,
    )
    kinds = Table("kind of difference", "count", "nationalities")
    for group in data["by_kind"]:
        kinds.add_row(group["kind"], str(group["count"]), ", ".join(group["nationalities"]))
    out.print(kinds)
    table = Table("nationality", "name", x, y, "kind")
    for row in data["differing"]:
        table.add_row(
            row["nationality"],
            row["name"],
            (row[x] or {}).get("label", "-"),
            (row[y] or {}).get("label", "-"),
            row["kind"],
        )
    out.print(table)
    if csv_file is not None:
        out.print(f"Wrote {csv_file}.", highlight=False)


@visa_app.command("diff")
def diff(
    destination: Annotated[str, typer.Argument(help="A destination (ISO alpha-2), e.g. CA.")],
    before: Annotated[
        str | None, typer.Option("--from", help="The earlier list: as of this date.")
    ] = None,
    after: Annotated[
        str | None, typer.Option("--to", help="The later list: as of this date (default latest).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
    data_dir: DataDir = None,
) -> None:
    """What changed in one destination's requirements between two snapshots (default: its two
    latest lists)."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        data = service.diff(
            session, destination, _date(before, "--from"), _date(after, "--to"), now=_now()
        )
    if as_json:
        out.print_json(json.dumps(data))
        return
    out.print(
        f"{data['destination']}: list of {data['before']['taken_on']} → list of "
        f"{data['after']['taken_on']}: {data['changed']} change(s).",
        highlight=False,
    )
    table = Table("nationality", "name", "before", "after", "kind")
    for row in data["changes"]:
        table.add_row(
            row["nationality"],
            row["name"],
            (row["before"] or {}).get("label", "-"),
            (row["after"] or {}).get("label", "-"),
            row["kind"],
        )
    if data["changes"]:
        out.print(table)


@visa_app.command("consult")
def consult_partner(
    nationality: Annotated[str, typer.Argument(help="The nationality concerned (alpha-2).")],
    user: ActingUser,
    change: Annotated[str, typer.Option("--change", help="impose or lift.")],
    partner: Annotated[str, typer.Option("--to", help="The partner node, e.g. us.")],
    effective: Annotated[str, typer.Option("--effective", help="When it would take effect.")],
    due: Annotated[str, typer.Option("--due", help="The date a reply is due.")],
    rationale: Annotated[str, typer.Option("--rationale", help="Why the change is planned.")],
    proposed: Annotated[
        str | None,
        typer.Option(
            "--proposed",
            help="The requirement it would become (default: visa required to impose, eta to lift).",
        ),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Consult the partner before imposing or lifting a visa requirement (this node's country
    is the destination); sent under the visa annex."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        actor = acting(session, user, Permission.VISA_MANAGE)
        row = consult.propose(
            session,
            node_exchange(settings),
            destination=settings.country,
            partner=partner,
            nationality=nationality,
            change=change,
            proposed=proposed,
            effective=_required_date(effective, "--effective"),
            due_date=_required_date(due, "--due"),
            rationale=rationale,
            actor=actor,
        )
        shown = consult.consultation_out(row)
    out.print(
        f"Consultation {shown['id']} sent to {partner}: {shown['destination']} would "
        f"{shown['change']} ({shown['current_label']} → {shown['proposed_label']}) for "
        f"{shown['nationality']} nationals from {shown['effective']}; reply due "
        f"{shown['due_date']}.",
        highlight=False,
    )


def _required_date(value: str, option: str) -> dt.date:
    found = _date(value, option)
    assert found is not None
    return found


@visa_app.command("consultations")
def consultations(
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
    data_dir: DataDir = None,
) -> None:
    """Consultations sent (out) and received (in), newest first, with where each stands."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        rows = [consult.consultation_out(r) for r in consult.listing(session)]
    if as_json:
        out.print_json(json.dumps(rows))
        return
    table = Table("id", "way", "partner", "change", "effective", "due", "state", "position")
    for row in rows:
        what = (
            f"{row['destination']} {row['change']} for {row['nationality']}: "
            f"{row['current_label']} → {row['proposed_label']}"
        )
        table.add_row(
            row["id"][:8],
            row["direction"],
            row["partner"],
            what,
            row["effective"],
            row["due_date"],
            row["state"],
            row["position"] or "-",
        )
    out.print(table)


@visa_app.command("reply")
def reply(
    consultation_id: Annotated[str, typer.Argument(help="The consultation (id or its start).")],
    user: ActingUser,
    position: Annotated[str, typer.Option("--position", help="support, no objection, object.")],
    comments: Annotated[str, typer.Option("--comments", help="Reasons, required to object.")] = "",
    data_dir: DataDir = None,
) -> None:
    """Answer a partner's consultation with this node's position."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        actor = acting(session, user, Permission.VISA_MANAGE)
        row = consult.reply(
            session,
            node_exchange(settings),
            consultation_id,
            position=position,
            comments=comments,
            actor=actor,
        )
        reference = row.reference
    out.print(f"Answered consultation {reference}: {position}.", highlight=False)


@visa_app.command("screen")
def screen_file(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            help="Applications: .csv, .jsonl or .json (one applicant each).",
        ),
    ],
    user: ActingUser,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON result per line.")] = False,
    data_dir: DataDir = None,
) -> None:
    """Screen every applicant of an application file against the node's lookouts (its own and
    the partner's); bad records are reported with their line and nothing is screened."""
    settings = node_settings(data_dir)
    rows = read_records(file, set(applicants.COLUMNS))
    found, problems = validate_all(applicants.ApplicationIn, rows, source=file.name)
    if problems:
        raise ValidationFailed(
            f"{len(problems)} problem(s) in {file.name}; nothing screened", details=problems
        )
    engine = Screening(Thresholds.from_settings(settings))
    results = []
    with unit(settings) as session:
        actor = acting(session, user, Permission.SCREENING_RUN)
        with err.status("loading lookouts into the index"):
            engine.sync(session)
        for application in found:
            results.append(
                applicants.screen_application(
                    session,
                    engine,
                    application,
                    destination=settings.country,
                    actor=actor,
                    now=_now(),
                )
            )
    if as_json:
        for result in results:
            out.print(json.dumps(result, ensure_ascii=False), highlight=False, soft_wrap=True)
    else:
        for result in results:
            need = result["requirement"]
            rule = f"{result['destination']}: {need['label']}" if need else "no list"
            out.print(
                f"[bold]{result['application']}[/] {result['outcome']} ({rule})", highlight=False
            )
            for reason in result["reasons"]:
                out.print(f"  - {reason}", highlight=False)
            for hit in result["hits"]:
                for e in hit["evidence"]:
                    out.print(
                        f"      {hit['lookout_id']} {e['feature']}: {e['level']} "
                        f"({e['weight']:+.1f}) {e['detail']}",
                        highlight=False,
                    )
    referred = sum(1 for r in results if r["outcome"] != "no hit")
    err.print(f"{len(results)} applicant(s) screened; {referred} referred to an officer.")
