"""What an agreement allows: projecting bodies to its fields, and checking what arrives."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from smartborder.exchange.document import AgreementDocument
from smartborder.exchange.models import Agreement


class Refused(Exception):
    """An envelope, or an action, the agreement does not allow. ``code`` is the reason code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def flatten(body: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """{"subject": {"surname": "X"}} -> {"subject.surname": "X"}; lists are values."""
    flat: dict[str, Any] = {}
    for key, value in body.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            flat.update(flatten(value, path + "."))
        else:
            flat[path] = value
    return flat


def unflatten(flat: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for path, value in flat.items():
        node = body
        *parents, leaf = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return body


def project(body: dict[str, Any], allowed: list[str]) -> tuple[dict[str, Any], list[str]]:
    """Keep only the allowed fields (and drop empty ones); return the body and what was withheld."""
    flat = flatten(body)
    permitted = set(allowed)
    kept = {k: v for k, v in flat.items() if k in permitted and v not in (None, "", [], {})}
    withheld = sorted(k for k, v in flat.items() if k not in permitted and v not in (None, ""))
    return unflatten(kept), withheld


def extra_fields(body: dict[str, Any], allowed: list[str]) -> list[str]:
    permitted = set(allowed)
    return sorted(k for k in flatten(body) if k not in permitted)


_PARSED: dict[str, AgreementDocument] = {}


def document_of(agreement: Agreement) -> AgreementDocument:
    """The agreement's document, parsed once per digest (every envelope consults it)."""
    document = _PARSED.get(agreement.digest)
    if document is None:
        document = AgreementDocument.model_validate(agreement.document)
        if document.digest() != agreement.digest:
            raise ValueError(f"agreement '{agreement.id}': the stored document was altered")
        if len(_PARSED) > 256:
            _PARSED.clear()
        _PARSED[agreement.digest] = document
    return document


def status(agreement: Agreement, today: dt.date) -> str:
    """What an agreement is today: its stored state, or for a signed one, where its dates put it
    (not-yet-in-force, in-force, expired)."""
    if agreement.state != "signed":
        return agreement.state
    if today < agreement.valid_from:
        return "not-yet-in-force"
    if today > agreement.valid_until:
        return "expired"
    return "in-force"


def require_in_force(agreement: Agreement, today: dt.date) -> None:
    current = status(agreement, today)
    if current != "in-force":
        raise Refused(
            "agreement_not_in_force", f"agreement '{agreement.id}' is {current}, not in force"
        )


def check_use(
    agreement: Agreement, today: dt.date, kind: str, purpose: str | None
) -> AgreementDocument:
    """The agreement is in force and lets ``kind`` travel for ``purpose``."""
    require_in_force(agreement, today)
    document = document_of(agreement)
    if document.rule(kind) is None:
        raise Refused(
            "kind_not_allowed",
            f"agreement '{agreement.id}' does not carry '{kind}' messages; it carries "
            + ", ".join(m.kind for m in document.messages),
        )
    if purpose not in document.purpose_ids():
        raise Refused(
            "purpose_not_allowed",
            f"purpose '{purpose}' is not one of agreement '{agreement.id}': "
            + ", ".join(sorted(document.purpose_ids())),
        )
    return document


def carrying(
    session: Session, today: dt.date, kind: str, partner: str | None = None
) -> list[tuple[Agreement, AgreementDocument]]:
    """Agreements in force ``today`` that carry ``kind`` (with ``partner``, when given)."""
    query = select(Agreement).where(Agreement.state == "signed")
    if partner is not None:
        query = query.where(Agreement.partner == partner)
    found = []
    for agreement in session.scalars(query.order_by(Agreement.id)):
        if status(agreement, today) != "in-force":
            continue
        document = document_of(agreement)
        if document.rule(kind) is not None:
            found.append((agreement, document))
    return found
