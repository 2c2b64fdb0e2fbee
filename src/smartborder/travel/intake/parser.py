"""One entry point for every message form: UN/EDIFACT PAXLST or PNRGOV, or their JSON form.
Never raises on bad input: the outcome holds what was understood and every problem, located."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter, ValidationError

from smartborder import clock, collector
from smartborder.travel.intake import paxlst, pnrgov
from smartborder.travel.intake.edifact import Problem, Report, decode, tokenise
from smartborder.travel.intake.interchange import Envelope, Messages
from smartborder.travel.intake.message import Message

DEFAULT_MAX_BYTES = 16 * 1024 * 1024


@dataclass(slots=True)
class Outcome:
    form: str  # "EDIFACT" or "JSON"
    kind: str  # PAXLST, PNRGOV, or "" when unknown
    messages: list[Message] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    envelope: Envelope = field(default_factory=Envelope)

    @property
    def failed(self) -> bool:
        return not self.messages or any(p.severity == "error" for p in self.problems)

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def travellers(self) -> int:
        return sum(len(m.everyone()) for m in self.messages)

    def as_dict(self) -> dict[str, Any]:
        return {
            "form": self.form,
            "kind": self.kind,
            "ok": not self.failed,
            "sender": self.envelope.sender,
            "recipient": self.envelope.recipient,
            "prepared": self.envelope.prepared,
            "messages": [dataclasses.asdict(m) for m in self.messages],
            "problems": [p.as_dict() for p in self.problems],
        }


def parse(
    data: bytes,
    *,
    strict: bool = False,
    today: dt.date | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Outcome:
    """Understand an interchange (or a JSON message). Lenient by default: problems it can get
    past are warnings; ``strict`` makes them errors."""
    today = today or clock.now().date()
    report = Report(strict=strict)
    if len(data) > max_bytes:
        report.error(f"the message is {len(data):,} bytes; at most {max_bytes:,} are accepted")
        return Outcome("", "", problems=report.finish())
    if not data.strip():
        report.error("the message is empty")
        return Outcome("", "", problems=report.finish())
    if data.lstrip()[:1] in (b"{", b"["):
        return _parse_json(data, report)
    text = decode(data, report)
    if text is None:
        return Outcome("", "", problems=report.finish())
    with collector.paused():  # hundreds of thousands of small lists, no cycles
        return _parse_edifact(text, report, today)


def _parse_edifact(text: str, report: Report, today: dt.date) -> Outcome:
    interchange = tokenise(text, report)
    if interchange is None:
        return Outcome("EDIFACT", "", problems=report.finish())
    raws = Messages(interchange.batches, report)
    envelope = raws.envelope
    outcome = Outcome("EDIFACT", "", envelope=envelope)
    for raw in raws:
        report.message = raw.reference
        if raw.type == "PAXLST":
            message = paxlst.parse(raw, report, today)
        elif raw.type == "PNRGOV":
            message = pnrgov.parse(raw, report, today)
        else:
            report.error(
                f"message type '{raw.type}' is neither PAXLST nor PNRGOV", raw.header, "2.1"
            )
            continue
        if message is None:
            continue
        if outcome.kind and message.kind != outcome.kind:
            report.error(
                f"a {message.kind} message in an interchange of {outcome.kind}", raw.header, "2.1"
            )
            continue
        outcome.kind = message.kind
        message.sender = message.sender or raw.group_sender or envelope.sender
        message.recipient = envelope.recipient
        message.prepared = envelope.prepared
        outcome.messages.append(message)
    report.message = None
    _check_parts(outcome, report)
    outcome.problems = report.finish()
    return outcome


def _check_parts(outcome: Outcome, report: Report) -> None:
    """Parts of one multi-part list (same common reference) must be numbered 1..n, end with F,
    and name one flight; the list's CNT is checked against all of its parts."""
    groups: dict[str, list[Message]] = {}
    for m in outcome.messages:
        if m.common_reference and (m.part > 1 or not m.final):
            groups.setdefault(m.common_reference, []).append(m)
    for reference, parts in groups.items():
        numbers = sorted(m.part for m in parts)
        report.message = parts[0].reference
        if numbers != list(range(1, len(numbers) + 1)) or not any(m.final for m in parts):
            report.warn(
                f"multi-part list {reference}: parts {numbers} received; "
                "the others are expected in later interchanges"
            )
            continue
        flights = {m.flight.designator for m in parts}
        if len(flights) > 1:
            report.warn(f"multi-part list {reference} names several flights: {sorted(flights)}")
        declared = next((m.declared for m in parts if m.final and m.declared), {})
        listed = sum(len(m.travellers) for m in parts)
        total = declared.get("passengers", 0) + declared.get("crew", 0)
        if declared and total != listed:
            report.warn(f"multi-part list {reference}: CNT says {total}; its parts list {listed}")
    report.message = None


_MESSAGES = TypeAdapter(list[Message])


def _parse_json(data: bytes, report: Report) -> Outcome:
    try:
        document = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        report.add(Problem("error", f"not valid JSON: {exc}", line=line))
        return Outcome("JSON", "", problems=report.finish())
    except RecursionError:
        report.error("not valid JSON for a message: arrays or objects nested too deeply")
        return Outcome("JSON", "", problems=report.finish())
    items = document.get("messages") if isinstance(document, dict) else document
    if isinstance(document, dict) and "messages" not in document:
        items = [document]
    if not isinstance(items, list):
        report.error("'messages' must be a list of messages")
        return Outcome("JSON", "", problems=report.finish())
    try:
        messages = _MESSAGES.validate_python(items)
    except ValidationError as exc:
        for problem in exc.errors():
            loc = list(problem["loc"])
            index = loc.pop(0) if loc and isinstance(loc[0], int) else None
            report.add(
                Problem(
                    "error",
                    problem["msg"],
                    message=f"#{index + 1}" if isinstance(index, int) else None,
                    element=".".join(str(p) for p in loc) or None,
                )
            )
        return Outcome("JSON", "", problems=report.finish())
    kinds = {m.kind for m in messages}
    if len(kinds) > 1:
        report.error("a JSON document holds one kind of message: PAXLST or PNRGOV")
        return Outcome("JSON", "", problems=report.finish())
    for k, m in enumerate(messages, 1):
        if not m.flight.carrier or not m.flight.number:
            report.add(
                Problem(
                    "error",
                    "the flight needs a carrier and a number",
                    message=f"#{k}",
                    element="flight",
                )
            )
    return Outcome("JSON", kinds.pop() if kinds else "", messages, report.finish())
