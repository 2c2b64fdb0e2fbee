"""Joint targeting between two nodes: a model becomes joint only when the partner co-signs it;
travellers over the joint threshold go to the partner minimised to the API/PNR annex and show
in its queue with their provenance; dispositions come back; nothing else leaves the node."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from smartborder.exchange.models import OutboxMessage
from smartborder.screening import service as lookouts
from smartborder.screening.matcher import Thresholds
from smartborder.screening.service import Screening
from smartborder.settings import TRAVEL_TEAMS
from smartborder.travel.intake import service
from smartborder.travel.riskmodels import cosign
from smartborder.travel.riskmodels import service as models
from smartborder.travel.riskmodels.document import load_model
from smartborder.travel.targeting import models as tm
from smartborder.travel.targeting import queue
from smartborder.travel.targeting.service import Targeting, rescore
from tests.pair import Node, Pair
from tests.travel.test_retention import PAXLST, PNRGOV
from tests.travel.test_targeting import MODEL, NOW, mary_lookout


def targeting(node: Node) -> Targeting:
    return Targeting(Screening(Thresholds(0.7, {})), TRAVEL_TEAMS, node.ex)


def sent(node: Node, kind: str) -> list[OutboxMessage]:
    with node.uow() as s:
        rows = list(s.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)))
        for row in rows:
            s.expunge(row)
        return rows


def test_high_risk_travellers_cross_only_over_the_joint_threshold_of_a_joint_model(
    pair: Pair,
) -> None:
    pair.clock.offset = NOW - dt.datetime.now(dt.UTC)
    pair.in_force("smu")
    pair.in_force("api-pnr")
    ca, us = pair.ca, pair.us
    ca_targeting = targeting(ca)
    with ca.uow() as s:
        row = models.store_model(s, load_model(MODEL, "m.yaml"), source="t", actor="u", now=NOW)
        models.activate(s, row.id, actor="user:sup", now=NOW)
        model_id = row.id
        lookouts.create_lookout(s, mary_lookout(), actor="user:ana", today=NOW.date())
    with ca.uow() as s:
        for data in (PAXLST, PNRGOV):
            service.receive(s, data, source="t", actor="t", now=NOW, targeting=ca_targeting)

    # not co-signed yet: queued here, nothing shared
    assert sent(ca, "high-risk-traveller") == []
    with ca.uow() as s:
        _, local = queue.list_queue(s, now=NOW)
        assert {r.summary["name"] for r in local} == {"O'BRIEN, MARY ANNE", "NGUYEN, VAN DUNG"}
        ca_targeting.seen(s)

    # the partner co-signs through the exchange; the model is joint on both sides
    with ca.uow() as s:
        cosign.propose(s, ca.ex, model_id, partner="us", actor="user:sup")
    pair.pump()
    with us.uow() as s:
        [theirs] = models.list_models(s)
        assert (theirs.status, theirs.joint, theirs.source) == ("draft", False, "partner:ca")
        cosign.cosign(s, us.ex, theirs.id, actor="user:sup-us", now=NOW)
    pair.pump()
    with ca.uow() as s:
        mine = models.get_model(s, model_id)
        assert (mine.joint, mine.cosigned_by) == (True, "us")
        assert ca_targeting.changes(s) == "risk model changed"  # serve's job would re-score
        rescore(s, ca_targeting, now=NOW, actor="system:test", reason="model co-signed")
    pair.pump()

    # only O'BRIEN (joint 70 >= 60) went; NGUYEN (local 110, joint 20) did not
    [envelope] = sent(ca, "high-risk-traveller")
    assert envelope.partner == "us"
    with us.uow() as s:
        _, theirs_queue = queue.list_queue(s, now=NOW)
        [shared] = theirs_queue
        assert shared.origin == "ca"
        assert shared.agreement == "annex-api-pnr"
        assert shared.summary["name"] == "O'BRIEN, MARY ANNE"
        assert shared.summary["document_number"] == "HK123456"
        assert shared.summary.get("locator") is None  # the annex carries no booking
        assert shared.hits == []  # nor the lookout that matched
        assert [i["id"] for i in shared.indicators] == ["lookout-hit"]
        assert (shared.severity, shared.joint_score, shared.team) == (
            "high",
            70,
            "targeting",
        )
        shared_id = shared.id

    # the same re-scoring sends nothing new
    with ca.uow() as s:
        rescore(s, ca_targeting, now=NOW, actor="system:test", reason="again")
    assert len(sent(ca, "high-risk-traveller")) == 1

    # the partner's disposition comes back and shows in the origin's history
    with us.uow() as s:
        queue.set_disposition(
            s, shared_id, status="referred to secondary", note="Refer on arrival at CDG.",
            actor="user:ana-us", now=NOW, ex=us.ex,
        )  # fmt: skip
    pair.pump()
    with ca.uow() as s:
        mary = s.scalars(
            select(tm.Assessment).where(
                tm.Assessment.severity == "high", tm.Assessment.origin == "local"
            )
        ).one()
        [step] = queue.history(s, mary.id)
        assert (step.status, step.origin, step.actor) == (
            "referred to secondary",
            "us",
            "partner:us",
        )
        assert mary.status == "new"  # the partner's view is shown, not imposed
