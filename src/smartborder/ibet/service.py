"""IBET cases, from opening to the outcome.

- **Opening**: a reference, a title, the agencies of both countries working it (RCMP, CBSA,
  CBP, USCG, ...), the officers on it (``members``: node, username, agency; the opener among
  them) and its subjects. The case goes to the partner under the IBET annex (``ibet-case``).
- **Need-to-know**: only the officers named on a case read it, on either node: any other read
  is refused (403) and audited, whoever asks (administrators too); every read is audited.
- **Subjects** are screened by each node against its own lookouts (its own and those the
  partner shared): the node's job does it for every subject not yet screened there, and the
  result goes on the timeline, which both nodes see.
- **The timeline**: events (notes), tasks (an assignee among the members, a due date, done),
  attachments (at most ``MAX_ATTACHMENT`` bytes, kept with their SHA-256, checked on arrival),
  the screening results and the closing. Each entry travels as ``ibet-entry``.
- **Closing**: an outcome, said by a member; the case is then read-only on both nodes.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import uuid
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from smartborder.audit import chain
from smartborder.errors import Conflict, NotFound, PayloadTooLarge, PermissionDenied
from smartborder.exchange import outbox
from smartborder.exchange.context import NodeExchange
from smartborder.exchange.inbox import Received
from smartborder.exchange.policy import Refused, in_force_for
from smartborder.ibet.models import IbetCase, IbetEntry
from smartborder.identity.schemas import IcaoCode
from smartborder.screening.schemas import SubjectIn as ScreenedSubject
from smartborder.screening.service import Screening

CASE, ENTRY = "ibet-case", "ibet-entry"
PURPOSE = "joint-enforcement"
AGENCIES = ("RCMP", "CBSA", "OPP", "SQ", "CBP", "USBP", "USCG", "HSI", "FBI", "DEA")
MAX_ATTACHMENT = 512 * 1024
SYSTEM = "system:ibet"


class MemberIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    node: str = Field(min_length=2, max_length=32)
    username: str = Field(min_length=1, max_length=120)
    agency: str

    @field_validator("agency")
    @classmethod
    def _agency(cls, value: str) -> str:
        if value.upper() not in AGENCIES:
            raise ValueError(f"'{value}' is not an IBET agency: {', '.join(AGENCIES)}")
        return value.upper()


class SubjectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    names: list[str] = Field(min_length=1, max_length=5)
    birth_date: str | None = Field(None, pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")
    nationality: IcaoCode | None = None


class CaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reference: str = Field(min_length=2, max_length=40, pattern=r"^[A-Za-z0-9-]+$")
    title: str = Field(min_length=3, max_length=200)
    partner: str = Field(min_length=2, max_length=32)
    members: list[MemberIn] = Field(min_length=1, max_length=50)
    subjects: list[SubjectIn] = Field(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _both(self) -> CaseIn:
        nodes = {m.node for m in self.members}
        if self.partner not in nodes:
            raise ValueError("name at least one officer of the partner's agencies on the case")
        return self


class EntryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["event", "task"]
    text: str = Field(min_length=1, max_length=5000)
    assignee: str | None = Field(None, description="a task's officer: node:username")
    due: dt.date | None = None


def _is_member(case: IbetCase, node: str, username: str) -> dict[str, str] | None:
    return next((m for m in case.members if m["node"] == node and m["username"] == username),
                None)  # fmt: skip


def _member_of(session: Session, case: IbetCase, node: str, username: str,
               action: str) -> dict[str, str]:  # fmt: skip
    """The member ``username`` of ``node`` on ``case``; anyone else is refused and audited -
    the refusal committed at once, so the 403 that follows does not roll it back."""
    member = _is_member(case, node, username)
    if member is None:
        chain.append(session, "ibet:case:read-denied", actor=username, subject=case.id,
                     details={"reference": case.reference, "action": action})  # fmt: skip
        session.commit()
        raise PermissionDenied(f"{username} is not on IBET case {case.reference}: need to know")
    return member


def _send(session: Session, ex: NodeExchange, case: IbetCase, kind: str, body: dict[str, Any],
          actor: str) -> None:  # fmt: skip
    agreement = in_force_for(session, ex.clock().date(), kind, case.partner, "ibet")
    outbox.send(session, ex, partner=case.partner, kind=kind, agreement=agreement,
                purpose=PURPOSE, body=body, actor=actor, case_ref=case.id)  # fmt: skip


def _case_body(case: IbetCase) -> dict[str, Any]:
    return {"case": case.id, "reference": case.reference, "title": case.title,
            "agencies": case.agencies, "members": case.members,
            "subjects": [{k: s.get(k) for k in ("id", "names", "birth_date", "nationality")}
                         for s in case.subjects],
            "status": case.status, "outcome": case.outcome}  # fmt: skip


def _entry_body(entry: IbetEntry) -> dict[str, Any]:
    body: dict[str, Any] = {"case": entry.case_id, "entry": entry.id, "kind": entry.kind,
                            "text": entry.text, "node": entry.node, "by": entry.by,
                            "agency": entry.agency, "at": entry.at.isoformat()}  # fmt: skip
    if entry.task is not None:
        body["task"] = entry.task
    if entry.content is not None:
        body["file"] = {"name": entry.file_name, "type": entry.file_type,
                        "size": entry.file_size, "sha256": entry.file_sha256,
                        "content": base64.b64encode(entry.content).decode()}  # fmt: skip
    return body


def open_case(session: Session, ex: NodeExchange, given: CaseIn, *, username: str
              ) -> IbetCase:  # fmt: skip
    now, me = ex.clock(), ex.node_id
    if not any(m.node == me and m.username == username for m in given.members):
        raise PermissionDenied("an officer opens a case they are on: name yourself among the "
                               "members")  # fmt: skip
    members = [m.model_dump() for m in given.members]
    case = IbetCase(
        id=str(uuid.uuid4()), reference=given.reference, title=given.title,
        opened_by_node=me, partner=given.partner,
        agencies=sorted({m["agency"] for m in members}), members=members,
        subjects=[{"id": str(uuid.uuid4()), **s.model_dump(), "screened": {}}
                  for s in given.subjects],
        status="open", outcome="", created_at=now, updated_at=now)  # fmt: skip
    case.to_screen = bool(case.subjects)
    session.add(case)
    session.flush()
    _send(session, ex, case, CASE, _case_body(case), username)
    chain.append(session, "ibet:case:opened", actor=username, subject=case.id,
                 partner=case.partner, details={"reference": case.reference,
                 "agencies": case.agencies, "subjects": len(case.subjects)}, at=now)  # fmt: skip
    return case


def read_case(session: Session, case_id: str, *, node: str, username: str
              ) -> tuple[IbetCase, list[IbetEntry]]:  # fmt: skip
    """The case and its timeline, for an officer on it (see need-to-know); audited."""
    case = get_case(session, case_id)
    _member_of(session, case, node, username, "read")
    chain.append(session, "ibet:case:viewed", actor=username, subject=case.id,
                 details={"reference": case.reference})  # fmt: skip
    entries = list(session.scalars(select(IbetEntry).where(IbetEntry.case_id == case.id)
                                   .order_by(IbetEntry.at, IbetEntry.id)))  # fmt: skip
    return case, entries


def add_entry(session: Session, ex: NodeExchange, case_id: str, given: EntryIn, *,
              username: str) -> IbetEntry:  # fmt: skip
    case = get_case(session, case_id)
    member = _member_of(session, case, ex.node_id, username, "write")
    if case.status != "open":
        raise Conflict(f"IBET case {case.reference} is closed")
    task = None
    if given.kind == "task":
        assignee = (given.assignee or "").strip()
        node, _, who = assignee.partition(":")
        if _is_member(case, node, who) is None:
            raise PermissionDenied(f"a task goes to an officer on the case (node:username), "
                                   f"not '{assignee}'")  # fmt: skip
        task = {"assignee": assignee, "due": given.due.isoformat() if given.due else None,
                "status": "open"}  # fmt: skip
    return _entry(session, ex, case, given.kind, given.text.strip(), member, task=task)


def attach(session: Session, ex: NodeExchange, case_id: str, *, name: str, content_type: str,
           content: bytes, note: str, username: str) -> IbetEntry:  # fmt: skip
    case = get_case(session, case_id)
    member = _member_of(session, case, ex.node_id, username, "attach")
    if case.status != "open":
        raise Conflict(f"IBET case {case.reference} is closed")
    if len(content) > MAX_ATTACHMENT:
        raise PayloadTooLarge(f"{name}: {len(content):,} bytes; an attachment is at most "
                              f"{MAX_ATTACHMENT:,}")  # fmt: skip
    if not content:
        raise Conflict(f"{name}: the file is empty")
    return _entry(
        session,
        ex,
        case,
        "attachment",
        note.strip() or name,
        member,
        file=(name[:200], content_type[:100] or "application/octet-stream", content),
    )


def _entry(session: Session, ex: NodeExchange, case: IbetCase, kind: str, text: str,
           member: dict[str, str], *, task: dict[str, Any] | None = None,
           file: tuple[str, str, bytes] | None = None) -> IbetEntry:  # fmt: skip
    now = ex.clock()
    entry = IbetEntry(id=str(uuid.uuid4()), case_id=case.id, kind=kind, text=text,
                      node=ex.node_id, by=member["username"], agency=member["agency"], at=now,
                      task=task)  # fmt: skip
    if file is not None:
        entry.file_name, entry.file_type, entry.content = file
        entry.file_size, entry.file_sha256 = len(file[2]), hashlib.sha256(file[2]).hexdigest()
    session.add(entry)
    case.updated_at = now
    session.flush()
    _send(session, ex, case, ENTRY, _entry_body(entry), member["username"])
    chain.append(session, f"ibet:entry:{kind}", actor=member["username"], subject=entry.id,
                 partner=case.partner, details={"case": case.reference}, at=now)  # fmt: skip
    return entry


def complete_task(session: Session, ex: NodeExchange, entry_id: str, *, username: str
                  ) -> IbetEntry:  # fmt: skip
    entry = session.get(IbetEntry, entry_id)
    if entry is None or entry.task is None:
        raise NotFound(f"no task {entry_id}")
    case = get_case(session, entry.case_id)
    _member_of(session, case, ex.node_id, username, "task")
    if entry.task.get("status") == "done":
        raise Conflict("the task is done already")
    entry.task = {**entry.task, "status": "done", "done_by": f"{ex.node_id}:{username}",
                  "done_at": ex.clock().isoformat()}  # fmt: skip
    _send(session, ex, case, ENTRY, _entry_body(entry), username)
    chain.append(session, "ibet:task:done", actor=username, subject=entry.id,
                 details={"case": case.reference})  # fmt: skip
    return entry


def close_case(session: Session, ex: NodeExchange, case_id: str, outcome: str, *,
               username: str) -> IbetCase:  # fmt: skip
    case = get_case(session, case_id)
    member = _member_of(session, case, ex.node_id, username, "close")
    if case.status != "open":
        raise Conflict(f"IBET case {case.reference} is closed already")
    said = outcome.strip()
    if not said:
        raise Conflict("a case closes with its outcome")
    case.status, case.outcome = "closed", said
    _entry(session, ex, case, "closed", said, member)
    _send(session, ex, case, CASE, _case_body(case), username)
    return case


# -- from the partner ------------------------------------------------------------------------


def on_case(session: Session, ex: NodeExchange, received: Received) -> None:
    body, partner = received.envelope.body, received.partner.id
    try:
        case_id = str(uuid.UUID(str(body.get("case"))))
        members = [MemberIn.model_validate(m).model_dump() for m in body.get("members") or []]
        subjects = [{"id": str(s.get("id")), **SubjectIn.model_validate(
            {k: s.get(k) for k in ("names", "birth_date", "nationality")}).model_dump()}
            for s in body.get("subjects") or []]  # fmt: skip
    except (ValueError, TypeError) as exc:
        raise Refused("invalid_body", str(exc)[:300]) from None
    now = ex.clock()
    case = session.get(IbetCase, case_id)
    if case is None:
        case = IbetCase(id=case_id, opened_by_node=partner, partner=partner, created_at=now,
                        subjects=[])  # fmt: skip
        session.add(case)
        chain.append(session, "ibet:case:received", actor=f"partner:{partner}", partner=partner,
                     subject=case_id, details={"reference": body.get("reference")})  # fmt: skip
    elif case.partner != partner:
        raise Refused("unknown_reference", "that case is not shared with this partner")
    known = {s["id"]: s for s in case.subjects}
    case.reference = str(body.get("reference") or "")[:40]
    case.title = str(body.get("title") or "")[:200]
    case.agencies = sorted({m["agency"] for m in members})
    case.members = members
    case.subjects = [{**s, "screened": known.get(s["id"], {}).get("screened", {})}
                     for s in subjects]  # fmt: skip
    case.to_screen = any(ex.node_id not in s["screened"] for s in case.subjects)
    case.status = "closed" if body.get("status") == "closed" else "open"
    case.outcome = str(body.get("outcome") or "")
    case.updated_at = now


def on_entry(session: Session, ex: NodeExchange, received: Received) -> None:
    body, partner = received.envelope.body, received.partner.id
    case = session.get(IbetCase, str(body.get("case")))
    if case is None or case.partner not in (partner, ex.node_id) or (
            partner not in (case.partner, case.opened_by_node)):  # fmt: skip
        raise Refused("unknown_reference", "no IBET case shared with this partner")
    try:
        at = dt.datetime.fromisoformat(str(body.get("at")))
        kind = str(body.get("kind"))
        if kind not in ("event", "task", "attachment", "screening", "closed"):
            raise ValueError(f"kind: '{kind}'")
        file = body.get("file")
        content = base64.b64decode(str(file["content"]), validate=True) if file else None
    except (ValueError, TypeError, KeyError) as exc:
        raise Refused("invalid_body", str(exc)[:300]) from None
    if file and content is not None and (
            hashlib.sha256(content).hexdigest() != file.get("sha256")
            or len(content) > MAX_ATTACHMENT):  # fmt: skip
        raise Refused("invalid_body", "the attachment's bytes do not match its SHA-256 or size")
    entry = session.get(IbetEntry, str(body.get("entry")))
    if entry is None:
        entry = IbetEntry(id=str(uuid.UUID(str(body.get("entry")))), case_id=case.id)
        session.add(entry)
    entry.kind, entry.text = kind, str(body.get("text") or "")[:5000]
    entry.node, entry.by = partner, str(body.get("by") or "")[:120]
    entry.agency, entry.at = str(body.get("agency") or "")[:20], at
    task = body.get("task")
    entry.task = None if not isinstance(task, dict) else {  # absent values travel as absent
        "due": None, **{k: task[k] for k in ("assignee", "due", "status", "done_by", "done_at")
                        if k in task}}  # fmt: skip
    if file and content is not None:
        entry.file_name, entry.file_type = str(file.get("name"))[:200], str(file.get("type"))[:100]
        entry.file_size, entry.file_sha256, entry.content = len(content), file["sha256"], content
    case.updated_at = ex.clock()


# -- screening (the node's job) --------------------------------------------------------------


def screen_pending(session: Session, ex: NodeExchange, screening: Screening) -> int:
    """Screen every subject of an open case not yet screened on this node, against this
    node's lookouts (its own and the partner's shared); each result goes on the timeline."""
    done = 0
    for case in session.scalars(select(IbetCase).where(IbetCase.to_screen.is_(True))):
        case.to_screen = False
        if case.status != "open":
            continue
        subjects, changed = [], False
        for subject in case.subjects:
            if ex.node_id in (subject.get("screened") or {}):
                subjects.append(subject)
                continue
            try:
                hits = screening.screen(session, ScreenedSubject(
                    names=subject["names"], birth_date=subject.get("birth_date"),
                    nationalities=[subject["nationality"]] if subject.get("nationality") else []),
                    today=ex.clock().date(), limit=5)  # fmt: skip
            except (ValidationError, ValueError) as exc:  # said on the timeline, not retried
                problem = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
                hits, unreadable = [], problem
            else:
                unreadable = ""
            found = [{"lookout_id": h.entry.lookout_id, "category": h.entry.category,
                      "origin": h.entry.origin, "score": round(h.score, 3)}
                     for h in hits]  # fmt: skip
            subjects.append({**subject, "screened": {**(subject.get("screened") or {}),
                                                     ex.node_id: found}})  # fmt: skip
            named = "; ".join(f"{h['category']} lookout {h['lookout_id']} ({h['origin']}, "
                              f"score {h['score']:.2f})" for h in found)  # fmt: skip
            said = f"{subject['names'][0]}: " + (
                f"could not be screened: {unreadable}" if unreadable
                else named or "no lookout names them")  # fmt: skip
            _entry(session, ex, case, "screening", f"screened on {ex.node_id}: {said}",
                   {"username": SYSTEM, "agency": ""})  # fmt: skip
            changed, done = True, done + 1
        if changed:
            case.subjects = subjects
    return done


# -- reading ---------------------------------------------------------------------------------


def get_case(session: Session, case_id: str) -> IbetCase:
    case = session.get(IbetCase, case_id) or session.execute(
        select(IbetCase).where(IbetCase.reference == case_id)).scalars().first()  # fmt: skip
    if case is None:
        raise NotFound(f"no IBET case {case_id}")
    return case


def mine(session: Session, node: str, username: str) -> list[IbetCase]:
    """The cases ``username`` is on (need-to-know: no other case is listed to them)."""
    rows = session.scalars(select(IbetCase).order_by(IbetCase.updated_at.desc()).limit(1000))
    return [c for c in rows if _is_member(c, node, username) is not None]


def case_out(case: IbetCase, entries: list[IbetEntry] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": case.id, "reference": case.reference, "title": case.title,
        "opened_by_node": case.opened_by_node, "partner": case.partner,
        "agencies": case.agencies, "members": case.members, "subjects": case.subjects,
        "status": case.status, "outcome": case.outcome,
        "created_at": case.created_at.isoformat(),
        "updated_at": case.updated_at.isoformat()}  # fmt: skip
    if entries is not None:
        out["timeline"] = [entry_out(e) for e in entries]
    return out


def entry_out(e: IbetEntry) -> dict[str, Any]:
    return {"id": e.id, "kind": e.kind, "text": e.text, "node": e.node, "by": e.by,
            "agency": e.agency, "at": e.at.isoformat(), "task": e.task,
            "file": None if e.content is None else {"name": e.file_name, "type": e.file_type,
                                                    "size": e.file_size,
                                                    "sha256": e.file_sha256}}  # fmt: skip
