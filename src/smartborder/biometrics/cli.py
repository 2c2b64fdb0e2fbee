"""``smartborder biometrics ...``: quality, templates and 1:1 verification of samples on disk."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from smartborder.biometrics.fingerprint import ISO_MAGIC, NbisFingerprint
from smartborder.biometrics.images import BiometricProblem
from smartborder.biometrics.matchers import DEFAULT_FMR, Template, verify
from smartborder.cliutil import DataDir, err, node_settings, out, quarantine

biometrics_app = typer.Typer(
    help="Biometrics: sample quality, templates, 1:1 verification.", no_args_is_help=True
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
