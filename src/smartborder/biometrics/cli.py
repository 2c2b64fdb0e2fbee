"""``smartborder biometrics ...``: quality, templates and 1:1 verification of samples on disk."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from smartborder.audit import chain
from smartborder.biometrics import service
from smartborder.biometrics.fingerprint import ALGORITHM, ISO_MAGIC, NbisFingerprint
from smartborder.biometrics.images import BiometricProblem
from smartborder.biometrics.matchers import DEFAULT_FMR, Template, verify
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
from smartborder.roles import Permission

biometrics_app = typer.Typer(
    help="Biometrics: sample quality, templates, 1:1 verification, enrolment and 1:N search.",
    no_args_is_help=True,
)

Sample = Annotated[
    Path,
    typer.Argument(exists=True, dir_okay=False, help="A fingerprint image (PNG, JPEG, ...)."),
]


def _read(path: Path, data_dir: Path | None) -> Template:
    """A template from ``path``: an ISO/IEC 19794-2 record as it is, an image extracted;
    an image refused is kept in the quarantine folder."""
    matcher = NbisFingerprint()
    data = path.read_bytes()
    if data.startswith(ISO_MAGIC):
        return matcher.template(data, path.name)
    try:
        return matcher.extract(data, path.name)
    except BiometricProblem as problem:
        kept = quarantine(node_settings(data_dir), path, problem.details)
        err.print(f"kept in quarantine: {kept}", highlight=False)
        raise


@biometrics_app.command("quality")
def quality(
    sample: Sample,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
) -> None:
    """A fingerprint image's NFIQ 2 quality and whether it is good enough to enrol."""
    assessed = NbisFingerprint().assess(sample.read_bytes(), sample.name)
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
) -> None:
    """Extract a fingerprint image's minutiae as an ISO/IEC 19794-2:2005 record (what a card
    or a partner reads)."""
    made = _read(sample, data_dir)
    output.write_bytes(made.data)
    out.print(
        f"{output}: {made.features} minutiae, {made.quality.scale} {made.quality.score:g}, "
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
) -> None:
    """Compare two fingerprints 1:1 and decide at the measured operating point for --fmr
    (exit code 0 on a match, 3 on no match)."""
    matcher = NbisFingerprint()
    result = verify(matcher, _read(probe, data_dir), _read(reference, data_dir), fmr)
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
) -> None:
    """Enrol a fingerprint in the node's gallery; refused when it matches another person's
    print (one person, one identity) or is unusable (kept in quarantine)."""
    settings = node_settings(data_dir)
    made = _read(sample, data_dir)
    with unit(settings) as session:
        actor = acting(session, user, Permission.BIOMETRICS_ENROL)
        done = service.enrol_print(session, service.Biometrics(), subject, made, actor=actor,
                                   fmr=fmr)  # fmt: skip
    out.print(
        f"Enrolled {sample.name} for {subject} ({done.templates} print(s) held; "
        f"{made.features} minutiae, NFIQ 2 {made.quality.score:g}).",
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
) -> None:
    """Search the node's fingerprint gallery (1:N): the best-scoring people, each judged at
    the measured point for --fmr (exit code 0 when one matches, 3 when none does)."""
    settings = node_settings(data_dir)
    made = _read(sample, data_dir)
    with unit(settings) as session:
        actor = acting(session, user, Permission.BIOMETRICS_VERIFY)
        found = service.identify_print(session, service.Biometrics(), made, actor=actor,
                                       limit=limit, fmr=fmr)  # fmt: skip
    if as_json:
        out.print_json(json.dumps(found.as_dict()))
    else:
        point = found.point
        out.print(f"{found.searched} prints searched; threshold {point.threshold:g} "
                  f"(FMR {point.fmr:.4%} a comparison, measured on {point.measured_on})",
                  highlight=False)  # fmt: skip
        for c in found.candidates:
            verdict = "MATCH" if c.match else "no match"
            out.print(f"{c.rank:>3}  {c.subject}  {c.score:g}  {verdict}", highlight=False)
    if not any(c.match for c in found.candidates):
        raise typer.Exit(3)


@biometrics_app.command("delete")
def delete(
    subject: Annotated[str, typer.Option("--subject", help="Whose prints to delete.")],
    user: ActingUser,
    data_dir: DataDir = None,
) -> None:
    """Delete every fingerprint of a person from the gallery; their bytes are destroyed."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        actor = acting(session, user, Permission.BIOMETRICS_ENROL)
        count = service.delete(session, service.Biometrics(), ALGORITHM, subject)
        chain.append(session, "biometrics:template:deleted", actor=actor, subject=subject,
                     details={"algorithm": ALGORITHM, "templates": count})  # fmt: skip
    out.print(f"Deleted {count} print(s) of {subject}; their templates are destroyed.")
