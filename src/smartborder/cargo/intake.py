"""The life of an advance cargo report: received → read (JSON or CUSCAR) → checked → its bills
stored as shipments (new, amended or cancelled) with their deadline compliance, or the whole
report quarantined with its located problems. The raw bytes are kept whatever becomes of them;
the same bytes twice are recorded as a duplicate and change nothing; every outcome is audited.

Amendments follow the reporting rules: a change does not restart the clock (a shipment is on
time or late by its first report), a cancellation ends it, and a bill reported again after its
cancellation starts afresh. An amendment of a bill never reported, or an original for a bill
already reported, is said where it is.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from smartborder import collector
from smartborder.audit import chain
from smartborder.cargo import cuscar, parties
from smartborder.cargo.jsonform import parse_json
from smartborder.cargo.models import CargoReport, Shipment
from smartborder.cargo.report import Bill, CargoMessage, Sink, check, deadline
from smartborder.cargo.shipments import AnyShipment, Draft
from smartborder.errors import NotFound
from smartborder.travel.intake.edifact import Problem, Report, decode, tokenise
from smartborder.travel.intake.interchange import Messages

DEFAULT_MAX_BYTES = 16 * 1024 * 1024
TRACKED = ("mode", "conveyance", "loading_place", "loading_at", "arrival_place", "arrival_at",
           "destination_country", "routing", "in_transit", "parties", "containers", "goods",
           "kind", "master_bill", "fast")  # fmt: skip


@dataclass(slots=True)
class Parsed:
    form: str  # json | cuscar | "" when not recognised
    messages: list[CargoMessage] = field(default_factory=list)
    sink: Sink = field(default_factory=lambda: Sink(Report()))


def parse(data: bytes, *, country: str, strict: bool = False,
          max_bytes: int = DEFAULT_MAX_BYTES) -> Parsed:  # fmt: skip
    """Read and check a report; never raises on bad input (the problems say what is wrong)."""
    report = Report(strict=strict)
    sink = Sink(report)
    if len(data) > max_bytes:
        report.error(f"the report is {len(data):,} bytes; at most {max_bytes:,} are accepted")
        return Parsed("", sink=sink)
    if not data.strip():
        report.error("the report is empty")
        return Parsed("", sink=sink)
    if data.lstrip()[:1] in (b"{", b"["):
        parsed = Parsed("json", parse_json(data, report), sink)
    else:
        parsed = Parsed("cuscar", _edifact(data, report), sink)
    for msg in parsed.messages:
        check(msg, sink, country)
    return parsed


def _edifact(data: bytes, report: Report) -> list[CargoMessage]:
    text = decode(data, report)
    if text is None:
        return []
    interchange = tokenise(text, report)
    if interchange is None:
        return []
    found: list[CargoMessage] = []
    with collector.paused():  # many small lists, no cycles: nothing for the collector to find
        for raw in Messages(interchange.batches, report):
            report.message = raw.reference
            if raw.type != "CUSCAR":
                report.error(f"message type '{raw.type}' is not CUSCAR", raw.header, "2.1")
                continue
            message = cuscar.parse(raw, report)
            if message is not None:
                found.append(message)
        report.message = None
    return found


@dataclass(slots=True)
class Received:
    report_id: str
    state: str  # stored | quarantined | duplicate
    form: str
    shipments: list[dict[str, Any]] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)
    duplicate_of: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.report_id, "state": self.state, "form": self.form,
                "shipments": self.shipments, "problems": self.problems,
                "duplicate_of": self.duplicate_of}  # fmt: skip


Scorer = Callable[[Session, list[AnyShipment]], None]


def receive(session: Session, data: bytes, *, source: str, actor: str, now: dt.datetime,
            country: str, strict: bool = False, max_bytes: int = DEFAULT_MAX_BYTES,
            scorer: Scorer | None = None) -> Received:  # fmt: skip
    """Read, check and store one report (``scorer`` then scores the shipments it touched)."""
    digest = hashlib.sha256(data).hexdigest()
    stored = session.execute(
        select(CargoReport).where(CargoReport.digest == digest, CargoReport.state == "stored")
    ).scalars().first()  # fmt: skip
    row = CargoReport(id=str(uuid.uuid4()), digest=digest, source=source[:200], size=len(data),
                      strict=strict, received_at=now, received_by=actor[:120], problems=[],
                      state="received",
                      shipments=0)  # fmt: skip
    session.add(row)
    if stored is not None:
        row.form, row.state, row.raw = stored.form, "duplicate", None
        row.reference, row.carrier, row.mode = stored.reference, stored.carrier, stored.mode
        chain.append(session, "cargo:report:duplicate", actor=actor, subject=row.id,
                     details={"of": stored.id}, at=now)  # fmt: skip
        return Received(row.id, "duplicate", row.form, duplicate_of=stored.id)
    parsed = parse(data, country=country, strict=strict, max_bytes=max_bytes)
    row.form, row.raw = parsed.form or "unknown", data
    first = parsed.messages[0] if parsed.messages else None
    if first is not None:
        row.reference, row.carrier, row.mode = (first.reference[:40], first.carrier[:12],
                                                first.mode[:8])  # fmt: skip
    plan = _plan(session, parsed) if not parsed.sink.report.failed else []
    if not parsed.messages and not parsed.sink.report.failed:
        parsed.sink.report.error("the report holds no cargo report")
    problems = [p.as_dict() for p in parsed.sink.report.finish()]
    row.problems = problems
    if parsed.sink.report.failed:
        row.state = "quarantined"
        errors = sum(p["severity"] == "error" for p in problems)
        chain.append(session, "cargo:report:quarantined", actor=actor, subject=row.id,
                     details={"form": row.form, "errors": errors}, at=now)  # fmt: skip
        return Received(row.id, "quarantined", row.form, problems=problems)
    touched: list[AnyShipment] = []
    new: list[AnyShipment] = []
    out: list[dict[str, Any]] = []
    for msg, bill, held in plan:
        shipment, action = _apply(session, msg, bill, held, parsed.sink, row.id, country, now)
        touched.append(shipment)
        if held is None:
            new.append(shipment)
        out.append({"id": shipment.id, "carrier": shipment.carrier, "bill": shipment.bill,
                    "action": action, "status": shipment.status, "late": shipment.late,
                    "late_minutes": shipment.late_minutes,
                    "deadline_rule": shipment.deadline_rule})  # fmt: skip
    session.flush()
    row.state, row.shipments = "stored", len(touched)
    chain.append(session, "cargo:report:stored", actor=actor, subject=row.id,
                 details={"form": row.form, "shipments": len(touched),
                          "late": sum(s.late for s in touched)}, at=now)  # fmt: skip
    if scorer is not None:
        scorer(session, [s for s in touched if s.status != "cancelled"])
        for entry, shipment in zip(out, touched, strict=True):
            entry["status"] = shipment.status
            entry["score"] = shipment.score
    if new:
        session.execute(insert(Shipment), [{c: getattr(s, c) for c in _COLUMNS} for s in new])
    return Received(row.id, "stored", row.form, out, problems)


_COLUMNS = tuple(c.key for c in Shipment.__table__.columns)


def draft(parsed: Parsed, *, country: str, now: dt.datetime) -> list[AnyShipment]:
    """The shipments an original report would make, not stored (what the benchmark times to
    measure reading, screening and scoring apart from storing)."""
    return [_apply(None, msg, bill, None, parsed.sink, "draft", country, now)[0]
            for msg in parsed.messages for bill in msg.bills]  # fmt: skip


def _plan(session: Session, parsed: Parsed) -> list[tuple[CargoMessage, Bill, Shipment | None]]:
    """Each bill with the shipment it changes, found before anything is written; problems of
    the report's function (an amendment of nothing, an original reported twice) and unknown
    parties are said here, so a report that fails on them writes nothing."""
    sink, plan = parsed.sink, []
    pairs = [("carrier", m.carrier) for m in parsed.messages] + [
        (role, party.identifier) for m in parsed.messages for b in m.bills
        for role, party in b.parties.items() if role in ("importer", "forwarder")]  # fmt: skip
    standing = parties.known(session, pairs)

    def registered(role: str, identifier: str) -> bool:
        return standing.get((role, identifier)) is not None

    for msg in parsed.messages:
        label = msg.label or None
        if msg.carrier and not registered("carrier", msg.carrier):
            sink.warn(f"carrier {msg.carrier} is not a registered trade party (unknown party)",
                      msg.where, label)  # fmt: skip
        numbers = [b.number for b in msg.bills]
        found: dict[str, Shipment] = {}
        for start in range(0, len(numbers), 500):  # one query for a message's bills
            with session.no_autoflush:
                found.update((row.bill, row) for row in session.scalars(select(Shipment).where(
                    Shipment.carrier == msg.carrier, Shipment.origin == "local",
                    Shipment.bill.in_(numbers[start:start + 500]))))  # fmt: skip
        for bill in msg.bills:
            sink.bill = bill.number
            held = found.get(bill.number)
            live = held is not None and held.status != "cancelled"
            if msg.function in ("amendment", "cancellation") and not live:
                what = "an amendment" if msg.function == "amendment" else "a cancellation"
                sink.error(f"bill {bill.number}: {what} of a bill not reported (or cancelled)",
                           bill.where, label)  # fmt: skip
            elif msg.function == "original" and held is not None and live:
                sink.warn(f"bill {bill.number} was already reported (version {held.version}); "
                          "read as an amendment", bill.where, label)  # fmt: skip
            for role in ("importer", "forwarder"):
                party = bill.parties.get(role)
                if party and party.identifier and not registered(role, party.identifier):
                    sink.warn(f"bill {bill.number}: {role} {party.identifier} is not a "
                              "registered trade party (unknown party)", party.where,
                              label)  # fmt: skip
            plan.append((msg, bill, held))
        sink.bill = None
    return plan


def _values(msg: CargoMessage, bill: Bill, country: str) -> dict[str, Any]:
    destination = bill.destination_country or country
    routing = list(bill.routing)
    for code in (msg.loading_place[:2], msg.arrival_place[:2], destination):
        if code and code not in routing:
            routing.append(code)
    return {
        "mode": msg.mode, "fast": msg.fast, "conveyance": msg.conveyance,
        "loading_place": msg.loading_place[:5], "loading_at": msg.loading_at,
        "arrival_place": msg.arrival_place[:5], "arrival_at": msg.arrival_at,
        "destination_country": destination[:2], "routing": routing,
        "in_transit": destination != country,
        "parties": {role: p.as_dict() for role, p in bill.parties.items()},
        "containers": [{"number": c.number, "seal": c.seal, "size": c.size}
                       for c in bill.containers],
        "goods": [{"description": g.description, "hs": g.hs, "packages": g.packages,
                   "weight_kg": g.weight_kg, "container": g.container} for g in bill.goods],
        "kind": bill.kind, "master_bill": bill.master or None,
    }  # fmt: skip


def _comparable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.datetime) else value


def _apply(session: Session | None, msg: CargoMessage, bill: Bill, held: Shipment | None,
           sink: Sink, report_id: str, country: str,
           now: dt.datetime) -> tuple[AnyShipment, str]:  # fmt: skip
    warnings = [p.as_dict() for p in sink.by_bill.get(bill.number, [])]
    if msg.function == "cancellation":
        assert held is not None
        held.status, held.updated_at, held.report_id = "cancelled", now, report_id
        held.history = [*held.history, {"version": held.version, "at": now.isoformat(),
                                        "event": "cancelled", "report": report_id}]  # fmt: skip
        return held, "cancelled"
    values = _values(msg, bill, country)
    due = deadline(msg, country)
    restart = held is None or held.status == "cancelled"
    if restart:
        # a new shipment stays out of the session: receive() inserts the report's new ones in
        # one statement once they are assessed (the unit of work costs a millisecond a row)
        row: AnyShipment = held or Draft(id=str(uuid.uuid4()), carrier=msg.carrier[:12],
                                         bill=bill.number[:40], created_at=now)  # fmt: skip
        row.first_reported_at, row.version, row.history = now, 1, []
        row.score = row.joint_score = None
        row.assessment = None
        changed = sorted(TRACKED)
        event = "reported"
    else:
        assert held is not None
        row = held
        changed = [k for k, v in values.items()
                   if _comparable(getattr(row, k)) != _comparable(v)]  # fmt: skip
        row.version += 1
        event = "amended"
    for key, value in values.items():
        setattr(row, key, value)
    row.reported_at, row.updated_at, row.report_id = now, now, report_id
    row.deadline_at, row.deadline_rule = due.at, due.rule
    first = row.first_reported_at or now
    late_by = (first - due.at) if due.at is not None else None
    row.late = late_by is not None and late_by > dt.timedelta(0)
    row.late_minutes = int(late_by.total_seconds() // 60) if row.late and late_by else None
    row.warnings = warnings
    row.status = "reported"
    row.history = [*row.history, {"version": row.version, "at": now.isoformat(), "event": event,
                                  "report": report_id, "changed": changed}]  # fmt: skip
    return row, event


# -- reading ---------------------------------------------------------------------------------


def get_report(session: Session, report_id: str) -> CargoReport:
    row = session.get(CargoReport, report_id)
    if row is None:
        raise NotFound(f"no cargo report {report_id}")
    return row


def reports(session: Session, state: str | None = None, limit: int = 200
            ) -> Sequence[CargoReport]:  # fmt: skip
    query = select(CargoReport).order_by(CargoReport.received_at.desc()).limit(limit)
    if state:
        query = query.where(CargoReport.state == state)
    return session.scalars(query).all()


def report_out(row: CargoReport) -> dict[str, Any]:
    return {"id": row.id, "state": row.state, "form": row.form, "source": row.source,
            "size": row.size, "reference": row.reference, "carrier": row.carrier,
            "mode": row.mode, "shipments": row.shipments, "strict": row.strict,
            "problems": row.problems, "received_at": row.received_at.isoformat(),
            "received_by": row.received_by}  # fmt: skip


def problems_text(problems: list[Problem]) -> list[str]:
    return [str(p) for p in problems]
