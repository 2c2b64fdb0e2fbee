"""Applications as records: submitted whole (checked, judged, the fee set) or refused with
where; each audited by reference."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from smartborder.audit import chain
from smartborder.errors import NotFound
from smartborder.exchange.context import NodeExchange
from smartborder.identity.names import normalise
from smartborder.programs import applications, membership, vetting
from smartborder.programs.models import TrustedApplication
from smartborder.screening.service import Screening

REFERENCE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read over the phone


def submit(
    session: Session,
    ex: NodeExchange,
    screening: Screening,
    application: applications.ApplicationIn,
    *,
    actor: str,
) -> TrustedApplication:
    """Record an application: refused with each problem located when it cannot be judged
    (nothing stored); otherwise judged ineligible (with its reasons) or eligible, and then
    vetted here and sent to the partners to vet (``vetting``); its fee set."""
    now = ex.clock()
    applications.check(application)
    if application.renewal_of:
        membership.check_renewal(session, application.renewal_of, application.date,
                                 application.applicant.birth_date, ex.node_id)  # fmt: skip
    eligible, reasons = applications.eligibility(application)
    given = application.applicant
    row = TrustedApplication(
        id=str(uuid.uuid4()), reference=_reference(session), program=application.program,
        applicant=normalise(f"{given.given_names} {given.surname}"),
        birth_date=given.birth_date,
        application=application.model_dump(mode="json", by_alias=True),
        status="vetting" if eligible else "ineligible", reasons=reasons,
        fee=_fee(session, application, now.date()), vetting={}, created_at=now,
        created_by=actor,
        updated_at=now,
    )  # fmt: skip
    session.add(row)
    details = {"reference": row.reference, "program": row.program, "status": row.status,
               "reasons": [r["rule"] for r in reasons]}  # fmt: skip
    chain.append(session, "programs:application:submitted", actor=actor, subject=row.id,
                 details=details)  # fmt: skip
    if eligible:
        vetting.start(session, ex, screening, row, actor=actor)
    return row


def _fee(session: Session, application: applications.ApplicationIn, today: dt.date) -> Any:
    """The fee; a minor's is waived only when the guardian's card is an active membership
    known here (issued here or shared by the partner)."""
    fee = applications.fee(application)
    guardian = application.guardian
    if fee["amount"] == 0 and guardian is not None and guardian.membership:
        try:
            card = membership.find(session, guardian.membership)
            standing = membership.membership_out(card, today)["status"]
        except NotFound:
            standing = "unknown here"
        if standing != "active":
            program = applications.rules().programs[application.program]
            amount = applications.rules().fee_on(application.program, application.date)
            why = (
                f"{program.title} fee on {application.date}: the guardian's card "
                f"{guardian.membership} is {standing}, not an active membership"
            )
            fee = {"amount": amount, "currency": "USD", "reason": why}
    return fee


def _reference(session: Session) -> str:
    while True:
        made = "TT" + "".join(secrets.choice(REFERENCE_LETTERS) for _ in range(8))
        if session.scalar(select(TrustedApplication.id).where(
                TrustedApplication.reference == made)) is None:  # fmt: skip
            return made


def get(session: Session, reference: str) -> TrustedApplication:
    return vetting.application(session, reference)


def listing(session: Session, status: str | None = None) -> Sequence[TrustedApplication]:
    query = select(TrustedApplication).order_by(TrustedApplication.created_at.desc()).limit(200)
    if status:
        query = query.where(TrustedApplication.status == status)
    return session.scalars(query).all()


def application_out(row: TrustedApplication) -> dict[str, Any]:
    return {
        "id": row.id, "reference": row.reference, "program": row.program,
        "applicant": row.applicant, "birth_date": row.birth_date.isoformat(),
        "status": row.status, "reasons": row.reasons, "fee": row.fee, "vetting": row.vetting,
        "application": row.application, "created_at": row.created_at.isoformat(),
        "created_by": row.created_by, "updated_at": row.updated_at.isoformat(),
    }  # fmt: skip
