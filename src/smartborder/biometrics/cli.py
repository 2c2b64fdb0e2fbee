"""``smartborder biometrics ...``: quality, templates and 1:1 verification of samples on disk."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer

from smartborder.audit import chain
from smartborder.biometrics import modalities, nist, searches, service
from smartborder.biometrics.images import BiometricProblem
from smartborder.biometrics.matchers import DEFAULT_FMR, Template, verify
from smartborder.cliutil import (
    ActingUser,
    DataDir,
    acting,
    err,
    fail,
    node_settings,
    out,
    quarantine,
    unit,
)
from smartborder.context import node_exchange
from smartborder.ids import new_id
from smartborder.roles import Permission
from smartborder.settings import Settings

biometrics_app = typer.Typer(
    help="Biometrics: sample quality, templates, 1:1 verification, enrolment and 1:N search.",
    no_args_is_help=True,
)

Sample = Annotated[
    Path,
    typer.Argument(
        exists=True, dir_okay=False, help="A fingerprint or eye image (PNG, JPEG, WSQ, ...)."
    ),
]
ModalityOption = Annotated[
    str, typer.Option("--modality", help="fingerprint (NBIS), iris (Daugman) or face (dlib).")
]


def _read(path: Path, data_dir: Path | None, modality: str = "fingerprint") -> Template:
    """A template from ``path``: a template of the modality's format as it is, an image
    extracted; an image refused is kept in the quarantine folder."""
    try:
        return modalities.template_from(modality, path.read_bytes(), path.name)
    except BiometricProblem as problem:
        kept = quarantine(node_settings(data_dir), path, problem.details)
        err.print(f"kept in quarantine: {kept}", highlight=False)
        raise


@biometrics_app.command("quality")
def quality(
    sample: Sample,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
    modality: ModalityOption = "fingerprint",
) -> None:
    """A sample's quality (NFIQ 2 for prints, the visible share of the iris for eyes) and
    whether it is good enough to enrol."""
    assessed = modalities.matcher(modality).assess(sample.read_bytes(), sample.name)
    if as_json:
        out.print_json(json.dumps(assessed.as_dict()))
        return
    verdict = "usable" if assessed.usable else f"below the floor {assessed.floor:g}"
    out.print(f"{sample.name}: {assessed.scale} {assessed.score:g} ({verdict})", highlight=False)


@biometrics_app.command("template")
def template(
    sample: Sample,
    output: Annotated[Path, typer.Option("--out", help="Where to write the template.")],
    data_dir: DataDir = None,
    modality: ModalityOption = "fingerprint",
) -> None:
    """Extract a template: a fingerprint's minutiae as an ISO/IEC 19794-2:2005 record (what a
    card or a partner reads), an iris's code and mask."""
    made = _read(sample, data_dir, modality)
    output.write_bytes(made.data)
    out.print(
        f"{output}: {made.features} features, {made.quality.scale} {made.quality.score:g}, "
        f"{made.algorithm}",
        highlight=False,
    )


@biometrics_app.command("verify")
def verify_command(
    probe: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The captured image.")],
    reference: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, help="An image, or an ISO/IEC 19794-2 template."
        ),
    ],
    fmr: Annotated[
        float, typer.Option("--fmr", min=1e-9, max=1.0, help="The false match rate to hold.")
    ] = DEFAULT_FMR,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
    data_dir: DataDir = None,
    modality: ModalityOption = "fingerprint",
) -> None:
    """Compare two fingerprints (or irises) 1:1 and decide at the measured operating point
    for --fmr (exit code 0 on a match, 3 on no match)."""
    matcher = modalities.matcher(modality)
    result = verify(matcher, _read(probe, data_dir, modality), _read(reference, data_dir,
                                                                        modality), fmr)  # fmt: skip
    if as_json:
        out.print_json(json.dumps(result.as_dict()))
    else:
        verdict = "MATCH" if result.match else "NO MATCH"
        out.print(f"{verdict}: {result.reasons[0]}", highlight=False)
    if not result.match:
        raise typer.Exit(3)


Fmr = Annotated[
    float, typer.Option("--fmr", min=1e-9, max=1.0, help="The false match rate to hold.")
]


@biometrics_app.command("enrol")
def enrol(
    sample: Sample,
    subject: Annotated[str, typer.Option("--subject", help="Whose print it is (an id).")],
    user: ActingUser,
    fmr: Fmr = DEFAULT_FMR,
    data_dir: DataDir = None,
    modality: ModalityOption = "fingerprint",
) -> None:
    """Enrol a fingerprint (or iris) in the node's gallery; refused when it matches another
    person's (one person, one identity) or is unusable (kept in quarantine)."""
    settings = node_settings(data_dir)
    made = _read(sample, data_dir, modality)
    with unit(settings) as session:
        actor = acting(session, user, Permission.BIOMETRICS_ENROL)
        done = service.enrol_template(session, service.Biometrics(), subject, made, actor=actor,
                                   fmr=fmr)  # fmt: skip
    out.print(
        f"Enrolled {sample.name} for {subject} ({done.templates} {modality} template(s) held; "
        f"{made.features} features, {made.quality.scale} {made.quality.score:g}).",
        highlight=False,
    )


@biometrics_app.command("identify")
def identify(
    sample: Sample,
    user: ActingUser,
    limit: Annotated[int, typer.Option("--limit", min=1, max=100, help="Candidates.")] = 10,
    fmr: Fmr = DEFAULT_FMR,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
    data_dir: DataDir = None,
    modality: ModalityOption = "fingerprint",
) -> None:
    """Search the node's fingerprint (or iris) gallery 1:N: the best-scoring people, each
    judged at the measured point for --fmr (exit code 0 when one matches, 3 when none does)."""
    settings = node_settings(data_dir)
    made = _read(sample, data_dir, modality)
    with unit(settings) as session:
        actor = acting(session, user, Permission.BIOMETRICS_VERIFY)
        found = service.identify_template(session, service.Biometrics(), made, actor=actor,
                                       limit=limit, fmr=fmr)  # fmt: skip
    if as_json:
        out.print_json(json.dumps(found.as_dict()))
    else:
        point = found.point
        out.print(f"{found.searched} {modality} templates searched; threshold {point.threshold:g} "
                  f"(FMR {point.fmr:.4%} a comparison, measured on {point.measured_on})",
                  highlight=False)  # fmt: skip
        for c in found.candidates:
            verdict = "MATCH" if c.match else "no match"
            out.print(f"{c.rank:>3}  {c.subject}  {c.score:g}  {verdict}", highlight=False)
    if not any(c.match for c in found.candidates):
        raise typer.Exit(3)


@biometrics_app.command("delete")
def delete(
    subject: Annotated[str, typer.Option("--subject", help="Whose templates to delete.")],
    user: ActingUser,
    data_dir: DataDir = None,
    modality: ModalityOption = "fingerprint",
) -> None:
    """Delete every fingerprint (or iris) of a person from the gallery; the bytes are
    destroyed."""
    settings = node_settings(data_dir)
    algorithm = modalities.matcher(modality).algorithm
    with unit(settings) as session:
        actor = acting(session, user, Permission.BIOMETRICS_ENROL)
        count = service.delete(session, service.Biometrics(), algorithm, subject)
        chain.append(session, "biometrics:template:deleted", actor=actor, subject=subject,
                     details={"algorithm": algorithm, "templates": count})  # fmt: skip
    out.print(f"Deleted {count} {modality} template(s) of {subject}; they are destroyed.")


def _transaction(path: Path, profile_name: str, settings: Settings) -> nist.Transaction:
    """The transaction in ``path`` checked against the profile; a refused one is kept in
    quarantine with its problems."""
    try:
        return nist.read(path.read_bytes(), path.name, nist.profile(profile_name))
    except nist.TransactionProblems as problems:
        kept = quarantine(settings, path, problems.details)
        err.print(f"kept in quarantine: {kept}", highlight=False)
        raise


def _finger(value: str) -> tuple[int, Path]:
    position, _, path = value.partition("=")
    if not position.isdigit() or not 0 <= int(position) <= 10 or not path:
        fail(f"--finger {value!r}: give POSITION=FILE, POSITION 1 (right thumb) to 10 "
             "(left little), 0 for a latent of unknown finger", code=2)  # fmt: skip
    if not Path(path).is_file():
        fail(f"--finger {value!r}: {path} is not a file", code=2)
    return int(position), Path(path)


TOT_HELP = "CAR (tenprint search), LFS (latent search) or FANC (enrolment)."


def _eye(value: str) -> tuple[int, Path]:
    position, _, path = value.partition("=")
    if position not in ("1", "2") or not Path(path).is_file():
        fail(f"--iris {value!r}: give EYE=FILE, EYE 1 (right) or 2 (left), FILE an image",
             code=2)  # fmt: skip
    return int(position), Path(path)


@biometrics_app.command("export-nist")
def export_nist(
    fingers: Annotated[
        list[str],
        typer.Option("--finger", help="POSITION=IMAGE, e.g. 2=right-index.png (repeat)."),
    ],
    output: Annotated[Path, typer.Option("--out", help="Where to write the transaction.")],
    irises: Annotated[
        list[str] | None,
        typer.Option("--iris", help="EYE=IMAGE, 1 right or 2 left (repeat; FANC only)."),
    ] = None,
    faces: Annotated[
        list[Path] | None,
        typer.Option("--face", exists=True, dir_okay=False, help="A face photograph (Type-10)."),
    ] = None,
    tot: Annotated[str, typer.Option("--tot", help=TOT_HELP)] = "CAR",
    legacy: Annotated[
        bool, typer.Option("--type4", help="Tenprint images in binary Type-4 records.")
    ] = False,
    ori: Annotated[str, typer.Option("--ori", help="The originating agency.")] = "",
    dai: Annotated[str, typer.Option("--dai", help="The destination agency.")] = "",
    name: Annotated[str, typer.Option("--name", help="SURNAME,GIVEN NAMES.")] = "",
    dob: Annotated[str, typer.Option("--dob", help="Date of birth, YYYYMMDD.")] = "",
    sex: Annotated[str, typer.Option("--sex", help="M, F, X or U.")] = "",
    reason: Annotated[str, typer.Option("--reason", help="Why the prints were taken.")] = "",
    profile_name: Annotated[
        str, typer.Option("--profile", help="The ANSI/NIST-ITL profile to check against.")
    ] = nist.PROFILE,
    data_dir: DataDir = None,
) -> None:
    """Write an ANSI/NIST-ITL transaction (Type-1, Type-2, one WSQ Type-14 or Type-13 image
    per finger) and check it against the profile before it is written."""
    settings = node_settings(data_dir)
    agency = (ori or f"{settings.country}{settings.node_id.upper()}")[:32]
    subject = {"name": name, "dob": dob, "sex": sex, "reason": reason}
    made = nist.write(
        tot=tot, dai=dai or "PARTNER", ori=agency, tcn=new_id()[:20],
        fingers=[nist.Finger(p, path.read_bytes()) for p, path in map(_finger, fingers)],
        irises=[nist.Finger(p, path.read_bytes()) for p, path in map(_eye, irises or [])],
        faces=[path.read_bytes() for path in faces or []],
        legacy=legacy,
        subject={k: v for k, v in subject.items() if v},
    )  # fmt: skip
    read = nist.read(made, output.name, nist.profile(profile_name))  # what a partner will check
    output.write_bytes(made)
    out.print(f"{output}: {read.tot} ({read.title}), {len(read.fingers)} print(s), "
              f"{len(read.irises)} iris(es), "
              f"{len([x for x in read.samples if x.modality == 'face'])} face(s), "
              f"{len(made):,} bytes, {profile_name} profile", highlight=False)  # fmt: skip


@biometrics_app.command("import-nist")
def import_nist(
    transaction: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="An ANSI/NIST-ITL file.")
    ],
    user: ActingUser,
    enrol_as: Annotated[
        str | None, typer.Option("--enrol", help="Enrol its prints under this subject.")
    ] = None,
    profile_name: Annotated[
        str, typer.Option("--profile", help="The ANSI/NIST-ITL profile to check against.")
    ] = nist.PROFILE,
    fmr: Fmr = DEFAULT_FMR,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
    data_dir: DataDir = None,
) -> None:
    """Read an ANSI/NIST-ITL transaction, check it against the profile (every problem with
    its record and field; the file kept in quarantine), and with --enrol enrol its prints."""
    settings = node_settings(data_dir)
    read = _transaction(transaction, profile_name, settings)
    summary = read.summary()
    if enrol_as:
        templates = []
        for sample in [*read.fingers, *read.irises]:
            try:
                image, where = sample.image(transaction.name), sample.source(transaction.name)
                templates.append(modalities.matcher(sample.modality).extract(image, where))
            except BiometricProblem as problem:
                kept = quarantine(settings, transaction, problem.details)
                err.print(f"kept in quarantine: {kept}", highlight=False)
                raise
        with unit(settings) as session:
            actor = acting(session, user, Permission.BIOMETRICS_ENROL)
            galleries = service.Biometrics()
            held: dict[str, int] = {}
            for made in templates:
                done = service.enrol_template(session, galleries, enrol_as, made, actor=actor,
                                              fmr=fmr)  # fmt: skip
                held[made.modality] = done.templates
        summary["enrolled"] = {"subject": enrol_as, "prints": held.get("fingerprint", 0),
                               "irises": held.get("iris", 0)}  # fmt: skip
    if as_json:
        out.print_json(json.dumps(summary))
        return
    out.print(f"{transaction.name}: {read.tot} ({read.title}), version {read.version}, "
              f"{len(read.records)} records, valid under the {read.profile} profile",
              highlight=False)  # fmt: skip
    for s in read.samples:
        out.print(f"  record {s.record.position}: Type-{s.record.type} {s.label}, "
                  f"{s.width} x {s.height} {s.compression}", highlight=False)  # fmt: skip
    if enrol_as:
        out.print(f"Enrolled {len(read.fingers)} print(s) and {len(read.irises)} iris(es) for "
                  f"{enrol_as}.", highlight=False)  # fmt: skip


@biometrics_app.command("search-partner")
def search_partner(
    transaction: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="A CAR or LFS transaction.")
    ],
    partner: Annotated[str, typer.Option("--partner", help="The partner node to search.")],
    reason: Annotated[str, typer.Option("--reason", help="Why the search is made.")],
    user: ActingUser,
    data_dir: DataDir = None,
) -> None:
    """Send a fingerprint search to a partner under the fingerprints annex; the answer (hit
    with the criminal-record summary, or no hit) comes back on its own."""
    settings = node_settings(data_dir)
    data = transaction.read_bytes()
    try:
        nist.read(data, transaction.name, nist.profile(nist.PROFILE))
    except nist.TransactionProblems:
        _transaction(transaction, nist.PROFILE, settings)  # kept in quarantine, then raised
    with unit(settings) as session:
        actor = acting(session, user, Permission.BIOMETRICS_VERIFY)
        row = searches.send(session, node_exchange(settings), partner=partner, transaction=data,
                            source=transaction.name, reason=reason, actor=actor)  # fmt: skip
        out.print(f"Search {row.id} ({row.tot}, {row.prints} print(s)) queued for {partner}; "
                  f"reference {row.reference}.", highlight=False)  # fmt: skip


@biometrics_app.command("searches")
def list_searches(
    direction: Annotated[
        str | None, typer.Option("--direction", help="out (sent) or in (received).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
    data_dir: DataDir = None,
) -> None:
    """Fingerprint searches sent to and received from partners, with their answers."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        rows = [searches.search_out(r) for r in searches.listing(session, direction)]
    if as_json:
        out.print_json(json.dumps({"items": rows}))
        return
    for r in rows:
        answer = r["result"] or r["state"]
        record = (r["answer"].get("record") or {}).get("reference", "")
        out.print(f"{r['created_at'][:19]}  {r['direction']:<3} {r['partner']:<6} {r['tot']:<4} "
                  f"{answer:<9} {record}  {r['id']}", highlight=False)  # fmt: skip


@biometrics_app.command("decide-search")
def decide_search(
    search_id: Annotated[str, typer.Argument(help="The search held for review (its id).")],
    result: Annotated[str, typer.Option("--result", help="hit (confirm) or 'no hit'.")],
    user: ActingUser,
    data_dir: DataDir = None,
) -> None:
    """Answer a partner's fingerprint search that the annex holds for a person (a supervisor:
    requests:decide); its prints are destroyed with the answer."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        actor = acting(session, user, Permission.REQUESTS_DECIDE)
        row = searches.decide(session, node_exchange(settings), search_id, result=result,
                              actor=actor)  # fmt: skip
        out.print(f"{row.reference}: answered {row.result} to {row.partner}.", highlight=False)


@biometrics_app.command("answer-searches")
def answer_searches(data_dir: DataDir = None) -> None:
    """Answer now the fingerprint searches partners sent (the scheduler does it on its own)."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        done = searches.answer_queued(session, node_exchange(settings), service.Biometrics())
        for row in done:
            out.print(f"{row.reference}: {row.result} (for {row.partner})", highlight=False)
    if not done:
        out.print("No search is waiting.")


@biometrics_app.command("add-record")
def add_record(
    subject: Annotated[str, typer.Option("--subject", help="The enrolled person.")],
    record: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="The record summary (JSON).")
    ],
    user: ActingUser,
    data_dir: DataDir = None,
) -> None:
    """Hold a criminal-record summary (reference, owner, name, birth_date, charges with offence
    and date, dispositions with outcome and date) against an enrolled person."""
    settings = node_settings(data_dir)
    try:
        data = json.loads(record.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("the file must hold one JSON object")
        born = dt.date.fromisoformat(data["birth_date"]) if data.get("birth_date") else None
    except (ValueError, UnicodeDecodeError) as exc:
        fail(f"{record}: {exc}", code=2)
    with unit(settings) as session:
        actor = acting(session, user, Permission.BIOMETRICS_ENROL)
        held = searches.add_record(
            session, subject=subject, reference=str(data.get("reference", "")),
            owner=str(data.get("owner", "")), name=str(data.get("name", "")), birth_date=born,
            charges=list(data.get("charges") or []),
            dispositions=list(data.get("dispositions") or []), actor=actor,
            now=node_exchange(settings).clock(),
        )  # fmt: skip
        out.print(f"Record {held.reference} held for {subject}.", highlight=False)
