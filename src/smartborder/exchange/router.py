"""JSON API of the exchange: the inbox partners deliver to, partners, agreements, case requests,
correction/destruction notices and the outbox's delivery state."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import select

from smartborder.auth import Db, Principal, require
from smartborder.deps import Now, get_exchange
from smartborder.errors import PermissionDenied, ValidationFailed
from smartborder.exchange import agreements, certificates, inbox, notices, partners, requests
from smartborder.exchange.context import NodeExchange
from smartborder.exchange.document import (
    TEMPLATES,
    AgreementDocument,
    from_template,
    load_document,
)
from smartborder.exchange.models import OutboxMessage, PartnerCertificate
from smartborder.exchange.schemas import (
    AgreementOut,
    CertificateIn,
    CertificateOut,
    DecisionIn,
    InboxIn,
    InboxOut,
    JsonSchemaOut,
    NoticeIn,
    NoticeOut,
    OutboxOut,
    PartnerIn,
    PartnerOut,
    ProposeIn,
    ReasonIn,
    RequestIn,
    RequestOut,
)
from smartborder.params import RowId
from smartborder.roles import Permission

router = APIRouter(tags=["exchange"])
PartnersAdmin = Annotated[Principal, Depends(require(Permission.PARTNERS_MANAGE))]
AgreementsReader = Annotated[Principal, Depends(require(Permission.AGREEMENTS_READ))]
AgreementsDecider = Annotated[Principal, Depends(require(Permission.AGREEMENTS_DECIDE))]
RequestsReader = Annotated[Principal, Depends(require(Permission.REQUESTS_READ))]
RequestsCreator = Annotated[Principal, Depends(require(Permission.REQUESTS_CREATE))]
RequestsDecider = Annotated[Principal, Depends(require(Permission.REQUESTS_DECIDE))]
NoticesSender = Annotated[Principal, Depends(require(Permission.NOTICES_SEND))]


def exchange_of(request: Request) -> NodeExchange:
    return get_exchange(request)


Exchange = Annotated[NodeExchange, Depends(exchange_of)]


def actor(principal: Principal) -> str:
    return f"user:{principal.username}"


@router.post("/exchange/inbox", response_model=InboxOut)
def deliver(batch: InboxIn, request: Request, ex: Exchange) -> Any:
    """Where partners deliver signed envelopes. Authenticated by each envelope's signature
    (and by mutual TLS in production), not by a user: every envelope gets its own result.
    At most ``exchange_max_envelopes`` a request; refusals are audited once per reason."""
    peer = certificates.peer_fingerprint(request.scope)
    if peer is None and ex.settings.exchange_port is not None:
        raise PermissionDenied(
            "partners deliver to the partner listener over mutual TLS "
            f"(port {ex.settings.exchange_port}), not here"
        )
    limit = ex.settings.exchange_max_envelopes
    if len(batch.envelopes) > limit:
        raise ValidationFailed(
            f"{len(batch.envelopes)} envelopes in one delivery; the limit is {limit}",
            details=[{"field": "envelopes", "problem": f"at most {limit}"}],
        )
    return {"results": inbox.receive(request.app.state.sessions, ex, batch.envelopes, peer)}


# --- partners ------------------------------------------------------------------------------


@router.get("/partners", response_model=list[PartnerOut])
def list_partners(db: Db, _p: AgreementsReader) -> Any:
    """Registered partner nodes and their key fingerprints."""
    return [PartnerOut.of(p) for p in partners.list_partners(db)]


@router.post("/partners", response_model=PartnerOut, status_code=201)
def add_partner(body: PartnerIn, db: Db, ex: Exchange, principal: PartnersAdmin) -> Any:
    """Register a partner node and the public key its envelopes must verify with."""
    partner = partners.add_partner(
        db,
        partner_id=body.id,
        name=body.name,
        url=body.url,
        public_key_pem=body.public_key,
        own_node_id=ex.node_id,
        actor=actor(principal),
    )
    return PartnerOut.of(partner)


@router.get("/partners/{partner_id}", response_model=PartnerOut)
def get_partner(partner_id: str, db: Db, _p: AgreementsReader) -> Any:
    return PartnerOut.of(partners.get_partner(db, partner_id))


@router.delete("/partners/{partner_id}", status_code=204)
def remove_partner(partner_id: str, db: Db, principal: PartnersAdmin) -> None:
    """Stop trusting a partner: its envelopes are refused from now on."""
    partners.remove_partner(db, partner_id, actor=actor(principal))


def _certificate_out(row: PartnerCertificate, now: dt.datetime) -> CertificateOut:
    return CertificateOut(
        fingerprint=row.fingerprint,
        partner=row.partner,
        subject=row.subject,
        not_after=row.not_after,
        state=certificates.state(row, now),
        retire_at=row.retire_at,
        added_at=row.added_at,
        added_by=row.added_by,
    )


@router.get("/partners/{partner_id}/certificates", response_model=list[CertificateOut])
def list_certificates(partner_id: str, db: Db, now: Now, _p: AgreementsReader) -> Any:
    """The TLS certificates pinned for a partner (mutual TLS), with where each stands."""
    partners.get_partner(db, partner_id)
    return [_certificate_out(r, now) for r in certificates.certificates_of(db, partner_id)]


@router.post("/partners/{partner_id}/certificates", response_model=CertificateOut, status_code=201)
def pin_certificate(
    partner_id: str, body: CertificateIn, db: Db, now: Now, principal: PartnersAdmin
) -> Any:
    """Pin a TLS certificate for a partner: its partner-listener connections must present one
    pinned for it. An expired certificate, or one pinned for another partner, is refused."""
    row = certificates.pin(
        db, partner_id=partner_id, pem=body.certificate, actor=actor(principal), now=now
    )
    return _certificate_out(row, now)


@router.delete("/partners/{partner_id}/certificates/{fingerprint}", status_code=204)
def unpin_certificate(partner_id: str, fingerprint: str, db: Db, principal: PartnersAdmin) -> None:
    """Stop accepting one of a partner's TLS certificates."""
    certificates.unpin(db, partner_id=partner_id, fingerprint=fingerprint, actor=actor(principal))


# --- agreements ----------------------------------------------------------------------------


@router.get("/agreements/templates", response_model=list[str])
def list_templates(_p: AgreementsReader) -> Any:
    """Names of the agreement templates shipped with smartborder."""
    return list(TEMPLATES)


@router.get("/agreements/schema", response_model=JsonSchemaOut, response_model_exclude_unset=True)
def agreement_schema(_p: AgreementsReader) -> dict[str, Any]:
    """The JSON Schema every agreement document must satisfy."""
    return AgreementDocument.model_json_schema()


@router.get("/agreements", response_model=list[AgreementOut])
def list_agreements(db: Db, ex: Exchange, _p: AgreementsReader) -> Any:
    return [
        AgreementOut.of(a, agreements.current_status(a, ex)) for a in agreements.list_agreements(db)
    ]


@router.get("/agreements/{agreement_id}", response_model=AgreementOut)
def get_agreement(agreement_id: str, db: Db, ex: Exchange, _p: AgreementsReader) -> Any:
    agreement = agreements.get_agreement(db, agreement_id)
    return AgreementOut.of(agreement, agreements.current_status(agreement, ex))


@router.post("/agreements", response_model=AgreementOut, status_code=201)
def propose(body: ProposeIn, db: Db, ex: Exchange, principal: AgreementsDecider) -> Any:
    """Sign and propose an agreement to the other party (a document, or a template)."""
    if (body.document is None) == (body.template is None):
        raise ValidationFailed(
            "give either 'document' or 'template' (with 'partner')",
            details=[{"field": "document", "problem": "exactly one of document/template"}],
        )
    if body.template is not None:
        if not body.partner:
            raise ValidationFailed(
                "a template needs the 'partner' to fill in",
                details=[{"field": "partner", "problem": "required"}],
            )
        document = from_template(body.template, (ex.node_id, body.partner))
    else:
        document = load_document(json.dumps(body.document), "document")
    agreement = agreements.propose(db, ex, document, actor=actor(principal))
    return AgreementOut.of(agreement, agreements.current_status(agreement, ex))


@router.post("/agreements/{agreement_id}/approve", response_model=AgreementOut)
def approve(agreement_id: str, db: Db, ex: Exchange, principal: AgreementsDecider) -> Any:
    """Counter-sign a proposal from the partner; it is then in force from its start date."""
    agreement = agreements.approve(db, ex, agreement_id, actor=actor(principal))
    return AgreementOut.of(agreement, agreements.current_status(agreement, ex))


@router.post("/agreements/{agreement_id}/reject", response_model=AgreementOut)
def reject(
    agreement_id: str, body: ReasonIn, db: Db, ex: Exchange, principal: AgreementsDecider
) -> Any:
    agreement = agreements.reject(db, ex, agreement_id, reason=body.reason, actor=actor(principal))
    return AgreementOut.of(agreement, agreements.current_status(agreement, ex))


@router.post("/agreements/{agreement_id}/terminate", response_model=AgreementOut)
def terminate(
    agreement_id: str, body: ReasonIn, db: Db, ex: Exchange, principal: AgreementsDecider
) -> Any:
    agreement = agreements.terminate(
        db, ex, agreement_id, reason=body.reason, actor=actor(principal)
    )
    return AgreementOut.of(agreement, agreements.current_status(agreement, ex))


# --- case-by-case requests -------------------------------------------------------------------


@router.get("/exchange/requests", response_model=list[RequestOut])
def list_requests(
    db: Db,
    _p: RequestsReader,
    direction: Literal["outgoing", "incoming"] = "outgoing",
    state: Annotated[str | None, Query(max_length=20)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Any:
    found = requests.list_requests(db, direction, state, limit)
    return [RequestOut.of(r, requests.response_of(db, r)) for r in found]


@router.post("/exchange/requests", response_model=RequestOut, status_code=201)
def create_request(body: RequestIn, db: Db, ex: Exchange, principal: RequestsCreator) -> Any:
    """Ask the partner about a subject under a case-by-case agreement; ``withheld`` lists what
    the agreement did not let the request carry."""
    request, withheld = requests.create_request(
        db,
        ex,
        agreement_id=body.agreement,
        purpose=body.purpose,
        subject=body.subject.model_dump(exclude_defaults=True),
        justification=body.justification,
        case_reference=body.case_reference,
        due_date=body.due_date,
        actor=actor(principal),
    )
    db.flush()
    return RequestOut.of(request, None, withheld)


@router.get("/exchange/requests/{request_id}", response_model=RequestOut)
def get_request(request_id: RowId, db: Db, _p: RequestsReader) -> Any:
    request = requests.get_request(db, request_id)
    return RequestOut.of(request, requests.response_of(db, request))


@router.post("/exchange/requests/{request_id}/decision", response_model=RequestOut)
def decide(
    request_id: RowId, body: DecisionIn, db: Db, ex: Exchange, principal: RequestsDecider
) -> Any:
    """Approve (the answer is cut to the agreement's permitted fields) or refuse with a reason."""
    request, withheld = requests.decide(
        db,
        ex,
        request_id,
        approve=body.decision == "approve",
        answer=body.answer,
        reason=body.reason,
        actor=actor(principal),
    )
    return RequestOut.of(request, None, withheld)


# --- notices and delivery --------------------------------------------------------------------


@router.get("/exchange/notices", response_model=list[NoticeOut])
def list_notices(db: Db, _p: RequestsReader) -> Any:
    return [NoticeOut.of(n) for n in notices.list_notices(db)]


@router.post("/exchange/notices", response_model=NoticeOut, status_code=201)
def send_notice(body: NoticeIn, db: Db, ex: Exchange, principal: NoticesSender) -> Any:
    """Correct or destroy data this node shared in an earlier envelope."""
    notice = notices.send_notice(
        db,
        ex,
        envelope_id=body.envelope_id,
        kind=body.kind,
        reason=body.reason,
        changes=body.changes,
        actor=actor(principal),
    )
    return NoticeOut.of(notice)


@router.get("/exchange/outbox", response_model=list[OutboxOut])
def outbox_state(
    db: Db,
    _p: AgreementsReader,
    state: Literal["pending", "delivered", "refused"] | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Any:
    """Delivery state of envelopes this node sent, newest first."""
    query = select(OutboxMessage).order_by(OutboxMessage.created_at.desc()).limit(limit)
    if state:
        query = query.where(OutboxMessage.state == state)
    return [OutboxOut.of(m) for m in db.scalars(query)]
