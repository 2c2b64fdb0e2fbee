"""Interactive API: a PAXLST sent at check-in is answered, traveller by traveller, with a
UN/EDIFACT CUSRES (D:05B, IATA) carrying each board / no-board decision.

The answer follows the iAPI response layout: BGM+962, the transaction (RFF+TN, the PAXLST's
reference) and flight (RFF+AF, DTM+189/232, LOC+125/87), then for each traveller an ERP group
with the record locator (RFF+AVF) and the carrier's passenger reference (RFF+ABO), the response
code (ERC: 0Z OK to board, 1Z do not board, 2Z contact the authority) and the reasons as text
(FTX+AAP). A traveller the PAXLST describes too poorly to check (no full date of birth, say)
gets 2Z with what is missing, never a silent "OK".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from smartborder.errors import ValidationFailed
from smartborder.travel.intake import message as parsed
from smartborder.travel.intake.edifact import Problem, write
from smartborder.travel.intake.parser import parse
from smartborder.travel.targeting.boarding import CheckRequest, Verdict, check
from smartborder.travel.targeting.service import Targeting

CODES = {
    "board": ("0Z", "OK TO BOARD"),
    "no board": ("1Z", "DO NOT BOARD"),
    "contact the authority": ("2Z", "CONTACT THE AUTHORITY"),
}
FTX_MAX = 70  # characters of one free-text line
REASONS_MAX = 3


@dataclass(slots=True)
class Answered:
    """One traveller of an interactive PAXLST and the decision on them."""

    traveller: parsed.Traveller
    verdict: Verdict

    def as_dict(self) -> dict[str, Any]:
        return {
            "surname": self.traveller.surname,
            "given_names": self.traveller.given_names,
            "reference": self.traveller.reference,
            **self.verdict.as_dict(),
        }


def request_of(message: parsed.Message, traveller: parsed.Traveller) -> CheckRequest:
    """A PAXLST traveller as a check request; raises ValidationError when it cannot be one."""
    legs = message.flight.legs
    first, last = (legs[0], legs[-1]) if legs else (None, None)
    return CheckRequest.model_validate(
        {
            "reference": message.reference[:40] or None,
            "traveller": {
                "surname": traveller.surname,
                "given_names": traveller.given_names,
                "birth_date": traveller.birth_date,
                "sex": traveller.sex if traveller.sex in ("M", "F", "X") else None,
                "nationality": traveller.nationality,
                "role": "crew" if "crew" in traveller.role else "passenger",
                "documents": [
                    {
                        "type": d.type[:2],
                        "number": d.number,
                        "country": d.country,
                        "expiry": d.expiry,
                    }
                    for d in traveller.documents[:5]
                ],
                "reservation": traveller.reservation,
                "reference": traveller.reference,
            },
            "flight": {
                "carrier": message.flight.carrier,
                "number": message.flight.number,
                "origin": first.origin if first else None,
                "destination": last.destination if last else None,
                "date": message.flight.date,
                "departure": first.departure if first else None,
                "arrival": last.arrival if last else None,
            },
        }
    )


def _unusable(exc: ValidationError) -> Verdict:
    reasons = []
    for error in exc.errors()[:REASONS_MAX]:
        where = ".".join(str(p) for p in error["loc"])
        reasons.append(f"{where}: {error['msg']}")
    return Verdict("contact the authority", ["insufficient data: " + "; ".join(reasons)])


def answer(
    session: Session, targeting: Targeting, data: bytes, *, now: dt.datetime, actor: str
) -> tuple[list[Answered], str]:
    """Decide on every traveller of an interactive PAXLST; the decisions and the CUSRES."""
    outcome = parse(data, today=now.date())
    if outcome.failed or outcome.kind != "PAXLST":
        details = [{"location": _where(p), "message": p.text} for p in outcome.errors]
        if not details:
            expected = f"a PAXLST was expected, not {outcome.kind or 'this'}"
            details = [{"location": "message", "message": expected}]
        raise ValidationFailed(
            f"the interactive PAXLST cannot be checked: {len(details)} problem(s)", details=details
        )
    answered: list[Answered] = []
    segments: list[tuple[str, list[list[str]]]] = []
    stamp = now.strftime("%y%m%d:%H%M")
    control = now.strftime("%y%m%d%H%M%S")
    envelope = outcome.envelope
    segments.append(
        (
            "UNB",
            [
                ["UNOA", "4"],
                [targeting_sender(targeting)],
                [envelope.sender or "CARRIER"],
                stamp.split(":"),
                [control],
            ],
        )
    )
    for number, message in enumerate(outcome.messages, start=1):
        body = _message(session, targeting, message, now, actor, answered)
        ref = str(number)
        segments.append(("UNH", [[ref], ["CUSRES", "D", "05B", "UN", "IATA"]]))
        segments.extend(body)
        segments.append(("UNT", [[str(len(body) + 2)], [ref]]))
    segments.append(("UNZ", [[str(len(outcome.messages))], [control]]))
    return answered, write(segments)


def _where(problem: Problem) -> str:
    parts = (("line", problem.line), ("segment", problem.tag), ("element", problem.element))
    return " ".join(f"{label} {value}" for label, value in parts if value) or "message"


def targeting_sender(targeting: Targeting) -> str:
    return (targeting.ex.node_id if targeting.ex else "SMARTBORDER").upper()


def _message(
    session: Session,
    targeting: Targeting,
    message: parsed.Message,
    now: dt.datetime,
    actor: str,
    answered: list[Answered],
) -> list[tuple[str, list[list[str]]]]:
    legs = message.flight.legs
    segments: list[tuple[str, list[list[str]]]] = [
        ("BGM", [["962"]]),
        ("RFF", [["TN", message.reference]]),
        ("RFF", [["AF", message.flight.designator]]),
    ]
    if legs:
        for qualifier, moment in (("189", legs[0].departure), ("232", legs[-1].arrival)):
            if moment:
                segments.append(("DTM", [[qualifier, _edi_time(moment), "201"]]))
        segments.append(("LOC", [["125"], [legs[0].origin]]))
        segments.append(("LOC", [["87"], [legs[-1].destination]]))
    for traveller in message.travellers:
        try:
            request = request_of(message, traveller)
        except ValidationError as exc:
            verdict = _unusable(exc)
        else:
            verdict = check(session, targeting, request, now=now, actor=actor)
        answered.append(Answered(traveller, verdict))
        code, text = CODES[verdict.decision]
        segments.append(("ERP", [["2"]]))
        if traveller.reservation:
            segments.append(("RFF", [["AVF", traveller.reservation]]))
        if traveller.reference:
            segments.append(("RFF", [["ABO", traveller.reference]]))
        segments.append(("ERC", [[code]]))
        segments.append(("FTX", [["AAP"], [], [], [text]]))
        if verdict.decision != "board":
            for reason in verdict.reasons[:REASONS_MAX]:
                segments.append(("FTX", [["AAP"], [], [], [reason.upper()[:FTX_MAX]]]))
    return segments


def _edi_time(iso: str) -> str:
    """2026-11-22T10:30 -> 2611221030."""
    digits = iso.replace("-", "").replace("T", "").replace(":", "")
    return digits[2:12]
