"""The message kinds nodes exchange.

*Agreement kinds* carry domain data and must be listed, with their exact fields, in an agreement
in force. *Control kinds* run the exchange itself (agreement negotiation, audit checkpoints) and
pass between registered partners without one. *Duty kinds* (corrections, destruction and their
confirmations) are obligations under the agreement that carried the data, allowed for as long as
that agreement is known — including after it ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Category(StrEnum):
    AGREEMENT = "agreement"
    CONTROL = "control"
    DUTY = "duty"


@dataclass(frozen=True)
class Kind:
    name: str
    category: Category
    description: str
    handled: bool = True


_KINDS = (
    Kind("case-request", Category.AGREEMENT, "A case-by-case question about a subject."),
    Kind("case-response", Category.AGREEMENT, "The answer to a case request (approved)."),
    Kind("case-refusal", Category.AGREEMENT, "A case request refused, with the reason."),
    Kind("lookout-upsert", Category.AGREEMENT, "A shared lookout, created or amended."),
    Kind("lookout-retraction", Category.AGREEMENT, "A shared lookout withdrawn."),
    Kind("high-risk-traveller", Category.AGREEMENT, "A traveller over the joint threshold."),
    Kind("high-risk-disposition", Category.AGREEMENT, "An analyst's disposition on one."),
    Kind("asylum-comparison", Category.AGREEMENT, "A claimant to compare (Asylum Annex).", True),
    Kind("asylum-match", Category.AGREEMENT, "Hit or no hit; on a hit the permitted facts.", True),
    Kind("vetting-request", Category.AGREEMENT, "A NEXUS/FAST application to vet.", True),
    Kind("vetting-result", Category.AGREEMENT, "A vetting decision with permitted reasons.", True),
    Kind("membership-notice", Category.AGREEMENT, "A NEXUS/FAST card issued or changed.", True),
    Kind("cargo-target", Category.AGREEMENT, "An in-transit shipment over the joint threshold."),
    Kind("cargo-examination-request", Category.AGREEMENT, "An examination asked of the partner."),
    Kind("cargo-examination-result", Category.AGREEMENT, "What the examination found."),
    Kind("fingerprint-search", Category.AGREEMENT, "An ANSI/NIST-ITL fingerprint search."),
    Kind(
        "fingerprint-search-result",
        Category.AGREEMENT,
        "Hit or no hit; on a hit, the criminal-record summary the annex permits.",
    ),
    Kind("visa-consultation", Category.AGREEMENT, "Notice of a planned visa policy change."),
    Kind("visa-consultation-reply", Category.AGREEMENT, "The partner's view on it."),
    Kind("removal-operation", Category.AGREEMENT, "A joint removal flight with seats for each."),
    Kind("removal-proposal", Category.AGREEMENT, "A removee proposed for a joint removal."),
    Kind("removal-decision", Category.AGREEMENT, "The organiser's acceptance or refusal."),
    Kind("removal-outcome", Category.AGREEMENT, "Whether the removee was removed, and why not."),
    Kind("ibet-case", Category.AGREEMENT, "An IBET case: its agencies, officers and subjects."),
    Kind("ibet-entry", Category.AGREEMENT, "An IBET case's event, task, attachment or result."),
    Kind(
        "statistics-report",
        Category.AGREEMENT,
        "Aggregate counts for a period, small cells suppressed (statistics annex).",
    ),
    Kind("correction", Category.DUTY, "Corrected fields for data shared earlier."),
    Kind("destruction", Category.DUTY, "A demand to destroy data shared earlier."),
    Kind("notice-confirmation", Category.DUTY, "Confirms a correction or destruction applied."),
    Kind("agreement-proposal", Category.CONTROL, "A signed agreement proposed to the partner."),
    Kind("agreement-signature", Category.CONTROL, "The partner's counter-signature."),
    Kind("agreement-rejection", Category.CONTROL, "A proposal declined, with the reason."),
    Kind("agreement-termination", Category.CONTROL, "An agreement ended by one party."),
    Kind("risk-model-proposal", Category.CONTROL, "A risk model offered for co-signature."),
    Kind("risk-model-cosignature", Category.CONTROL, "The partner's co-signature of a model."),
    Kind(
        "certificate-rotation",
        Category.CONTROL,
        "The sender's new TLS certificate, to pin; the old one is accepted for an overlap.",
    ),
    Kind(
        "signing-key-rotation",
        Category.CONTROL,
        "The sender's new signing key, proven held; the old one verifies for an overlap.",
    ),
    Kind("audit-checkpoint", Category.CONTROL, "A signed size and head of the sender's chain."),
    Kind("audit-receipt", Category.CONTROL, "Acknowledges a checkpoint, signed by the receiver."),
)

KINDS: dict[str, Kind] = {kind.name: kind for kind in _KINDS}
AGREEMENT_KINDS = frozenset(k.name for k in _KINDS if k.category is Category.AGREEMENT)


def category(name: str) -> Category | None:
    kind = KINDS.get(name)
    return kind.category if kind else None
