"""Enrolment: the approved applicant's interview at an enrolment centre, the biometrics captured
there, the check that one person holds one membership, and the card.

- **Booking**: a day the centre is open (``open``), from today to ``booking_days_ahead`` days
  on, while it has room that day (``capacity``); a full day is refused with the next free ones.
- **Capture**: a photograph (dlib face), fingerprints (NBIS, ``fingerprints_required`` at
  least) and, for NEXUS air at a centre that captures them, an iris. Each sample's quality is
  checked; every sample of no usable quality is refused with why, at once, and nothing is
  stored: the officer captures again.
- **One person, one membership**: the face is searched 1:N over every member's enrolled face
  (exact search over the whole gallery), the iris 1:N over every member's iris, and the new
  prints are compared with the prints of each member the face search shortlists. A member
  matching on any of them holds the interview for an officer, who finds the two distinct (the
  card is issued) or one person (refused: no second membership). Nothing is enrolled while it
  waits; the templates wait with the interview and are dropped when it ends.
- **The card**: on a clean capture, or an officer's finding of two people, the templates are
  enrolled in the node's galleries (subject ``tt:`` and the card number), the membership
  issued (``membership.issue``) and shared with the partner. All in one transaction: nothing
  is half-enrolled.
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from smartborder.audit import chain
from smartborder.biometrics import service as galleries
from smartborder.biometrics.face import ALGORITHM as FACES
from smartborder.biometrics.fingerprint import ALGORITHM as PRINTS
from smartborder.biometrics.images import BiometricProblem
from smartborder.biometrics.matchers import DEFAULT_FMR, Template, operating_point
from smartborder.biometrics.modalities import matcher, template_from
from smartborder.biometrics.models import BiometricTemplate
from smartborder.biometrics.service import Biometrics
from smartborder.errors import Conflict, NotFound, ValidationFailed
from smartborder.exchange.context import NodeExchange
from smartborder.locks import lock_key
from smartborder.programs import membership
from smartborder.programs.applications import rules
from smartborder.programs.models import TrustedApplication, TrustedInterview, TrustedMembership

SUBJECT = "tt:"  # a member's templates are enrolled as tt:<card number>
OPEN = ("booked", "held")
TAKEN = ("booked", "held", "enrolled")  # what fills a centre's day
FINDINGS = ("distinct", "duplicate")


def _application(session: Session, reference: str) -> TrustedApplication:
    row = session.scalars(select(TrustedApplication).where(
        TrustedApplication.reference == reference.strip().upper())).first()  # fmt: skip
    if row is None:
        raise NotFound(f"no application '{reference}'")
    return row


def booked_on(session: Session, centre: str, day: dt.date) -> int:
    return int(session.scalar(select(func.count()).where(
        TrustedInterview.centre == centre, TrustedInterview.day == day,
        TrustedInterview.state.in_(TAKEN))) or 0)  # fmt: skip


def free_days(
    session: Session, centre_id: str, today: dt.date, count: int = 5
) -> list[dict[str, Any]]:
    """The next ``count`` days the centre is open with room, with the places left."""
    centre, law = rules().centre(centre_id), rules().enrolment
    found: list[dict[str, Any]] = []
    for ahead in range(law.booking_days_ahead + 1):
        day = today + dt.timedelta(days=ahead)
        if not centre.opens_on(day):
            continue
        left = centre.capacity - booked_on(session, centre.id, day)
        if left > 0:
            found.append({"day": day.isoformat(), "left": left})
            if len(found) == count:
                break
    return found


def book(
    session: Session, reference: str, centre_id: str, day: dt.date, *, actor: str,
    now: dt.datetime,
) -> TrustedInterview:  # fmt: skip
    """Book the interview of an approved applicant at ``centre_id`` on ``day``."""
    centre, law = rules().centre(centre_id), rules().enrolment
    application = _application(session, reference)
    if application.status != "approved":
        raise Conflict(f"application {application.reference} is {application.status}: only an "
                       "approved applicant is interviewed")  # fmt: skip
    if application.application.get("renewal_of"):
        raise Conflict(f"application {application.reference} renews a membership: no interview")
    taken = session.scalars(select(TrustedInterview).where(
        TrustedInterview.reference == application.reference,
        TrustedInterview.state.in_(("booked", "held", "enrolled")))).first()  # fmt: skip
    if taken is not None:
        raise Conflict(f"application {application.reference} already has an interview "
                       f"({taken.state}, {taken.centre} on {taken.day})")  # fmt: skip
    today = now.date()
    where = [{"field": "day", "value": day.isoformat()}]
    if day < today or (day - today).days > law.booking_days_ahead:
        raise ValidationFailed(f"day: {day} is not between today and "
                               f"{law.booking_days_ahead} days on", details=where)  # fmt: skip
    if not centre.opens_on(day):
        raise ValidationFailed(f"day: {centre.name} is closed on {day:%A}s", details=where)
    _one_booking_at_a_time(session, centre.id, day)
    if booked_on(session, centre.id, day) >= centre.capacity:
        free = ", ".join(d["day"] for d in free_days(session, centre.id, today, 3))
        raise Conflict(f"{centre.name} is full on {day} ({centre.capacity} interviews); "
                       f"free: {free or 'none within the booking window'}")  # fmt: skip
    row = TrustedInterview(
        id=str(uuid.uuid4()), reference=application.reference, centre=centre.id, day=day,
        state="booked", capture={}, duplicates=[], finding=None, card_number=None,
        booked_at=now, booked_by=actor, updated_at=now,
    )  # fmt: skip
    session.add(row)
    chain.append(session, "programs:interview:booked", actor=actor, subject=row.id,
                 details={"reference": row.reference, "centre": centre.id,
                          "day": day.isoformat()})  # fmt: skip
    return row


def _one_booking_at_a_time(session: Session, centre: str, day: dt.date) -> None:
    """Hold, until the transaction ends, the centre's day: two officers booking its last place
    at once would each count a free one. On PostgreSQL a transaction-scoped advisory lock;
    SQLite lets one writing transaction in at a time already."""
    if session.get_bind().dialect.name == "postgresql":
        key = lock_key("*", f"interview bookings {centre} {day}")
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


@dataclass(frozen=True)
class Samples:
    """What an enrolment officer captured: each sample as sent (an image or a template)."""

    face: bytes
    fingerprints: list[bytes]
    iris: bytes | None = None


@dataclass(frozen=True)
class Captured:
    face: Template
    fingerprints: list[Template]
    iris: Template | None

    def templates(self) -> list[Template]:
        return [self.face, *self.fingerprints, *([self.iris] if self.iris else [])]

    def quality(self) -> dict[str, Any]:
        return {
            "face": self.face.quality.as_dict(),
            "fingerprints": [t.quality.as_dict() for t in self.fingerprints],
            "iris": self.iris.quality.as_dict() if self.iris else None,
        }

    def kept(self) -> dict[str, Any]:
        """The templates, kept with a held interview until an officer decides."""
        return {t.modality + (f"{n}" if t.modality == "fingerprint" else ""):
                base64.b64encode(t.data).decode("ascii")
                for n, t in enumerate(self.templates())}  # fmt: skip


def capture(samples: Samples, *, modes: list[str], iris_centre: bool) -> Captured:
    """Each sample extracted and its quality checked: every problem at once, located."""
    problems: list[dict[str, Any]] = []

    def take(kind: str, data: bytes, field: str) -> Template | None:
        try:
            template = template_from(kind, data, field)
        except BiometricProblem as exc:
            problems.append({"field": field, "problem": exc.message})
            return None
        if not template.quality.usable:
            quality = template.quality
            problems.append({"field": field, "problem": f"quality {quality.score:g} below "
                             f"{quality.floor:g} ({quality.scale})"})  # fmt: skip
            return None
        return template

    face = take("face", samples.face, "face")
    prints = [take("fingerprint", data, f"fingerprints[{n}]")
              for n, data in enumerate(samples.fingerprints)]  # fmt: skip
    needed = rules().enrolment.fingerprints_required
    if len(samples.fingerprints) < needed:
        problems.append({"field": "fingerprints", "problem": f"{len(samples.fingerprints)} "
                         f"captured; at least {needed} are enrolled"})  # fmt: skip
    iris = None
    if samples.iris is not None:
        if "air" not in modes:
            problems.append({"field": "iris", "problem": "an iris is enrolled for NEXUS air only"})
        elif not iris_centre:
            problems.append({"field": "iris", "problem": "this centre does not capture irises"})
        else:
            iris = take("iris", samples.iris, "iris")
    if problems:
        raise ValidationFailed(f"the capture cannot be enrolled: {problems[0]['field']}: "
                               f"{problems[0]['problem']}", details=problems)  # fmt: skip
    assert face is not None
    return Captured(face, [p for p in prints if p is not None], iris)


def duplicates(
    session: Session, biometrics: Biometrics, captured: Captured
) -> list[dict[str, Any]]:
    """The members who may be the same person: face 1:N over every member, iris 1:N, and the
    prints of each member the face search shortlists compared with the new prints."""
    biometrics.sync(session)
    shortlist = rules().enrolment.duplicate_shortlist
    found: dict[str, list[str]] = {}
    face_point = operating_point(FACES, DEFAULT_FMR)
    nearest = [c for c in biometrics.faces.search(captured.face, face_point, shortlist * 3)
               if c.subject.startswith(SUBJECT)][:shortlist]  # fmt: skip
    for c in nearest:
        if c.match:
            found.setdefault(c.subject, []).append(f"face distance {c.score:g} within "
                                                   f"{face_point.threshold:g}")  # fmt: skip
    if captured.iris is not None:
        iris_point = operating_point(captured.iris.algorithm, DEFAULT_FMR)
        for c in biometrics.irises.search(captured.iris, iris_point, 5, only_matches=True):
            if c.subject.startswith(SUBJECT):
                found.setdefault(c.subject, []).append(f"iris score {c.score:g}")
    shortlisted = [c.subject for c in nearest]
    if shortlisted and captured.fingerprints:
        prints = matcher("fingerprint")
        point = operating_point(PRINTS, DEFAULT_FMR)
        rows = session.scalars(select(BiometricTemplate).where(
            BiometricTemplate.subject.in_(shortlisted), BiometricTemplate.algorithm == PRINTS,
            BiometricTemplate.status == galleries.ENROLLED))  # fmt: skip
        for row in rows:
            enrolled = prints.template(row.template, f"template {row.id}")
            best = max(prints.compare(p, enrolled) for p in captured.fingerprints)
            if point.matches(best):
                found.setdefault(row.subject, []).append(f"fingerprint score {best:g}")
    return [{"card_number": subject[len(SUBJECT):], "on": sorted(set(why))}
            for subject, why in sorted(found.items())]  # fmt: skip


def enrol(
    session: Session, ex: NodeExchange, biometrics: Biometrics, interview_id: str,
    samples: Samples, *, actor: str,
) -> TrustedInterview:  # fmt: skip
    """Hold the interview: capture, check for another membership of the same person, and issue
    the card (or hold it for an officer on a possible duplicate)."""
    row = _interview(session, interview_id)
    now = ex.clock()
    if row.state != "booked":
        raise Conflict(f"interview {row.id} is {row.state}, not booked")
    if now.date() < row.day:
        raise Conflict(f"interview {row.id} is booked for {row.day}, not before")
    application = _application(session, row.reference)
    if application.status != "approved":
        raise Conflict(f"application {application.reference} is {application.status}")
    captured = capture(samples, modes=list(application.application["modes"]),
                       iris_centre=rules().centre(row.centre).iris)  # fmt: skip
    found = duplicates(session, biometrics, captured)
    row.updated_at = now
    if found:
        row.state, row.duplicates = "held", found
        row.capture = {"quality": captured.quality(), "templates": captured.kept()}
        chain.append(session, "programs:interview:held", actor=actor, subject=row.id,
                     details={"reference": row.reference,
                              "members": [d["card_number"] for d in found]})  # fmt: skip
        return row
    _issue(session, ex, biometrics, row, application, captured, actor)
    return row


def _issue(
    session: Session, ex: NodeExchange, biometrics: Biometrics, row: TrustedInterview,
    application: TrustedApplication, captured: Captured, actor: str,
) -> TrustedMembership:  # fmt: skip
    card = membership.issue(session, ex, application, face=captured.face.data,
                            iris=captured.iris.data if captured.iris else None,
                            actor=actor)  # fmt: skip
    for template in captured.templates():
        galleries.store_template(session, biometrics, SUBJECT + card.card_number, template,
                                 actor=actor)  # fmt: skip
    row.state, row.card_number = "enrolled", card.card_number
    row.capture = {"quality": captured.quality()}  # the templates live in the galleries now
    row.updated_at = ex.clock()
    chain.append(session, "programs:interview:enrolled", actor=actor, subject=row.id,
                 details={"reference": row.reference, "card": card.card_number})  # fmt: skip
    return card


def resolve(
    session: Session, ex: NodeExchange, biometrics: Biometrics, interview_id: str, *,
    finding: str, note: str, actor: str,
) -> TrustedInterview:  # fmt: skip
    """An officer's finding on a held interview: ``distinct`` people (the card is issued) or
    one person (``duplicate``: refused, one person holds one membership)."""
    if finding not in FINDINGS:
        raise ValidationFailed(f"finding: '{finding}' is not distinct or duplicate",
                               details=[{"field": "finding", "value": finding}])  # fmt: skip
    if not note.strip():
        raise ValidationFailed("note: the finding is given with the officer's reasons",
                               details=[{"field": "note", "problem": "empty"}])  # fmt: skip
    row = _interview(session, interview_id)
    if row.state != "held":
        raise Conflict(f"interview {row.id} is {row.state}, not held for an officer")
    now = ex.clock()
    row.finding = {"finding": finding, "note": note.strip(), "by": actor, "at": now.isoformat()}
    chain.append(session, "programs:interview:resolved", actor=actor, subject=row.id,
                 details={"reference": row.reference, "finding": finding})  # fmt: skip
    if finding == "duplicate":
        row.state, row.capture = "refused", {"quality": row.capture.get("quality")}
        row.updated_at = now
        return row
    application = _application(session, row.reference)
    _issue(session, ex, biometrics, row, application, _kept(row.capture["templates"]), actor)
    return row


def _kept(kept: dict[str, str]) -> Captured:
    def loaded(kind: str, key: str) -> Template:
        return matcher(kind).template(base64.b64decode(kept[key]), key)

    prints = [loaded("fingerprint", k) for k in sorted(kept) if k.startswith("fingerprint")]
    iris = loaded("iris", "iris") if "iris" in kept else None
    return Captured(loaded("face", "face"), prints, iris)


def cancel(
    session: Session, interview_id: str, *, reason: str, actor: str, now: dt.datetime
) -> TrustedInterview:
    """Cancel a booked interview (the applicant may book another), or end one held for an
    officer without a card; its place on the day is freed and any kept templates dropped."""
    if not reason.strip():
        raise ValidationFailed("reason: a cancellation is given with a reason",
                               details=[{"field": "reason", "problem": "empty"}])  # fmt: skip
    row = _interview(session, interview_id)
    if row.state not in OPEN:
        raise Conflict(f"interview {row.id} is {row.state}: only a booked or held one is "
                       "cancelled")  # fmt: skip
    row.state, row.capture, row.updated_at = "cancelled", {}, now
    row.finding = {"finding": "cancelled", "note": reason.strip(), "by": actor,
                   "at": now.isoformat()}  # fmt: skip
    chain.append(session, "programs:interview:cancelled", actor=actor, subject=row.id,
                 details={"reference": row.reference, "reason": reason.strip()})  # fmt: skip
    return row


def _interview(session: Session, interview_id: str) -> TrustedInterview:
    row = session.get(TrustedInterview, interview_id)
    if row is None:
        raise NotFound(f"no interview '{interview_id}'")
    return row


def interview_out(row: TrustedInterview) -> dict[str, Any]:
    return {
        "id": row.id, "reference": row.reference, "centre": row.centre,
        "day": row.day.isoformat(), "state": row.state,
        "quality": (row.capture or {}).get("quality"), "duplicates": row.duplicates,
        "finding": row.finding, "card_number": row.card_number,
        "booked_at": row.booked_at.isoformat(), "booked_by": row.booked_by,
    }  # fmt: skip


def interviews(
    session: Session, *, centre: str | None = None, day: dt.date | None = None,
    state: str | None = None, reference: str | None = None,
) -> list[TrustedInterview]:  # fmt: skip
    query = select(TrustedInterview).order_by(TrustedInterview.day, TrustedInterview.booked_at)
    if reference:
        query = query.where(TrustedInterview.reference == reference)
    if centre:
        query = query.where(TrustedInterview.centre == centre)
    if day:
        query = query.where(TrustedInterview.day == day)
    if state:
        query = query.where(TrustedInterview.state == state)
    return list(session.scalars(query.limit(500)))
