"""A shipment's assessment, when its report is stored: its parties screened against the
lookouts (organisations as organisations; a name's hits kept until the lookouts change, as the
same parties recur in every report), its trade parties' standing read, and - with an active
shipment risk model - its score, the indicators that fired with what each one saw, and the
model's decision.

Where it then stands, each reason said:

- **held**: the model decides *do not load* (a marine container not to be loaded at the foreign
  port) or *hold* (held at arrival for examination);
- **review** (the targeting queue): the score reaches the model's review threshold; or, model
  or not, a party is named by a lookout, a trade party it names is suspended or refused, or a
  container number or HS code failed its check (a hit is never left to the score alone);
- **released** otherwise.

The model is the node's active model for shipments (``subject: shipment``), loaded, co-signed
and activated like the traveller's (docs/cargo.md); joint once the partner has co-signed it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from smartborder.cargo import joint, parties
from smartborder.cargo.features import record_of
from smartborder.cargo.shipments import AnyShipment
from smartborder.exchange.context import NodeExchange
from smartborder.screening.service import Screening
from smartborder.travel.riskmodels import models as rm
from smartborder.travel.riskmodels.document import RiskModel
from smartborder.travel.riskmodels.service import active_model, document_of

SCREENED_ROLES = ("consignor", "consignee", "notify", "importer", "forwarder")
_COMPILED: dict[tuple[str, str | None], RiskModel] = {}  # by model id and node


def compiled(row: rm.RiskModelRow, node: str | None) -> RiskModel:
    """The model of ``row`` compiled once per process (a stored model never changes)."""
    key = (row.id, node)
    if key not in _COMPILED:
        if len(_COMPILED) > 16:
            _COMPILED.clear()
        _COMPILED[key] = RiskModel(document_of(row), node)
    return _COMPILED[key]


class Assessor:
    """Screens, scores and judges the shipments of one report."""

    def __init__(self, screening: Screening, today: dt.date, node: str | None = None,
                 ex: NodeExchange | None = None, actor: str = "system:cargo") -> None:  # fmt: skip
        """With ``ex``, a shipment a joint model finds over its share threshold, in transit to
        the partner, is shared with it (joint.py)."""
        self.screening = screening
        self.today = today
        self.node = node
        self.ex = ex
        self.actor = actor
        self._standing: dict[tuple[str, str], parties.Standing | None] = {}

    def _screen(self, name: str) -> list[dict[str, Any]]:
        return [{"lookout_id": h.entry.lookout_id, "category": h.entry.category,
                 "origin": h.entry.origin, "score": round(h.score, 3)}
                for h in self.screening.screen_name(name, today=self.today)]  # fmt: skip

    def _party(self, session: Session, role: str, identifier: str) -> parties.Standing | None:
        key = (role, identifier)
        if key not in self._standing:
            self._standing.update(parties.known(session, [key]))
        return self._standing[key]

    def __call__(self, session: Session, shipments: list[AnyShipment]) -> None:
        self.screening.sync(session)  # once a report: each party's name is then screened alone
        row = active_model(session, "shipment")
        model = compiled(row, self.node) if row is not None else None
        self._standing.update(parties.known(session, [
            pair for s in shipments for pair in (
                ("importer", str((s.parties.get("importer") or {}).get("identifier") or "")),
                ("carrier", s.carrier))]))  # fmt: skip
        for shipment in shipments:
            self.assess(session, shipment, row, model)

    def assess(self, session: Session, shipment: AnyShipment, row: rm.RiskModelRow | None,
               model: RiskModel | None) -> None:  # fmt: skip
        reasons: list[str] = []
        hits = self._screening(session, shipment, reasons)
        standing: dict[str, str | None] = {}
        for role, identifier in (
            ("importer", str((shipment.parties.get("importer") or {}).get("identifier") or "")),
            ("carrier", shipment.carrier),
        ):
            party = self._party(session, role, identifier) if identifier else None
            standing[role] = (party.status.upper() if party is not None
                              else "UNKNOWN" if identifier else None)  # fmt: skip
            if party is not None and party.status in ("suspended", "refused"):
                reasons.append(f"{role} {identifier} ({party.name}): {party.program} "
                               f"{party.status}")  # fmt: skip
        reasons += [w["text"] for w in shipment.warnings
                    if "(ISO 6346)" in w["text"] or "HS code" in w["text"]]  # fmt: skip
        out: dict[str, Any] = {"screening": hits, "model": None, "score": None,
                               "joint_score": None, "decision": None, "indicators": []}  # fmt: skip
        status = "review" if reasons else "released"
        if model is not None and row is not None:
            record = record_of(shipment, hits=hits, standing=standing)
            assessed = model.assess(record)
            shipment.score, shipment.joint_score = assessed.score, assessed.joint_score
            scored = assessed.as_dict(record)
            out.update({"model": {"id": row.id, "name": row.name, "version": row.version,
                                  "joint": row.joint}, "score": assessed.score,
                        "joint_score": assessed.joint_score, "decision": assessed.decision,
                        "indicators": scored["indicators"]})  # fmt: skip
            if assessed.decision in ("do not load", "hold"):
                status = "held"
                reasons.insert(0, f"{assessed.decision}: {'; '.join(assessed.reasons)}")
            elif model.queued(assessed):
                status = "review"
                reasons.insert(0, f"score {assessed.score} reaches the review threshold "
                               f"{model.doc.thresholds.review}: "
                               + ", ".join(i.id for i in assessed.fired))  # fmt: skip
            ex = self.ex
            if (ex is not None and row.joint and model.shareable(assessed)
                    and joint.shareable(shipment, ex.settings.country)):  # fmt: skip
                shipment.assessment = {**out, "reasons": reasons}
                sent = joint.share(session, ex, shipment, actor=self.actor)
                if sent:
                    reasons.append(f"joint score {assessed.joint_score} reaches the share "
                                   f"threshold: shared with {', '.join(sent)}")  # fmt: skip
        else:
            shipment.score = shipment.joint_score = None
        shipment.status = status
        out["reasons"] = reasons or ["nothing holds it"]
        shipment.assessment = out

    def _screening(self, session: Session, shipment: AnyShipment, reasons: list[str]
                   ) -> list[dict[str, Any]]:  # fmt: skip
        hits: list[dict[str, Any]] = []
        for role in SCREENED_ROLES:
            name = str((shipment.parties.get(role) or {}).get("name") or "").strip()
            if not name:
                continue
            try:
                found = self._screen(name)
            except ValueError as exc:  # a name screening cannot read: said, not dropped
                reasons.append(f"{role} '{name}' could not be screened: {exc}")
                continue
            for hit in found:
                hits.append({"role": role, "name": name, **hit})
                reasons.append(f"{role} {name}: {hit['category']} lookout {hit['lookout_id']} "
                               f"(score {hit['score']:.2f})")  # fmt: skip
        return hits
