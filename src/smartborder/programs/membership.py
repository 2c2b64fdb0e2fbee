"""Memberships: the card issued at enrolment, the record both countries hold, and every change
of status with its written reasons.

A card has a nine-digit number (the issuing country's digit, seven digits, a Luhn check digit,
so a number mistyped at a booth is told apart from an unknown one) and an RFID tag id (96 bits,
as EPC Gen2 vicinity cards carry: a pointer, no personal data). Membership lasts five years and
ends on the member's birthday, as both countries' programs set it.

Both countries hold every membership: the issuing node sends a ``membership-notice`` under the
trusted-traveller annex (the card, its status and validity, the member's name, date of birth and
nationality, and the enrolled face and iris templates the partner's lanes compare against), and
every later change goes the same way. Either country may **suspend** or **cancel** a membership
(a new lookout, a violation at its border), with written reasons; the other applies it on
receipt, so the card is refused at both countries' lanes from then on. A suspension is lifted
(**reinstated**) only by the country that made it; a cancellation is final. A **renewal**
(vetted again by both) extends the membership by five years from its old expiry.
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
import uuid
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from smartborder.audit import chain
from smartborder.errors import Conflict, NotFound, ValidationFailed
from smartborder.exchange import outbox
from smartborder.exchange.context import NodeExchange
from smartborder.exchange.inbox import Received
from smartborder.exchange.policy import Refused, carrying
from smartborder.programs.applications import rules
from smartborder.programs.models import TrustedApplication, TrustedMembership

NOTICE = "membership-notice"
PURPOSE = "trusted-traveller-membership"
CARD_PREFIX = {"CA": "5", "US": "1"}  # the issuing country's first digit
ACTIONS = {"suspend": "suspended", "cancel": "cancelled", "reinstate": "active"}
EVENTS = ("issued", "renewed", "suspended", "cancelled", "reinstated")


def luhn_digit(digits: str) -> str:
    """The Luhn check digit of ``digits``."""
    total = 0
    for n, char in enumerate(reversed(digits)):
        value = int(char) * (2 if n % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return str((10 - total % 10) % 10)


def card_problem(number: str) -> str | None:
    """Why ``number`` cannot be a card number (None when it can)."""
    if len(number) != 9 or not number.isdigit():
        return f"'{number}' is not nine digits"
    if luhn_digit(number[:-1]) != number[-1]:
        return f"'{number}' fails its check digit (mistyped?)"
    return None


def new_card_number(session: Session, country: str) -> str:
    prefix = CARD_PREFIX.get(country.upper(), "9")
    while True:
        body = prefix + "".join(secrets.choice("0123456789") for _ in range(7))
        number = body + luhn_digit(body)
        if session.scalar(select(TrustedMembership.id).where(
                TrustedMembership.card_number == number)) is None:  # fmt: skip
            return number


def expiry(birth_date: dt.date, issued: dt.date, years: int | None = None) -> dt.date:
    """The member's birthday ``years`` (five) years after ``issued``."""
    year = issued.year + (years or rules().membership_years)
    try:
        return birth_date.replace(year=year)
    except ValueError:  # born on 29 February
        return dt.date(year, 2, 28)


def _b64(data: bytes | None) -> str | None:
    return base64.b64encode(data).decode("ascii") if data else None


def _unb64(text: Any, field: str) -> bytes | None:
    if not text:
        return None
    try:
        return base64.b64decode(str(text), validate=True)
    except ValueError as exc:
        raise Refused("invalid_body", f"{field}: not base64") from exc


def issue(
    session: Session, ex: NodeExchange, application: TrustedApplication, *, face: bytes,
    iris: bytes | None, actor: str,
) -> TrustedMembership:  # fmt: skip
    """Issue the card of an enrolled applicant and tell the partners."""
    now = ex.clock()
    given = application.application["applicant"]
    citizenships = given.get("citizenships") or []
    born = dt.date.fromisoformat(given["birth_date"])
    row = TrustedMembership(
        id=str(uuid.uuid4()), card_number=new_card_number(session, ex.settings.country),
        rfid=secrets.token_hex(12).upper(), origin=ex.node_id, reference=application.reference,
        program=application.program, modes=list(application.application["modes"]),
        surname=given["surname"], given_names=given.get("given_names") or "", birth_date=born,
        nationality=citizenships[0] if citizenships else None, status="active",
        issued_on=now.date(), expires_on=expiry(born, now.date()), face=face, iris=iris,
        history=[], flags=[], open_flags=0, created_at=now, updated_at=now,
    )  # fmt: skip
    session.add(row)
    _record(session, ex, row, "issued", [], actor)
    return row


def _record(
    session: Session, ex: NodeExchange, row: TrustedMembership, event: str, reasons: list[str],
    actor: str,
) -> None:  # fmt: skip
    """Write the event into the membership's history, audit it and tell the partners."""
    now = ex.clock()
    row.history = [*row.history, {"event": event, "reasons": reasons, "by": actor,
                                  "node": ex.node_id, "at": now.isoformat()}]  # fmt: skip
    row.updated_at = now
    sent = []
    for agreement, _ in carrying(session, now.date(), NOTICE):
        outbox.send(session, ex, partner=agreement.partner, kind=NOTICE, agreement=agreement,
                    purpose=PURPOSE, actor=actor, case_ref=row.card_number,
                    body=notice_body(row, event, reasons))  # fmt: skip
        sent.append(agreement.partner)
    chain.append(session, f"programs:membership:{event}", actor=actor, subject=row.id,
                 details={"card": row.card_number, "reasons": reasons,
                          "shared_with": sent})  # fmt: skip


def notice_body(row: TrustedMembership, event: str, reasons: list[str]) -> dict[str, Any]:
    return {
        "event": event, "card_number": row.card_number, "rfid": row.rfid,
        "origin": row.origin, "reference": row.reference, "program": row.program,
        "modes": row.modes, "status": row.status, "issued_on": row.issued_on.isoformat(),
        "expires_on": row.expires_on.isoformat(), "reasons": reasons,
        "member": {"surname": row.surname, "given_names": row.given_names,
                   "birth_date": row.birth_date.isoformat(), "nationality": row.nationality},
        "biometrics": {"face": _b64(row.face), "iris": _b64(row.iris)},
    }  # fmt: skip


def find(session: Session, card: str) -> TrustedMembership:
    """A membership by card number or RFID tag id."""
    key = card.strip().upper()
    either = or_(TrustedMembership.card_number == key, TrustedMembership.rfid == key)
    row = session.scalars(select(TrustedMembership).where(either)).first()
    if row is None:
        raise NotFound(f"no membership with the card '{card}'")
    return row


def of_application(session: Session, reference: str) -> TrustedMembership | None:
    """The membership an application of ours made (or renewed), if any."""
    return session.scalars(select(TrustedMembership).where(
        TrustedMembership.reference == reference)).first()  # fmt: skip


def change(
    session: Session, ex: NodeExchange, card: str, *, action: str, reasons: list[str],
    actor: str,
) -> TrustedMembership:  # fmt: skip
    """Suspend, cancel or reinstate a membership, with written reasons; shared with the
    partners."""
    if action not in ACTIONS:
        raise ValidationFailed(f"action: '{action}' is not suspend, cancel or reinstate",
                               details=[{"field": "action", "value": action}])  # fmt: skip
    written = [r.strip() for r in reasons if r.strip()]
    if not written:
        raise ValidationFailed("reasons: a change of status is given with written reasons",
                               details=[{"field": "reasons", "problem": "empty"}])  # fmt: skip
    row = find(session, card)
    if row.status == "cancelled":
        raise Conflict(f"membership {row.card_number} is cancelled: that is final")
    if action == "reinstate":
        if row.status != "suspended":
            raise Conflict(f"membership {row.card_number} is not suspended")
        by = next((h["node"] for h in reversed(row.history) if h["event"] == "suspended"), None)
        if by != ex.node_id:
            raise Conflict(f"membership {row.card_number} was suspended by {by}: only it may "
                           "reinstate it")  # fmt: skip
    elif row.status == ACTIONS[action]:
        raise Conflict(f"membership {row.card_number} is already {row.status}")
    row.status = ACTIONS[action]
    event = {"suspend": "suspended", "cancel": "cancelled", "reinstate": "reinstated"}[action]
    if action != "reinstate":
        close(row, f"{event} by {actor}: {'; '.join(written)}", ex.clock())
    _record(session, ex, row, event, written, actor)
    return row


def close(row: TrustedMembership, outcome: str, now: dt.datetime) -> None:
    """Close the membership's open flags (``recheck``) with what was done."""
    row.flags = [{**f, "open": False, "outcome": outcome, "closed_at": now.isoformat()}
                 if f["open"] else f for f in row.flags or []]  # fmt: skip
    row.open_flags = 0


def renew(
    session: Session, ex: NodeExchange, application: TrustedApplication, *, actor: str
) -> TrustedMembership:
    """Extend the membership an approved renewal names by five years from its old expiry."""
    card = str(application.application.get("renewal_of") or "")
    row = find(session, card)
    if row.origin != ex.node_id:
        raise Conflict(f"membership {card} was issued by {row.origin}: renew it there")
    row.expires_on = expiry(row.birth_date, row.expires_on)
    row.reference = application.reference
    _record(session, ex, row, "renewed", [f"renewal {application.reference} approved"], actor)
    return row


def check_renewal(
    session: Session, card: str, on: dt.date, birth_date: dt.date, node_id: str
) -> None:
    """Whether a renewal of ``card`` may be made here (``node_id``) on ``on`` (ValidationFailed:
    why not)."""
    try:
        row = find(session, card)
    except NotFound as exc:
        where = [{"field": "renewal_of", "value": card}]
        raise ValidationFailed(f"renewal_of: {exc.message}", details=where) from exc
    problem = None
    window = rules().enrolment.renewal_window_days
    if row.birth_date != birth_date:
        problem = "the membership is another person's (date of birth)"
    elif row.origin != node_id:
        problem = f"the membership was issued by {row.origin}: renew it there"
    elif row.status != "active":
        problem = f"the membership is {row.status}"
    elif on > row.expires_on:
        problem = f"the membership expired on {row.expires_on}: apply anew"
    elif (row.expires_on - on).days > window:
        problem = f"renewals open {window} days before the expiry ({row.expires_on})"
    if problem:
        raise ValidationFailed(f"renewal_of: {problem}",
                               details=[{"field": "renewal_of", "problem": problem}])  # fmt: skip


def on_notice(session: Session, ex: NodeExchange, received: Received) -> None:
    """A partner's membership news: a card it issued or renewed (our copy made or updated), or
    its suspension, cancellation or reinstatement of any card (applied here)."""
    body, partner = received.envelope.body, received.partner.id
    event, card = str(body.get("event")), str(body.get("card_number") or "")
    if event not in EVENTS:
        raise Refused("invalid_body", f"event: '{event}' is not one of {', '.join(EVENTS)}")
    if card_problem(card):
        raise Refused("invalid_body", f"card_number: {card_problem(card)}")
    row = session.scalars(select(TrustedMembership).where(
        TrustedMembership.card_number == card)).first()  # fmt: skip
    if event in ("issued", "renewed"):
        if row is not None and row.origin != partner:
            raise Refused("conflict", f"card {card} was issued by {row.origin}, not by you")
        row = _copy(session, ex, row, body, partner)
    elif row is None:
        raise Refused("unknown_reference", f"no membership with the card {card} is known here")
    else:
        status = {"suspended": "suspended", "cancelled": "cancelled", "reinstated": "active"}
        row.status = status[event]
    now = ex.clock()
    reasons = [str(r) for r in body.get("reasons") or []]
    row.history = [*row.history, {"event": event, "reasons": reasons, "by": f"partner:{partner}",
                                  "node": partner, "at": now.isoformat()}]  # fmt: skip
    row.updated_at = now
    chain.append(session, "programs:membership:received", actor=f"partner:{partner}",
                 partner=partner, subject=row.id,
                 details={"card": card, "event": event, "reasons": reasons})  # fmt: skip


def _copy(
    session: Session, ex: NodeExchange, row: TrustedMembership | None, body: dict[str, Any],
    partner: str,
) -> TrustedMembership:  # fmt: skip
    member = body.get("member") or {}
    shared = body.get("biometrics") or {}
    try:
        values = {
            "rfid": str(body["rfid"]).upper(), "reference": str(body.get("reference") or ""),
            "program": str(body["program"]), "modes": [str(m) for m in body.get("modes") or []],
            "surname": str(member["surname"]), "given_names": str(member.get("given_names") or ""),
            "birth_date": dt.date.fromisoformat(str(member["birth_date"])),
            "nationality": member.get("nationality"),
            "status": str(body.get("status") or "active"),
            "issued_on": dt.date.fromisoformat(str(body["issued_on"])),
            "expires_on": dt.date.fromisoformat(str(body["expires_on"])),
            "face": _unb64(shared.get("face"), "biometrics.face"),
            "iris": _unb64(shared.get("iris"), "biometrics.iris"),
        }  # fmt: skip
    except (KeyError, ValueError) as exc:
        raise Refused("invalid_body", f"membership-notice: {exc} is missing or wrong") from exc
    if row is None:
        now = ex.clock()
        row = TrustedMembership(id=str(uuid.uuid4()), card_number=str(body["card_number"]),
                                origin=partner, history=[], flags=[], open_flags=0, created_at=now,
                                updated_at=now, **values)  # fmt: skip
        session.add(row)
    else:
        for key, value in values.items():
            setattr(row, key, value)
    return row


def membership_out(row: TrustedMembership, today: dt.date) -> dict[str, Any]:
    expired = row.expires_on < today
    return {
        "id": row.id, "card_number": row.card_number, "rfid": row.rfid, "origin": row.origin,
        "reference": row.reference, "program": row.program, "modes": row.modes,
        "member": f"{row.given_names} {row.surname}".strip(),
        "birth_date": row.birth_date.isoformat(), "nationality": row.nationality,
        "status": "expired" if expired and row.status == "active" else row.status,
        "issued_on": row.issued_on.isoformat(), "expires_on": row.expires_on.isoformat(),
        "biometrics": [k for k in ("face", "iris") if getattr(row, k)],
        "history": row.history, "flags": row.flags or [],
    }  # fmt: skip


def listing(session: Session, status: str | None = None) -> list[TrustedMembership]:
    query = select(TrustedMembership).order_by(TrustedMembership.updated_at.desc()).limit(200)
    if status:
        query = query.where(TrustedMembership.status == status)
    return list(session.scalars(query))
