"""Joint targeting of in-transit shipments between two nodes: the shipment model co-signed
through the exchange, a container landing at Vancouver in transit to Chicago over the joint
threshold sent to the United States under the cargo annex (its fields only), the US targeter's
examination request answered by Canada's result, and the examinations' statistics."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from smartborder.cargo import examinations, intake, joint
from smartborder.cargo.assess import Assessor
from smartborder.cargo.models import Examination, Shipment
from smartborder.errors import Conflict
from smartborder.exchange.models import OutboxMessage
from smartborder.screening import service as lookouts
from smartborder.screening.matcher import Thresholds
from smartborder.screening.schemas import LookoutIn
from smartborder.screening.service import Screening
from smartborder.travel.riskmodels import cosign
from smartborder.travel.riskmodels import service as models
from smartborder.travel.riskmodels.document import load_model
from tests.pair import Node, Pair

DATA = Path(__file__).parent / "data"
MODEL = Path(__file__).parents[2] / "src/smartborder/cargo/shipped/joint-cargo.yaml"
# the lamps to Chicago: arms parts (HS 93) from a shipper a customs lookout names
CUSCAR = ((DATA / "cuscar_d97b.edi").read_bytes().replace(b"940540", b"930510")
          .replace(b"SHANGHAI BRIGHT LIGHTING CO LTD", b"RED LANTERN TRADING CO"))  # fmt: skip


def _load_and_activate(node: Node, text: str) -> str:
    with node.uow() as s:
        row = models.store_model(s, load_model(text, MODEL.name), source="test",
                                 actor="user:sup", now=node.ex.clock())  # fmt: skip
        models.activate(s, row.id, actor="user:sup", now=node.ex.clock())
        return row.id


def _report(node: Node, data: bytes) -> intake.Received:
    now = node.ex.clock()
    with node.uow() as s:
        assessor = Assessor(Screening(Thresholds.from_settings(node.settings)), now.date(),
                            node.id, node.ex, "user:carrier")  # fmt: skip
        return intake.receive(s, data, source="test", actor="user:carrier", now=now,
                              country=node.settings.country, scorer=assessor)  # fmt: skip


def _kinds(node: Node) -> list[str]:
    with node.uow() as s:
        return [e.kind for e in s.scalars(select(OutboxMessage).order_by(OutboxMessage.created_at))
                if e.kind.startswith("cargo")]  # fmt: skip


def test_an_in_transit_container_is_targeted_jointly_and_examined_at_the_partners_request(
    pair: Pair,
) -> None:  # fmt: skip
    pair.in_force("smu")
    pair.in_force("cargo")
    ca, us = pair.ca, pair.us
    model_id = _load_and_activate(ca, MODEL.read_text())
    with ca.uow() as s:
        lookouts.create_lookout(s, LookoutIn.model_validate({
            "category": "customs", "names": [{"name": "Red Lantern Trading Co"}],
            "source_reference": "SYNTHETIC"}), actor="user:analyst",
            today=ca.ex.clock().date())  # fmt: skip

    # not co-signed yet: scored and held here, nothing shared
    first = _report(ca, CUSCAR.replace(b"MAEU123456789", b"MAEU000000001"))
    assert first.shipments[0]["status"] == "held"
    assert _kinds(ca) == []

    # co-signed through the exchange: joint on both sides
    with ca.uow() as s:
        cosign.propose(s, ca.ex, model_id, partner="us", actor="user:sup")
    pair.pump()
    with us.uow() as s:
        theirs = next(m for m in models.list_models(s) if m.subject == "shipment")
        cosign.cosign(s, us.ex, theirs.id, actor="user:sup-us", now=us.ex.clock())
        models.activate(s, theirs.id, actor="user:sup-us", now=us.ex.clock())
    pair.pump()

    sent = _report(ca, CUSCAR)
    lamps = next(s for s in sent.shipments if s["bill"] == "MAEU123456789")
    plates = next(s for s in sent.shipments if s["bill"] == "MAEU123456790")
    assert (lamps["status"], lamps["score"]) == ("held", 100)
    assert plates["status"] == "released"  # to Toronto: not in transit, nothing to share
    assert _kinds(ca) == ["cargo-target"]
    pair.pump()
    with us.uow() as s:
        [theirs_row] = s.scalars(select(Shipment)).all()
        assert (theirs_row.origin, theirs_row.status, theirs_row.bill) == (
            "partner:ca",
            "review",
            "MAEU123456789",
        )
        assert theirs_row.containers == [{"number": "CSQU3054383", "seal": "", "size": ""}]
        assert theirs_row.parties == {}  # the annex does not carry the parties
        assert {i["id"] for i in theirs_row.assessment["indicators"]} == {
            "party-lookout-hit",
            "commodity-of-interest",
            "importer-unknown",
        }
        assert (
            "shared by ca in transit here: joint score 100" in (theirs_row.assessment["reasons"][0])
        )
        exam = joint.refer(s, us.ex, theirs_row.id, examinations.ReferralIn(
            kind="physical", reasons=["arms parts from a shipper under a lookout"]),
            actor="user:targeter-us")  # fmt: skip
        us_exam = exam.id
        with pytest.raises(Conflict, match="is the partner's to do"):
            joint.record(s, us.ex, us_exam, examinations.ResultIn(result="no-finding"),
                         actor="user:targeter-us")  # fmt: skip
    pair.pump()
    with ca.uow() as s:
        asked = s.scalars(select(Examination).where(Examination.partner == "us")).one()
        assert (asked.kind, asked.status, asked.reasons) == (
            "physical",
            "requested",
            ["arms parts from a shipper under a lookout"],
        )
        assert asked.indicators == ["party-lookout-hit", "importer-unknown",
                                    "commodity-of-interest"]  # fmt: skip
        joint.record(s, ca.ex, asked.id, examinations.ResultIn(
            result="seizure", findings="rifle receivers in lamp crates"), actor="user:bso")  # fmt: skip
        stats = examinations.statistics(s)
        assert (stats["examined"], stats["with_finding"], stats["yield"]) == (1, 1, 1.0)
        by = {i["indicator"]: i for i in stats["by_indicator"]}
        assert by["commodity-of-interest"] == {"indicator": "commodity-of-interest",
                                               "examined": 1, "with_finding": 1,
                                               "seizures": 1, "yield": 1.0}  # fmt: skip
    pair.pump()
    with us.uow() as s:
        done = s.get(Examination, us_exam)
        assert done is not None
        assert (done.status, done.result, done.findings) == (
            "done",
            "seizure",
            "rifle receivers in lamp crates",
        )
        assert s.scalars(select(Shipment)).one().status == "held"


def test_nothing_is_shared_without_the_cargo_annex(pair: Pair) -> None:
    pair.in_force("smu")
    text = MODEL.read_text()
    model_id = _load_and_activate(pair.ca, text)
    with pair.ca.uow() as s:
        cosign.propose(s, pair.ca.ex, model_id, partner="us", actor="user:sup")
    pair.pump()
    with pair.us.uow() as s:
        theirs = next(m for m in models.list_models(s) if m.subject == "shipment")
        cosign.cosign(s, pair.us.ex, theirs.id, actor="user:sup-us", now=pair.us.ex.clock())
    pair.pump()
    with pair.ca.uow() as s:
        lookouts.create_lookout(s, LookoutIn.model_validate({
            "category": "customs", "names": [{"name": "Red Lantern Trading Co"}],
            "source_reference": "SYNTHETIC"}), actor="user:analyst",
            today=pair.ca.ex.clock().date())  # fmt: skip
    result = _report(pair.ca, CUSCAR)
    assert result.shipments[0]["score"] == 100  # over the share threshold, joint, in transit
    assert _kinds(pair.ca) == []
    with pair.ca.uow() as s:
        assert s.scalars(select(Shipment).where(Shipment.bill == "MAEU123456789")
                         ).one().shared_with == []  # fmt: skip
