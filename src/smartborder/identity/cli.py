"""``smartborder doc``: check machine-readable zones and generate them."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from smartborder import clock
from smartborder.errors import ValidationFailed
from smartborder.identity.documents import DocumentReport, check_document, fields_to_mrz
from smartborder.identity.schemas import MrzFieldsIn

doc_app = typer.Typer(
    help="Check and generate machine-readable zones (ICAO Doc 9303).", no_args_is_help=True
)
out = Console(soft_wrap=True, emoji=False)  # ":AB:" in a fingerprint is not an emoji
err = Console(stderr=True, soft_wrap=True, emoji=False)
MAX_FILE_BYTES = 50_000_000
_STATUS_STYLE = {"pass": "green", "fail": "bold red", "warning": "yellow"}


def _show(report: DocumentReport) -> None:
    verdict = "[green]VALID[/]" if report.valid else "[bold red]INVALID[/]"
    out.print(f"{verdict} {report.fields['format']}")
    out.print(report.mrz, highlight=False, markup=False)
    fields = Table("field", "value", show_header=False)
    for name, value in report.fields.items():
        if value not in ("", None) and name != "format":
            fields.add_row(name, str(value))
    out.print(fields)
    checks = Table("check", "result", "reason")
    for c in report.checks:
        reason = c.reason + (f" ({c.location})" if c.location and c.status != "pass" else "")
        checks.add_row(c.check, f"[{_STATUS_STYLE[c.status]}]{c.status}[/]", reason)
    out.print(checks)


def _blocks(text: str) -> list[tuple[int, str]]:
    """(first line number, block) for each blank-line-separated block."""
    blocks: list[tuple[int, str]] = []
    current: list[str] = []
    start = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            if not current:
                start = number
            current.append(line)
        elif current:
            blocks.append((start, "\n".join(current)))
            current = []
    if current:
        blocks.append((start, "\n".join(current)))
    return blocks


@doc_app.command("check")
def doc_check(
    mrz: Annotated[
        str | None,
        typer.Argument(help="The MRZ lines (separated by newlines), or - to read stdin."),
    ] = None,
    file: Annotated[
        Path | None,
        typer.Option("--file", help="Batch file: one MRZ per blank-line-separated block."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
    tolerant: Annotated[
        bool,
        typer.Option("--tolerant", help="Correct usual OCR confusions the check digits confirm."),
    ] = False,
    on: Annotated[
        str | None, typer.Option("--on", help="Check as of this date (YYYY-MM-DD; default today).")
    ] = None,
) -> None:
    """Parse an MRZ and show its fields and every check. Exit code 1 when a check fails."""
    today = _date(on)
    if file is not None:
        _check_file(file, today, tolerant=tolerant, as_json=as_json)
        return
    if mrz is None:
        raise ValidationFailed("give the MRZ, '-' to read it from stdin, or --file FILE")
    text = sys.stdin.read(4096) if mrz == "-" else mrz.replace("\\n", "\n")
    report = check_document(text, today=today, tolerant=tolerant)
    if as_json:
        out.print_json(json.dumps(report.as_dict()))
    else:
        _show(report)
    if not report.valid:
        raise typer.Exit(1)


def _check_file(path: Path, today: dt.date, *, tolerant: bool, as_json: bool) -> None:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ValidationFailed(f"{path}: larger than {MAX_FILE_BYTES} bytes")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationFailed(f"{path}: cannot be read ({exc})") from None
    counts = {"valid": 0, "invalid": 0, "unreadable": 0}
    results = []
    for line, block in _blocks(text):
        try:
            report = check_document(block, today=today, tolerant=tolerant)
        except ValidationFailed as exc:
            counts["unreadable"] += 1
            results.append({"line": line, "error": exc.message, "details": exc.details})
            if not as_json:
                out.print(f"{path}:{line}: [bold red]unreadable[/]: {exc.message}", highlight=False)
            continue
        counts["valid" if report.valid else "invalid"] += 1
        results.append({"line": line, **report.as_dict()})
        if not as_json:
            failed = [c for c in report.checks if c.status == "fail"]
            summary = "; ".join(f"{c.check}: {c.reason}" for c in failed) or "all checks pass"
            state = "[green]valid[/]" if report.valid else "[bold red]invalid[/]"
            number = report.fields["document_number"]
            out.print(f"{path}:{line}: {state} {report.type} {number}: {summary}", highlight=False)
    total = sum(counts.values())
    if as_json:
        out.print_json(json.dumps({"summary": {"documents": total, **counts}, "results": results}))
    else:
        out.print(
            f"{total} document(s): {counts['valid']} valid, {counts['invalid']} invalid, "
            f"{counts['unreadable']} unreadable"
        )
    if counts["invalid"] or counts["unreadable"]:
        raise typer.Exit(1)


@doc_app.command("make")
def doc_make(
    surname: Annotated[str, typer.Option("--surname", help="Surname, in any script.")],
    issuer: Annotated[str, typer.Option("--issuer", help="Issuing state, ICAO code (e.g. CAN).")],
    number: Annotated[str, typer.Option("--number", help="Document number.")],
    birth: Annotated[
        str, typer.Option("--birth", help="Date of birth: YYYY, YYYY-MM or YYYY-MM-DD.")
    ],
    sex: Annotated[str, typer.Option("--sex", help="F, M or X.")],
    expiry: Annotated[str, typer.Option("--expiry", help="Date of expiry, YYYY-MM-DD.")],
    given_names: Annotated[
        str, typer.Option("--given-names", help="Given names, in any script.")
    ] = "",
    nationality: Annotated[
        str | None, typer.Option("--nationality", help="ICAO code; default: the issuer.")
    ] = None,
    mrz_format: Annotated[
        str, typer.Option("--format", help="TD1, TD2, TD3, MRVA or MRVB.")
    ] = "TD3",
    code: Annotated[
        str | None, typer.Option("--code", help="Document code; default P, I or V.")
    ] = None,
    optional: Annotated[
        str, typer.Option("--optional", help="Optional data / personal number.")
    ] = "",
) -> None:
    """Generate a valid MRZ from fields (names transliterated and truncated as Doc 9303 says)."""
    from pydantic import ValidationError

    default_code = {"TD3": "P", "MRVA": "V", "MRVB": "V"}.get(mrz_format.upper(), "I")
    try:
        data = MrzFieldsIn.model_validate(
            {
                "format": mrz_format.upper(),
                "document_code": (code or default_code).upper(),
                "issuer": issuer.upper(),
                "surname": surname,
                "given_names": given_names,
                "document_number": number.upper(),
                "nationality": (nationality or issuer).upper(),
                "birth_date": birth,
                "sex": sex.upper(),
                "expiry_date": expiry,
                "optional_data": optional.upper(),
            }
        )
    except ValidationError as exc:
        problems = [{"field": str(e["loc"][0]), "problem": e["msg"]} for e in exc.errors()]
        raise ValidationFailed(
            "the MRZ cannot be made from these fields", details=problems
        ) from None
    out.print(fields_to_mrz(data), highlight=False, markup=False)


def _date(text: str | None) -> dt.date:
    if text is None:
        return clock.now().date()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(f"--on: '{text}' is not a date (YYYY-MM-DD)") from None
