"""The node's domains wired to the exchange: which function applies each kind of envelope
this node accepts, and what runs when an agreement is signed (the domains that send data
systematically start sending under it). The exchange knows no domain: the app, the CLI and
the tests build their ``NodeExchange`` here (``node_exchange``), which hands it these tables."""

from __future__ import annotations

from sqlalchemy.orm import Session

from smartborder.audit import checkpoints
from smartborder.exchange import agreements, notices, requests
from smartborder.exchange.context import NodeExchange, OnSigned
from smartborder.exchange.inbox import Handler
from smartborder.exchange.models import Agreement
from smartborder.screening import sharing
from smartborder.settings import Settings
from smartborder.travel import cosign
from smartborder.travel import sharing as travel_sharing
from smartborder.visa import consult

HANDLERS: dict[str, Handler] = {
    "agreement-proposal": agreements.on_proposal,
    "agreement-signature": agreements.on_signature,
    "agreement-rejection": agreements.on_rejection,
    "agreement-termination": agreements.on_termination,
    "case-request": requests.on_request,
    "case-response": requests.on_response,
    "case-refusal": requests.on_refusal,
    "correction": notices.on_correction,
    "destruction": notices.on_destruction,
    "notice-confirmation": notices.on_confirmation,
    "audit-checkpoint": checkpoints.on_checkpoint,
    "audit-receipt": checkpoints.on_receipt,
    "lookout-upsert": sharing.on_upsert,
    "lookout-retraction": sharing.on_retraction,
    "high-risk-traveller": travel_sharing.on_traveller,
    "high-risk-disposition": travel_sharing.on_disposition,
    "risk-model-proposal": cosign.on_proposal,
    "risk-model-cosignature": cosign.on_cosignature,
    "visa-consultation": consult.on_consultation,
    "visa-consultation-reply": consult.on_reply,
}


def _share_lookouts(session: Session, ex: NodeExchange, agreement: Agreement) -> int:
    return sharing.share_all(session, ex, agreement, actor="system:exchange")


ON_SIGNED: list[OnSigned] = [_share_lookouts]


def node_exchange(settings: Settings) -> NodeExchange:
    """The exchange acting for this node, with every domain's handlers."""
    return NodeExchange.for_node(settings, handlers=HANDLERS, on_signed=ON_SIGNED)
