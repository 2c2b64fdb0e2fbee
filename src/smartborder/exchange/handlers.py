"""Which function applies each kind of envelope this node accepts."""

from __future__ import annotations

from smartborder.audit import checkpoints
from smartborder.exchange import agreements, notices, requests
from smartborder.exchange.inbox import Handler

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
}
