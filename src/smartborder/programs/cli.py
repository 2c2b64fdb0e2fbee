"""``smartborder programs ...``: NEXUS and FAST applications, vetting, enrolment, memberships
and the lane."""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer
from pydantic import BaseModel

from smartborder.biometrics.service import Biometrics
from smartborder.cliutil import (
    ActingUser,
    DataDir,
    acting,
    err,
    listed,
    node_settings,
    out,
    parsed,
    unit,
)
from smartborder.context import node_exchange
from smartborder.errors import ValidationFailed
from smartborder.programs import (
    applications,
    enrolment,
    lane,
    membership,
    recheck,
    service,
    vetting,
)
from smartborder.quarantine import kept_file
from smartborder.roles import Permission
from smartborder.screening.matcher import Thresholds
from smartborder.screening.service import Screening
from smartborder.sourcetext import load_model

programs_app = typer.Typer(
    help="Trusted travellers: NEXUS and FAST applications, vetting, enrolment, memberships and "
    "the lane.",
    no_args_is_help=True,
)
AsJson = Annotated[bool, typer.Option("--json", help="One JSON object.")]


@programs_app.callback()
def _group() -> None:
    """Trusted travellers: NEXUS and FAST applications, vetting, enrolment, memberships and
    the lane."""


@programs_app.command("apply")
def apply(
    file: Annotated[
        Path,
        typer.Argument(exists=True, dir_okay=False, help="The application (JSON or YAML)."),
    ],
    user: ActingUser,
    data_dir: DataDir = None,
) -> None:
    """Submit an application (docs/programs.md): judged eligible (it waits for vetting) or
    ineligible with its reasons, and its fee. One that cannot be judged as given is refused
    with each problem's field and line, kept in quarantine, and nothing is stored."""
    settings = node_settings(data_dir)
    text = file.read_text(encoding="utf-8")
    try:
        application = load_model(text, file.name, "the application", applications.ApplicationIn)
        applications.check(application)
    except ValidationFailed as exc:
        kept = kept_file(settings.data_dir, file.name, text.encode("utf-8"), exc.details)
        err.print(f"kept in quarantine: {kept}", highlight=False)
        raise
    with unit(settings) as session:
        actor = acting(session, user, Permission.PROGRAMS_MANAGE)
        screening = Screening(Thresholds.from_settings(settings))
        row = service.submit(session, node_exchange(settings), screening, application,
                             actor=actor)  # fmt: skip
        fee = f"fee {row.fee['amount']} {row.fee['currency']} ({row.fee['reason']})"
        out.print(f"{row.reference}: {row.program} application, {row.status}; {fee}",
                  highlight=False)  # fmt: skip
        for reason in row.reasons:
            out.print(f"  {reason['cite']}: {reason['finding']}", highlight=False)


@programs_app.command("applications")
def list_applications(
    user: ActingUser,
    status: Annotated[str | None, typer.Option("--status", help="vetting or ineligible.")] = None,
    as_json: AsJson = False,
    data_dir: DataDir = None,
) -> None:
    """Applications, newest first."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        acting(session, user, Permission.PROGRAMS_READ)
        rows = [service.application_out(r) for r in service.listing(session, status)]
    listed(rows, as_json, lambda r: f"{r['reference']}  {r['program']:<5} "
            f"{r['status']:<10} {r['applicant']} ({r['birth_date']})")  # fmt: skip


@programs_app.command("show")
def show(
    reference: Annotated[str, typer.Argument(help="The application's reference number.")],
    user: ActingUser,
    as_json: AsJson = False,
    data_dir: DataDir = None,
) -> None:
    """One application with its status, reasons and fee."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        acting(session, user, Permission.PROGRAMS_READ)
        shown = service.application_out(service.get(session, reference))
    if as_json:
        out.print_json(json.dumps(shown))
        return
    out.print(f"{shown['reference']}: {shown['program']} application of {shown['applicant']} "
              f"({shown['birth_date']}), {shown['status']}; fee {shown['fee']['amount']} "
              f"{shown['fee']['currency']}", highlight=False)  # fmt: skip
    for reason in shown["reasons"]:
        out.print(f"  {reason['cite']}: {reason['finding']}", highlight=False)


@programs_app.command("vet")
def vet(data_dir: DataDir = None) -> None:
    """Vet now the partners' applicants waiting (the scheduler does it on its own): no hit,
    approved and answered; hits, held in the vetting queue."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        done = vetting.screen_queued(session, node_exchange(settings),
                                     Screening(Thresholds.from_settings(settings)))  # fmt: skip
        for row in done:
            out.print(f"{row.partner} {row.reference}: {row.decision or row.state}",
                      highlight=False)  # fmt: skip
    if not done:
        out.print("No applicant is waiting.")


# ---- enrolment, memberships, the lane --------------------------------------------------------


@programs_app.command("free-days")
def free_days(
    centre: Annotated[str, typer.Argument(help="The enrolment centre (docs/programs.md).")],
    data_dir: DataDir = None,
) -> None:
    """The next working days with room at an enrolment centre."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        days = enrolment.free_days(session, centre, node_exchange(settings).clock().date(), 10)
    for day in days:
        out.print(f"{day['day']}  {day['left']} place(s)", highlight=False)


@programs_app.command("book")
def book(
    reference: Annotated[str, typer.Argument(help="The approved application's reference.")],
    centre: Annotated[str, typer.Option("--centre", help="The enrolment centre.")],
    day: Annotated[str, typer.Option("--day", help="The interview's day (YYYY-MM-DD).")],
    user: ActingUser,
    data_dir: DataDir = None,
) -> None:
    """Book an approved applicant's interview at a centre on a working day (refused when the
    day is full, with the next free days)."""
    settings = node_settings(data_dir)
    booked_day = parsed(BookingDay, day=day).day
    with unit(settings) as session:
        actor = acting(session, user, Permission.PROGRAMS_MANAGE)
        row = enrolment.book(session, reference, centre, booked_day, actor=actor,
                             now=node_exchange(settings).clock())  # fmt: skip
        out.print(f"interview {row.id}: {row.reference} at {row.centre} on {row.day}",
                  highlight=False)  # fmt: skip


class BookingDay(BaseModel):
    day: dt.date


@programs_app.command("interviews")
def list_interviews(
    user: ActingUser,
    centre: Annotated[str | None, typer.Option("--centre", help="One centre.")] = None,
    day: Annotated[str | None, typer.Option("--day", help="One day (YYYY-MM-DD).")] = None,
    state: Annotated[str | None, typer.Option("--state", help="booked, held, enrolled, "
                                                               "refused or cancelled.")] = None,
    as_json: AsJson = False,
    data_dir: DataDir = None,
) -> None:  # fmt: skip
    """Interviews by day: a centre's day sheet."""
    settings = node_settings(data_dir)
    on = parsed(BookingDay, day=day).day if day else None
    with unit(settings) as session:
        acting(session, user, Permission.PROGRAMS_READ)
        rows = [
            enrolment.interview_out(r)
            for r in enrolment.interviews(session, centre=centre, day=on, state=state)
        ]
    listed(rows, as_json, lambda r: f"{r['id']}  {r['day']} {r['centre']:<10} "
            f"{r['reference']} {r['state']}"
            f"{' card ' + r['card_number'] if r['card_number'] else ''}")  # fmt: skip


@programs_app.command("enrol")
def enrol(
    interview: Annotated[str, typer.Argument(help="The interview's id.")],
    face: Annotated[Path, typer.Option("--face", exists=True, dir_okay=False,
                                       help="The photograph (JPEG or PNG).")],
    prints: Annotated[list[Path], typer.Option("--print", exists=True, dir_okay=False,
                                               help="A fingerprint image (repeat).")],
    user: ActingUser,
    iris: Annotated[Path | None, typer.Option("--iris", exists=True, dir_okay=False,
                                              help="An iris image (NEXUS air).")] = None,
    data_dir: DataDir = None,
) -> None:  # fmt: skip
    """Hold the interview: the samples checked for quality (every unusable one refused, nothing
    stored), the person checked against every member, then the card issued (or the interview
    held for an officer on a possible duplicate)."""
    settings = node_settings(data_dir)
    samples = enrolment.Samples(face.read_bytes(), [p.read_bytes() for p in prints],
                                iris.read_bytes() if iris else None)  # fmt: skip
    with unit(settings) as session:
        actor = acting(session, user, Permission.PROGRAMS_MANAGE)
        row = enrolment.enrol(session, node_exchange(settings), Biometrics(), interview,
                              samples, actor=actor)  # fmt: skip
        if row.state == "held":
            cards = ", ".join(d["card_number"] for d in row.duplicates)
            out.print(f"interview {row.id}: held for an officer, may be the member(s) {cards}",
                      highlight=False)  # fmt: skip
        else:
            out.print(f"interview {row.id}: enrolled, card {row.card_number}", highlight=False)


@programs_app.command("finding")
def finding(
    interview: Annotated[str, typer.Argument(help="The held interview's id.")],
    verdict: Annotated[str, typer.Argument(help="distinct or duplicate.")],
    note: Annotated[str, typer.Option("--note", help="The officer's reasons.")],
    user: ActingUser,
    data_dir: DataDir = None,
) -> None:
    """An officer's finding on an interview held for a possible duplicate: distinct (the card
    is issued) or duplicate (refused)."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        actor = acting(session, user, Permission.PROGRAMS_MANAGE)
        row = enrolment.resolve(session, node_exchange(settings), Biometrics(), interview,
                                finding=verdict, note=note, actor=actor)  # fmt: skip
        out.print(
            f"interview {row.id}: {row.state}"
            f"{', card ' + row.card_number if row.card_number else ''}",
            highlight=False,
        )


@programs_app.command("cancel-interview")
def cancel_interview(
    interview: Annotated[str, typer.Argument(help="The interview's id.")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is cancelled.")],
    user: ActingUser,
    data_dir: DataDir = None,
) -> None:
    """Cancel a booked interview (its place is freed; the applicant may book another) or end
    one held for an officer without a card."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        actor = acting(session, user, Permission.PROGRAMS_MANAGE)
        row = enrolment.cancel(session, interview, reason=reason, actor=actor,
                               now=node_exchange(settings).clock())  # fmt: skip
        out.print(f"interview {row.id}: cancelled", highlight=False)


@programs_app.command("members")
def members(
    user: ActingUser,
    status: Annotated[str | None, typer.Option("--status", help="active, suspended or "
                                                                "cancelled.")] = None,
    as_json: AsJson = False,
    data_dir: DataDir = None,
) -> None:  # fmt: skip
    """Memberships issued here and shared by the partner, latest changed first."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        acting(session, user, Permission.PROGRAMS_READ)
        today = node_exchange(settings).clock().date()
        rows = [membership.membership_out(r, today) for r in membership.listing(session, status)]
    listed(rows, as_json, lambda r: f"{r['card_number']}  {r['program']:<5} "
            f"{r['status']:<9} {r['member']} (issued by {r['origin']}, expires "
            f"{r['expires_on']})")  # fmt: skip


@programs_app.command("change")
def change(
    card: Annotated[str, typer.Argument(help="The card number or RFID tag id.")],
    action: Annotated[str, typer.Argument(help="suspend, cancel or reinstate.")],
    reasons: Annotated[list[str], typer.Option("--reason", help="A written reason (repeat).")],
    user: ActingUser,
    data_dir: DataDir = None,
) -> None:
    """Suspend, cancel or reinstate a membership with written reasons, shared with the
    partner (the card is then refused at both countries' lanes)."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        actor = acting(session, user, Permission.PROGRAMS_MANAGE)
        row = membership.change(session, node_exchange(settings), card, action=action,
                                reasons=reasons, actor=actor)  # fmt: skip
        out.print(f"{row.card_number}: {row.status}", highlight=False)


@programs_app.command("lane")
def at_the_lane(
    card: Annotated[str, typer.Argument(help="The card number or RFID tag id read.")],
    user: ActingUser,
    lane_name: Annotated[str, typer.Option("--lane", help="highway, air, marine or "
                                                          "commercial.")] = "highway",
    face: Annotated[Path | None, typer.Option("--face", exists=True, dir_okay=False,
                                              help="The photograph taken now.")] = None,
    iris: Annotated[Path | None, typer.Option("--iris", exists=True, dir_okay=False,
                                              help="The iris image taken now.")] = None,
    carrier: Annotated[str | None, typer.Option("--carrier", help="FAST: the carrier.")] = None,
    importer: Annotated[str | None, typer.Option("--importer",
                                                 help="FAST: the importer.")] = None,
    shipment: Annotated[str | None, typer.Option("--shipment",
                                                 help="FAST: the bill (PAPS, PARS).")] = None,
    data_dir: DataDir = None,
) -> None:  # fmt: skip
    """The lane's decision for a card read and a face or iris: admit or refer, with every
    check and its reason."""
    settings = node_settings(data_dir)
    request = parsed(
        lane.LaneIn,
        card=card,
        lane=lane_name,
        face=base64.b64encode(face.read_bytes()).decode() if face else None,
        iris=base64.b64encode(iris.read_bytes()).decode() if iris else None,
        carrier=carrier,
        importer=importer,
        shipment=shipment,
    )
    with unit(settings) as session:
        actor = acting(session, user, Permission.PROGRAMS_LANE)
        decided = lane.decide(session, Screening(Thresholds.from_settings(settings)), request,
                              actor=actor, now=node_exchange(settings).clock())  # fmt: skip
    out.print(f"{decided['decision'].upper()}: {'; '.join(decided['reasons'])}", highlight=False)
    for check in decided["checks"]:
        out.print(f"  {'ok ' if check['passed'] else 'NO '} {check['check']}: {check['reason']}",
                  highlight=False)  # fmt: skip


@programs_app.command("recheck")
def recheck_now(data_dir: DataDir = None) -> None:
    """Check the members against the lookouts made or changed lately now (the scheduler does
    it on its own): each member a lookout names is flagged for an officer."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        raised = recheck.recheck(session, recheck.MemberIndex(),
                                 Thresholds.from_settings(settings),
                                 now=node_exchange(settings).clock())  # fmt: skip
    for flag in raised:
        out.print(f"{flag['card_number']}: flagged by {flag['category']} lookout "
                  f"{flag['lookout']} (score {flag['score']})", highlight=False)  # fmt: skip
    if not raised:
        out.print("No member is named by a recent lookout.")


@programs_app.command("dismiss")
def dismiss(
    card: Annotated[str, typer.Argument(help="The card number or RFID tag id.")],
    reasons: Annotated[list[str], typer.Option("--reason", help="A written reason (repeat).")],
    user: ActingUser,
    data_dir: DataDir = None,
) -> None:
    """Close a membership's open flags as another person's, with written reasons."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        actor = acting(session, user, Permission.PROGRAMS_MANAGE)
        row = recheck.dismiss(session, card, reasons=reasons, actor=actor,
                              now=node_exchange(settings).clock())  # fmt: skip
        out.print(f"{row.card_number}: flags dismissed", highlight=False)
