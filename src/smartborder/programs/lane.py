"""The trusted lane and the kiosk: a card read, the traveller's face or iris against the
template enrolled with the card, and screening of the moment, giving **admit** (the trusted
lane) or **refer** (the regular lane or secondary), with every check and its reason.

The checks, in order; all are run once the card is known, so the officer sees every reason:

1. **The card**: a number (nine digits, its check digit) or an RFID tag id, known on this node
   (issued here or shared by the partner). An unknown or mistyped card stops there: refer.
2. **The membership**: active (not suspended, cancelled or expired) and of this lane's mode
   (FAST for the commercial lane; NEXUS highway, air or marine for theirs).
3. **The biometric 1:1**: the face (or, at an air kiosk, the iris) captured now against the
   template enrolled with the card, decided at the measured operating point; a capture of no
   usable quality refers, saying so.
4. **Screening of the moment**: the member against the lookouts as they are now (a lookout
   created since the membership was approved refers at once).
5. **FAST**: the carrier and the importer each approved trade parties (C-TPAT or PIP, each
   country recognising the other's; cargo/parties.py) and the shipment, found by its bill
   among the advance cargo reports (cargo/), released: one not reported, in review, held or
   under examination refers.

Each decision is audited (the card, the decision and the reasons; never the image).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import time
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy.orm import Session

from smartborder import metrics
from smartborder.audit import chain
from smartborder.biometrics.images import BiometricProblem
from smartborder.biometrics.matchers import verify
from smartborder.biometrics.modalities import matcher, template_from
from smartborder.cargo import parties, shipments
from smartborder.errors import NotFound
from smartborder.identity.countries import from_alpha2
from smartborder.programs import membership
from smartborder.programs.models import TrustedMembership
from smartborder.screening.schemas import SubjectIn
from smartborder.screening.service import Screening

Lane = Literal["highway", "air", "marine", "commercial"]
MAX_IMAGE = 4_000_000  # characters of base64: an image or template of about 3 MB


class LaneIn(BaseModel):
    """A card read at a booth or kiosk, and what was captured of the traveller."""

    model_config = ConfigDict(extra="forbid")
    card: str = Field(min_length=1, max_length=32, description="card number or RFID tag id")
    lane: Lane
    port: str = Field(default="", max_length=80)
    face: str | None = Field(default=None, max_length=MAX_IMAGE,
                             description="base64 photograph or face template")  # fmt: skip
    iris: str | None = Field(default=None, max_length=MAX_IMAGE,
                             description="base64 iris image or iris code")  # fmt: skip
    carrier: str | None = Field(default=None, max_length=40)
    importer: str | None = Field(default=None, max_length=40)
    shipment: str | None = Field(default=None, min_length=1, max_length=40,
                                 description="its bill (PAPS, PARS) number")  # fmt: skip

    @model_validator(mode="after")
    def _fast(self) -> LaneIn:
        if self.lane == "commercial" and (not self.carrier or not self.importer
                                          or self.shipment is None):  # fmt: skip
            raise ValueError("the commercial lane needs carrier, importer and shipment")
        return self


def _decoded(text: str, field: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise BiometricProblem(field, "not base64") from exc


def _check(checks: list[dict[str, Any]], name: str, passed: bool, reason: str) -> None:
    checks.append({"check": name, "passed": passed, "reason": reason})


def _biometric(row: TrustedMembership, request: LaneIn, checks: list[dict[str, Any]]) -> None:
    kind, sample, enrolled = (("iris", request.iris, row.iris) if request.iris
                              else ("face", request.face, row.face))  # fmt: skip
    if sample is None:
        _check(checks, "biometric", False, "no face or iris was captured")
        return
    if enrolled is None:
        _check(checks, "biometric", False, f"no {kind} is enrolled with this card")
        return
    try:
        probe = template_from(kind, _decoded(sample, kind), f"the {kind} captured")
        if not probe.quality.usable:
            raise BiometricProblem(kind, f"quality {probe.quality.score:g} below "
                                   f"{probe.quality.floor:g}")  # fmt: skip
    except BiometricProblem as exc:
        _check(checks, "biometric", False, f"{kind} capture not usable: {exc.message}; "
               "capture again or refer")  # fmt: skip
        return
    chosen = matcher(kind)
    compared = verify(chosen, probe, chosen.template(enrolled, f"card {row.card_number}"))
    verdict = "matches" if compared.match else "does not match"
    _check(checks, "biometric", compared.match,
           f"{kind} {verdict} the enrolled template: {compared.reasons[0]}")  # fmt: skip


def _screen(
    session: Session, screening: Screening, row: TrustedMembership, today: dt.date,
    checks: list[dict[str, Any]],
) -> None:  # fmt: skip
    nationality = from_alpha2(row.nationality or "") or None
    subject = SubjectIn(reference=row.card_number,
                        names=[f"{row.given_names} {row.surname}".strip()],
                        birth_date=row.birth_date.isoformat(),
                        nationalities=[nationality] if nationality else [])  # fmt: skip
    hits = screening.screen(session, subject, today=today, limit=3)
    if hits:
        found = "; ".join(f"{h.entry.category} lookout {h.entry.lookout_id} (score "
                          f"{h.score:.2f})" for h in hits)  # fmt: skip
        _check(checks, "screening", False, f"lookout hit now: {found}")
    else:
        _check(checks, "screening", True, "no lookout matches now")


def _fast(session: Session, request: LaneIn, checks: list[dict[str, Any]]) -> None:
    for role, key in (("carrier", request.carrier), ("importer", request.importer)):
        passed, reason = parties.trade_standing(session, role, str(key))
        _check(checks, role, passed, reason)
    reference = str(request.shipment)
    try:
        shipment = shipments.by_bill(session, reference, request.carrier)
    except NotFound:
        _check(checks, "shipment", False, f"shipment {reference}: no advance report of it")
        return
    why = "; ".join((shipment.assessment or {}).get("reasons", [])[:3])
    _check(checks, "shipment", shipment.status == "released",
           f"shipment {shipment.bill}: {shipment.status}"
           + (f" ({why})" if why and shipment.status != "released" else ""))  # fmt: skip


def decide(
    session: Session, screening: Screening, request: LaneIn, *, actor: str, now: dt.datetime
) -> dict[str, Any]:
    """Admit to the trusted lane, or refer, with every check and its reason."""
    started = time.perf_counter()
    checks: list[dict[str, Any]] = []
    card = request.card.strip().upper()
    row: TrustedMembership | None = None
    problem = membership.card_problem(card) if card.isdigit() and len(card) != 24 else None
    if problem:
        _check(checks, "card", False, f"card {problem}")
    else:
        try:
            row = membership.find(session, card)
        except NotFound:
            _check(checks, "card", False, f"card '{card}' is unknown on this node")
    if row is not None:
        _check(checks, "card", True, f"card {row.card_number} ({row.program.upper()}, issued by "
               f"{row.origin})")  # fmt: skip
        today = now.date()
        if row.status != "active":
            reasons: list[str] = next((h["reasons"] for h in reversed(row.history)
                            if h["event"] in ("suspended", "cancelled")), [])  # fmt: skip
            why = f": {'; '.join(reasons)}" if reasons else ""
            _check(checks, "membership", False, f"membership {row.status}{why}")
        elif row.expires_on < today:
            _check(checks, "membership", False, f"membership expired on {row.expires_on}")
        else:
            _check(checks, "membership", True, f"active until {row.expires_on}")
        wanted = "fast" if request.lane == "commercial" else "nexus"
        fits = row.program == wanted and request.lane in row.modes
        _check(checks, "lane", fits, f"{row.program.upper()} {', '.join(row.modes)}; this is "
               f"the {request.lane} lane")  # fmt: skip
        _biometric(row, request, checks)
        _screen(session, screening, row, today, checks)
        if request.lane == "commercial":
            _fast(session, request, checks)
    admitted = row is not None and all(c["passed"] for c in checks)
    decision = "admit" if admitted else "refer"
    reasons = [c["reason"] for c in checks if not c["passed"]] or ["every check passed"]
    chain.append(session, f"programs:lane:{'admitted' if admitted else 'referred'}",
                 actor=actor, subject=row.id if row else None,
                 details={"card": card, "lane": request.lane, "port": request.port,
                          "reasons": reasons})  # fmt: skip
    metrics.LANE.labels(decision).observe(time.perf_counter() - started)
    return {"decision": decision, "reasons": reasons, "checks": checks, "card": card,
            "member": membership.membership_out(row, now.date()) if row else None,
            "decided_at": now.isoformat()}  # fmt: skip
