"""``smartborder asylum ...``: Safe Third Country Agreement determinations from a file."""

from __future__ import annotations

import collections
import json
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from smartborder.asylum import batch, claims, comparisons, reconcile, records
from smartborder.asylum.matching import ClaimIndex
from smartborder.biometrics.service import Biometrics
from smartborder.cliutil import ActingUser, DataDir, acting, err, fail, node_settings, out, unit
from smartborder.context import node_exchange
from smartborder.errors import ValidationFailed
from smartborder.quarantine import kept_file
from smartborder.roles import Permission

asylum_app = typer.Typer(
    help="Asylum: claims, STCA determinations, the Asylum Annex's comparisons.",
    no_args_is_help=True,
)
ClaimArg = Annotated[str, typer.Argument(help="The claim's id or reference.")]
AsJson = Annotated[bool, typer.Option("--json", help="One JSON object.")]


@asylum_app.callback()
def _group() -> None:
    """Asylum: claims, STCA determinations, the Asylum Annex's comparisons."""


@asylum_app.command("determine")
def determine(
    claims: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            help="Claims' facts: a JSON array, JSON lines or a YAML list.",
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines, one per claim.")] = False,
    country: Annotated[
        str, typer.Option("--country", help="Whose rules: CA (Canada's) or US (to verify).")
    ] = "CA",
) -> None:
    """Determine, for each claim, whether the Safe Third Country Agreement makes it ineligible,
    an exception applies, it does not apply, or which facts are missing; each step cites its
    provision. Exit code 0 when every claim was determined, 1 when one was refused (its
    problems are listed with the claim's number and the field)."""
    results = batch.determine_all(batch.claims_of(claims.read_text(encoding="utf-8"),
                                                  claims.name), country.upper())  # fmt: skip
    if as_json:
        for result in results:
            typer.echo(json.dumps(result, default=str))  # one line each
    else:
        for result in results:
            if "refused" in result:
                where = "; ".join(
                    f"{p.get('field', '')}: {p['problem']}" for p in result["refused"]
                )
                out.print(f"claim {result['claim']}: refused ({where})", highlight=False)
                continue
            why = result["steps"][-1]["finding"] if result["steps"] else ""
            extra = ", ".join(e["id"] for e in result["exceptions"]) or ", ".join(
                m["fact"] for m in result["missing"])  # fmt: skip
            out.print(f"claim {result['claim']}: {result['outcome']}"
                      f"{f' ({extra})' if extra else ''} under {result['version']}, decide by "
                      f"{result['deadline']}: {why}", highlight=False)  # fmt: skip
        counts = collections.Counter(r.get("outcome", "refused") for r in results)
        out.print(", ".join(f"{k} {v}" for k, v in counts.most_common()), highlight=False)
    if any("refused" in r for r in results):
        raise typer.Exit(1)


@asylum_app.command("record")
def record(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            help="Claims: one (a JSON or YAML mapping) or many (a JSON array, JSON lines or a "
            "YAML list).",
        ),
    ],
    user: ActingUser,
    data_dir: DataDir = None,
) -> None:
    """Record claims: each is determined at once and its claimant sent for comparison to every
    partner the Asylum Annex is in force with. A claim with problems is refused on its own
    (its number and field said; nothing of it written) and kept in quarantine; exit code 1."""
    settings = node_settings(data_dir)
    text = file.read_text(encoding="utf-8")
    raw = batch.claims_of(text, file.name, one_allowed=True)
    ex = node_exchange(settings)
    refused: list[dict[str, object]] = []
    for number, item in enumerate(raw, start=1):
        checked = batch.claim_in(item, number)
        if isinstance(checked, list):
            refused += checked
            where = "; ".join(f"{p.get('field', '')}: {p['problem']}" for p in checked)
            out.print(f"claim {number}: refused ({where})", highlight=False)
            continue
        with unit(settings) as session:
            actor = acting(session, user, Permission.ASYLUM_DETERMINE)
            row, made = claims.create(session, checked, actor=actor, now=ex.clock(),
                                      country=settings.country)  # fmt: skip
            sent, skipped = comparisons.compare_new(session, ex, row, actor=actor)
            partners = ", ".join(c.partner for c in sent) or "no partner"
            not_sent = "".join(f"; not sent to {s}" for s in skipped)
            said = (f"claim {number}: {row.reference} recorded, {made.outcome} under "
                    f"{made.rules}; compared with {partners}{not_sent}")  # fmt: skip
            out.print(said, highlight=False)
    if refused:
        kept = kept_file(settings.data_dir, file.name, text.encode("utf-8"), refused)
        err.print(f"kept in quarantine: {kept}", highlight=False)
        raise typer.Exit(1)


def _mapping(text: str, file: Path) -> object:
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        fail(f"{file}: not JSON or YAML ({exc})", code=2)


@asylum_app.command("claims")
def list_claims(
    user: ActingUser,
    name: Annotated[str | None, typer.Option("--name", help="Part of a name.")] = None,
    status: Annotated[str | None, typer.Option("--status", help="open, referred, ...")] = None,
    as_json: AsJson = False,
    data_dir: DataDir = None,
) -> None:
    """Claims, newest first, with their current determinations (asylum officers, auditors)."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        acting(session, user, Permission.ASYLUM_READ)
        rows = [claims.claim_out(r, claims.current(session, r.id))
                for r in claims.listing(session, name=name, status=status)]  # fmt: skip
    if as_json:
        out.print_json(json.dumps({"items": rows}))
        return
    for r in rows:
        made = r["determination"] or {}
        prior = (
            f"  prior claim in {r['partner_claims'][0]['country']}" if r["partner_claims"] else ""
        )
        out.print(f"{r['reference']:<20} {r['claim_date']}  {r['status']:<9} "
                  f"{made.get('outcome', ''):<14} {' / '.join(r['claimant']['names'])}{prior}",
                  highlight=False)  # fmt: skip


@asylum_app.command("show")
def show(
    claim: ClaimArg, user: ActingUser, as_json: AsJson = False, data_dir: DataDir = None
) -> None:
    """A claim with its versions, determinations (each step citing its provision) and
    comparisons; the reading is audited."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        actor = acting(session, user, Permission.ASYLUM_READ)
        shown = records.detail(session, claim, actor=actor)
    if as_json:
        out.print_json(json.dumps(shown))
        return
    c = shown["claim"]
    assert isinstance(c, dict)
    names = " / ".join(c["claimant"]["names"])
    out.print(f"{c['reference']} (version {c['version']}): {names}, claimed "
              f"{c['claim_date']} at {c['location']}; {c['status']}", highlight=False)  # fmt: skip
    made = c["determination"]
    if made:
        out.print(f"  determination: {made['outcome']} under {made['rules']}, decide by "
                  f"{made['deadline']}", highlight=False)  # fmt: skip
        for step in made["steps"]:
            out.print(f"    {step['cite']}: {step['finding']}", highlight=False)
        for missing in made["missing"]:
            out.print(f"    missing {missing['fact']}: {missing['question']}", highlight=False)
    for prior in c["partner_claims"]:
        out.print(f"  prior claim in {prior['country']} ({prior['partner']}): {prior['reference']} "
                  f"of {prior['date']}, {prior['status']}; envelope {prior['envelope']}",
                  highlight=False)  # fmt: skip
    for change in shown["changes"]:
        assert isinstance(change, dict)
        fields = ", ".join(d["field"] for d in change["changes"])
        out.print(f"  v{change['version']} {change['at'][:19]} {change['by']}: {change['reason']}"
                  f"{f' ({fields})' if fields else ''}", highlight=False)  # fmt: skip


@asylum_app.command("change")
def change(
    claim: ClaimArg,
    reason: Annotated[str, typer.Option("--reason", help="Why the claim changes.")],
    user: ActingUser,
    facts: Annotated[
        Path | None,
        typer.Option("--facts", exists=True, dir_okay=False,
                     help="The facts to set (a JSON or YAML mapping); others stay."),
    ] = None,
    status: Annotated[str | None, typer.Option("--status", help="The new status.")] = None,
    data_dir: DataDir = None,
) -> None:  # fmt: skip
    """Change a claim: a new version with the reason; determined again when the facts change."""
    settings = node_settings(data_dir)
    given = _mapping(facts.read_text(encoding="utf-8"), facts) if facts else None
    if given is not None and not isinstance(given, dict):
        fail(f"{facts}: the facts are a mapping", code=2)
    try:
        changed = claims.ClaimChange.model_validate(
            {"reason": reason, "facts": given, "status": status}
        )
    except ValidationError as exc:
        fail("; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()),
             code=2)  # fmt: skip
    ex = node_exchange(settings)
    with unit(settings) as session:
        actor = acting(session, user, Permission.ASYLUM_DETERMINE)
        row, made = claims.change(session, claim, changed, actor=actor, now=ex.clock(),
                                  country=settings.country)  # fmt: skip
        again = f"; determined again: {made.outcome}" if made else ""
        out.print(f"{row.reference}: version {row.version}{again}", highlight=False)


@asylum_app.command("compare")
def compare(
    claim: ClaimArg,
    partner: Annotated[str, typer.Option("--partner", help="The partner node.")],
    user: ActingUser,
    data_dir: DataDir = None,
) -> None:
    """Compare a claim's claimant with a partner's claimants again (the answer comes back on
    its own)."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        actor = acting(session, user, Permission.ASYLUM_DETERMINE)
        row = comparisons.send(session, node_exchange(settings), claims.get(session, claim),
                               partner=partner, actor=actor)  # fmt: skip
        out.print(f"Comparison {row.reference} queued for {partner}.", highlight=False)


@asylum_app.command("comparisons")
def list_comparisons(
    user: ActingUser,
    direction: Annotated[
        str | None, typer.Option("--direction", help="out (sent) or in (answered for partners).")
    ] = None,
    as_json: AsJson = False,
    data_dir: DataDir = None,
) -> None:
    """The Asylum Annex's comparisons sent and answered, newest first."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        acting(session, user, Permission.ASYLUM_READ)
        rows = [comparisons.comparison_out(r)
                for r in comparisons.listing(session, direction=direction)]  # fmt: skip
    if as_json:
        out.print_json(json.dumps({"items": rows}))
        return
    for r in rows:
        found = (r["answer"].get("claim") or {}).get("reference", "")
        state = r["result"] or r["state"]
        out.print(f"{r['created_at'][:19]}  {r['direction']:<3} {r['partner']:<6} {state:<7} "
                  f"{found}  {r['reference']}", highlight=False)  # fmt: skip


@asylum_app.command("answer-comparisons")
def answer_comparisons(data_dir: DataDir = None) -> None:
    """Answer now the comparisons partners sent (the scheduler does it on its own)."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        done = comparisons.answer_queued(session, node_exchange(settings), ClaimIndex(),
                                         Biometrics())  # fmt: skip
        for row in done:
            out.print(f"{row.reference}: {row.result} (for {row.partner})", highlight=False)
    if not done:
        out.print("No comparison is waiting.")


@asylum_app.command("export-claimants")
def export_claimants(
    out_file: Annotated[Path, typer.Option("--out", dir_okay=False,
                                           help="Where to write the export (JSON lines).")],
    user: ActingUser,
    data_dir: DataDir = None,
) -> None:  # fmt: skip
    """Export this node's claimants for reconciliation, as the Asylum Annex permits: names in
    Latin letters, date of birth, sex, nationality, document number, claim date; never a
    claimant alleging persecution in the partner country. Audited."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        actor = acting(session, user, Permission.ASYLUM_DETERMINE)
        partner_country = comparisons.partner_country(settings.country)
        rows = reconcile.export_for_partner(session, partner_country, actor)
        out_file.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out.print(f"{len(rows)} claimant(s) exported to {out_file} for {partner_country}.",
              highlight=False)  # fmt: skip


@asylum_app.command("reconcile")
def reconcile_with(
    export: Annotated[Path, typer.Argument(exists=True, dir_okay=False,
                                           help="The partner's export (JSON lines).")],
    partner: Annotated[str, typer.Option("--partner", help="The partner node it came from.")],
    user: ActingUser,
    engine: Annotated[str, typer.Option("--engine", help="duckdb (one machine) or spark.")] = (
        "duckdb"),
    threshold: Annotated[float, typer.Option("--threshold",
                                             help="Match probability to report a pair from.")] = (
        reconcile.THRESHOLD),
    splink_defaults: Annotated[bool, typer.Option(
        "--splink-defaults", help="Splink's library comparisons at their defaults.")] = False,
    report_file: Annotated[Path | None, typer.Option("--out", dir_okay=False,
                                                     help="Write the whole report (JSON).")] = None,
    data_dir: DataDir = None,
) -> None:  # fmt: skip
    """Link this node's claimants with a partner's export (Splink): the pairs over the
    threshold with their match weights, the precision the model expects, and which pairs the
    intake comparison missed. A bad export is refused with its record and field, and kept in
    quarantine."""
    settings = node_settings(data_dir)
    text = export.read_text(encoding="utf-8")
    try:
        theirs = reconcile.read_export(text, export.name)
    except ValidationFailed as exc:
        kept = kept_file(settings.data_dir, export.name, text.encode("utf-8"), exc.details)
        err.print(f"kept in quarantine: {kept}", highlight=False)
        raise
    spark = None
    if engine == "spark":
        spark = reconcile.local_spark()
    try:
        with unit(settings) as session:
            actor = acting(session, user, Permission.ASYLUM_DETERMINE)
            made = reconcile.reconcile(
                session, partner, comparisons.partner_country(settings.country), theirs,
                actor=actor, engine=engine, threshold=threshold, tuned=not splink_defaults,
                spark=spark,
            )  # fmt: skip
    finally:
        if spark is not None:
            spark.stop()
    if report_file is not None:
        report_file.write_text(json.dumps(made, indent=1), encoding="utf-8")
    records = made["records"]
    took = made["seconds"].get("total", 0)
    out.print(f"{records[0]} of ours, {records[1]} of {partner}'s: {made['pairs_found']} pair(s) "
              f"at probability {threshold} or more, expected precision "
              f"{made['expected_precision']}; {made['missed_at_intake']} missed at intake "
              f"({made['engine']}, {took} s)", highlight=False)  # fmt: skip
    for pair in made["pairs"][:50]:
        flag = "known" if pair["known"] else "MISSED AT INTAKE"
        out.print(f"  {pair['ours']:<20} {pair['theirs']:<20} weight {pair['match_weight']:>7} "
                  f"p {pair['match_probability']:.4f}  {flag}", highlight=False)  # fmt: skip
