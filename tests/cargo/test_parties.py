"""Trade parties screened again when the lookouts change: the node's job finds the parties
screened before the newest change, says which lookouts now name each and which no longer do,
audits it, and changes nothing when run again."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import func, select

from smartborder import db
from smartborder.audit.models import AuditEntry
from smartborder.cargo import lifecycle, parties
from smartborder.cargo.models import TradeParty
from smartborder.screening import service as lookouts
from smartborder.screening.schemas import LookoutIn
from smartborder.screening.service import Screening


def _party(app: FastAPI, identifier: str, name: str) -> str:
    ctx = app.state.node
    with db.unit_of_work(app.state.sessions) as s:
        row = parties.register(s, ctx.get(Screening), parties.PartyIn(
            role="importer", identifier=identifier, name=name, country="CN", program="C-TPAT"),
            actor="user:po", now=ctx.exchange.clock())  # fmt: skip
        return row.id


def _events(app: FastAPI) -> int:
    with db.unit_of_work(app.state.sessions) as s:
        return s.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.event == "cargo:party:screened")) or 0  # fmt: skip


def test_a_lookout_made_after_registration_names_the_party_and_its_withdrawal_clears_it(
    app: FastAPI,
) -> None:
    ningbo = _party(app, "IMP-1", "Ningbo Home Goods Co")
    other = _party(app, "IMP-2", "Lakeshore Furniture Ltd")
    with db.unit_of_work(app.state.sessions) as s:
        assert s.get(TradeParty, ningbo).hits == []
        lookout = lookouts.create_lookout(s, LookoutIn.model_validate({
            "category": "customs", "names": [{"name": "Ningbo Home Goods Company"}],
            "source_reference": "SYNTHETIC"}), actor="user:analyst",
            today=db.utcnow().date()).id  # fmt: skip
    lifecycle.rescreen_parties(app.state.node)
    with db.unit_of_work(app.state.sessions) as s:
        row = s.get(TradeParty, ningbo)
        assert [h["lookout_id"] for h in row.hits] == [lookout]
        assert row.history[-1]["event"] == "screened"
        assert row.history[-1]["by"] == parties.SYSTEM
        assert row.history[-1]["reasons"] == [f"now named by lookout(s) {lookout}"]
        unnamed = s.get(TradeParty, other)
        assert unnamed.hits == []
        assert [e["event"] for e in unnamed.history] == ["registered"]  # screened, unchanged
        assert unnamed.screened_at is not None
    assert _events(app) == 1
    lifecycle.rescreen_parties(app.state.node)  # nothing changed since: nothing said
    assert _events(app) == 1
    with db.unit_of_work(app.state.sessions) as s:
        lookouts.retract_lookout(s, lookout, actor="user:analyst", reason="withdrawn")
    lifecycle.rescreen_parties(app.state.node)
    with db.unit_of_work(app.state.sessions) as s:
        row = s.get(TradeParty, ningbo)
        assert row.hits == []
        assert row.history[-1]["reasons"] == [f"no longer named by lookout(s) {lookout}"]
    assert _events(app) == 2


def test_every_party_is_screened_again_batch_by_batch(app: FastAPI) -> None:
    ctx = app.state.node
    with db.unit_of_work(app.state.sessions) as s:
        for n in range(lifecycle.BATCH + 5):
            s.add(TradeParty(id=f"p{n:04}", role="importer", identifier=f"IMP-{n}",
                             name=f"Trading House {chr(65 + n % 26)}{chr(65 + n // 26)}", country="CA", status="registered", hits=[],
                             history=[], created_at=ctx.exchange.clock(),
                             updated_at=ctx.exchange.clock(), updated_by="migration"))  # fmt: skip
        lookouts.create_lookout(s, LookoutIn.model_validate({
            "category": "customs", "names": [{"name": "Trading House HA"}],
            "source_reference": "SYNTHETIC"}), actor="user:analyst",
            today=db.utcnow().date())  # fmt: skip
    lifecycle.rescreen_parties(ctx)
    with db.unit_of_work(app.state.sessions) as s:
        assert s.scalar(select(func.count()).select_from(TradeParty).where(
            TradeParty.screened_at.is_(None))) == 0  # fmt: skip
        assert s.get(TradeParty, "p0007").hits
