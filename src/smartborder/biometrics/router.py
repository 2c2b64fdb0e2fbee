"""Biometrics API: a sample's quality and 1:1 verification (a kiosk comparing a capture with a
card's template), each decision at a measured operating point and audited."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Request, Response, UploadFile
from pydantic import BaseModel

from smartborder.audit import chain
from smartborder.auth import CurrentSettings, Db, Principal, require
from smartborder.biometrics import modalities, nist, searches, service
from smartborder.biometrics.images import BiometricProblem
from smartborder.biometrics.matchers import DEFAULT_FMR, Template, verify
from smartborder.biometrics.modalities import Kind
from smartborder.biometrics.schemas import (
    ComparisonOut,
    CriminalRecordIn,
    CriminalRecordOut,
    DeletedOut,
    EnrolmentOut,
    FingerprintSearchList,
    FingerprintSearchOut,
    PrintSearchOut,
    QualityOut,
    TransactionOut,
)
from smartborder.biometrics.service import Biometrics
from smartborder.deps import Exchange, get_node
from smartborder.errors import NotFound
from smartborder.ids import new_id
from smartborder.quarantine import kept_file
from smartborder.roles import Permission
from smartborder.settings import Settings

router = APIRouter(tags=["biometrics"])
Verifier = Annotated[Principal, Depends(require(Permission.BIOMETRICS_VERIFY))]
Enroller = Annotated[Principal, Depends(require(Permission.BIOMETRICS_ENROL))]
Decider = Annotated[Principal, Depends(require(Permission.REQUESTS_DECIDE))]


def galleries(request: Request) -> Biometrics:
    found: Biometrics = get_node(request).get(Biometrics)
    return found


def _sample(upload: UploadFile) -> tuple[str, bytes]:
    name = upload.filename or "upload"
    return name, upload.file.read()


def template_of(
    name: str, data: bytes, settings: Settings, modality: str = "fingerprint"
) -> Template:
    """The upload as a template: one of the modality's format (a card's ISO/IEC 19794-2
    record, an iris code) as it is, an image extracted; a refused image is kept in
    quarantine."""
    try:
        return modalities.template_from(modality, data, name)
    except BiometricProblem as problem:
        kept_file(settings.data_dir, name, data, problem.details)
        raise


@router.post("/biometrics/{modality}/quality", response_model=QualityOut)
def sample_quality(
    principal: Verifier, settings: CurrentSettings, modality: Kind, sample: UploadFile
) -> dict[str, Any]:
    """A sample's quality (NFIQ 2 of a print, the visible share of an iris), and whether it
    reaches the floor."""
    name, data = _sample(sample)
    return {"source": name, **modalities.matcher(modality).assess(data, name).as_dict()}


@router.post("/biometrics/{modality}/verify", response_model=ComparisonOut)
def sample_verify(
    principal: Verifier,
    db: Db,
    settings: CurrentSettings,
    modality: Kind,
    probe: UploadFile,
    reference: UploadFile,
    fmr: Annotated[float, Form(gt=0, le=1)] = DEFAULT_FMR,
) -> dict[str, Any]:
    """Compare a capture with a reference (an image, or a card's template: ISO/IEC 19794-2
    for prints) and decide at the measured point for ``fmr``; audited, without the samples."""
    probe_name, probe_data = _sample(probe)
    reference_name, reference_data = _sample(reference)
    result = verify(
        modalities.matcher(modality),
        template_of(probe_name, probe_data, settings, modality),
        template_of(reference_name, reference_data, settings, modality),
        fmr,
    )
    service.audit_verification(db, principal.username, result, modality)
    return result.as_dict()


@router.post("/biometrics/{modality}/enrolments", response_model=EnrolmentOut, status_code=201)
def sample_enrol(
    principal: Enroller,
    db: Db,
    settings: CurrentSettings,
    request: Request,
    modality: Kind,
    sample: UploadFile,
    subject: Annotated[str, Form(min_length=1, max_length=64)],
    fmr: Annotated[float, Form(gt=0, le=1)] = DEFAULT_FMR,
) -> EnrolmentOut:
    """Enrol a print or an iris of ``subject``; 409 when it matches another person's."""
    name, data = _sample(sample)
    made = template_of(name, data, settings, modality)
    done = service.enrol_template(
        db, galleries(request), subject, made, actor=principal.username, fmr=fmr
    )
    return EnrolmentOut(subject=done.subject, template=done.key, templates=done.templates,
                        minutiae=made.features, quality=made.quality.score)  # fmt: skip


@router.post("/biometrics/{modality}/searches", response_model=PrintSearchOut)
def sample_identify(
    principal: Verifier,
    db: Db,
    settings: CurrentSettings,
    request: Request,
    modality: Kind,
    sample: UploadFile,
    limit: Annotated[int, Form(ge=1, le=100)] = 10,
    fmr: Annotated[float, Form(gt=0, le=1)] = DEFAULT_FMR,
) -> dict[str, Any]:
    """Search the gallery 1:N: the best-scoring people, judged at the point for ``fmr``."""
    name, data = _sample(sample)
    made = template_of(name, data, settings, modality)
    found = service.identify_template(
        db, galleries(request), made, actor=principal.username, limit=limit, fmr=fmr
    )
    return found.as_dict()


@router.delete("/biometrics/{modality}/subjects/{subject}", response_model=DeletedOut)
def sample_delete(
    principal: Enroller, db: Db, request: Request, modality: Kind, subject: str
) -> DeletedOut:
    """Delete every print (or iris) of ``subject``: their bytes are destroyed."""
    algorithm = modalities.matcher(modality).algorithm
    count = service.delete(db, galleries(request), algorithm, subject)
    chain.append(db, "biometrics:template:deleted", actor=principal.username, subject=subject,
                 details={"algorithm": algorithm, "templates": count})  # fmt: skip
    return DeletedOut(subject=subject, deleted=count)


def transaction_of(name: str, data: bytes, settings: Settings) -> nist.Transaction:
    """The upload as an ANSI/NIST-ITL transaction valid under the profile; a refused one is
    kept in quarantine with its problems."""
    try:
        return nist.read(data, name, nist.profile(nist.PROFILE))
    except nist.TransactionProblems as problems:
        kept_file(settings.data_dir, name, data, problems.details)
        raise


def search_transaction(name: str, data: bytes, finger: int, settings: Settings) -> bytes:
    """The upload as a search transaction: one as it is (checked), an image wrapped in a CAR
    of ``finger`` (the image checked as a print first; refused ones kept in quarantine)."""
    if nist.is_transaction(data):
        transaction_of(name, data, settings)
        return data
    template_of(name, data, settings)  # a usable print, or a located refusal
    agency = f"{settings.country}{settings.node_id.upper()}"[:32]
    return nist.write(tot="CAR", dai="PARTNER", ori=agency, tcn=new_id()[:20],
                      fingers=[nist.Finger(finger, data)], source=name)  # fmt: skip


@router.post("/biometrics/transactions", response_model=TransactionOut)
def check_transaction(
    principal: Verifier, settings: CurrentSettings, transaction: UploadFile
) -> dict[str, Any]:
    """Read an ANSI/NIST-ITL transaction and check it against the ebts-like profile: what it
    holds, or 422 with every problem located by record and field."""
    name, data = _sample(transaction)
    return transaction_of(name, data, settings).summary()


@router.post("/biometrics/partner-searches", response_model=FingerprintSearchOut, status_code=201)
def send_partner_search(
    principal: Verifier,
    db: Db,
    ex: Exchange,
    settings: CurrentSettings,
    transaction: UploadFile,
    partner: Annotated[str, Form(min_length=1, max_length=32)],
    reason: Annotated[str, Form(min_length=1, max_length=2000)],
    finger: Annotated[int, Form(ge=1, le=10)] = 2,
) -> dict[str, Any]:
    """Send a fingerprint search to a partner under the fingerprints annex: a CAR or LFS
    transaction, or one print's image (sent as a CAR of that ``finger``, 1 right thumb to 10
    left little). The answer arrives on its own (GET it by id)."""
    name, data = _sample(transaction)
    data = search_transaction(name, data, finger, settings)
    row = searches.send(db, ex, partner=partner, transaction=data, source=name, reason=reason,
                        actor=principal.username)  # fmt: skip
    db.flush()
    return searches.search_out(row)


@router.get("/biometrics/partner-searches", response_model=FingerprintSearchList)
def list_partner_searches(
    principal: Verifier, db: Db, direction: str | None = None
) -> dict[str, Any]:
    """Searches sent (``out``) and received (``in``), newest first, with their answers."""
    return {"items": [searches.search_out(r) for r in searches.listing(db, direction)]}


@router.get("/biometrics/partner-searches/{search_id}", response_model=FingerprintSearchOut)
def get_partner_search(principal: Verifier, db: Db, search_id: str) -> dict[str, Any]:
    return searches.search_out(searches.get(db, search_id))


@router.post("/biometrics/criminal-records", response_model=CriminalRecordOut, status_code=201)
def add_criminal_record(
    principal: Enroller, db: Db, ex: Exchange, body: CriminalRecordIn
) -> CriminalRecordOut:
    """Hold a criminal-record summary against a person enrolled in the fingerprint gallery:
    what a partner's search is told on a hit, as far as the annex lets it."""
    record = searches.add_record(
        db, subject=body.subject, reference=body.reference, owner=body.owner, name=body.name,
        birth_date=body.birth_date,
        charges=[{"offence": c.offence, "date": c.date.isoformat()} for c in body.charges],
        dispositions=[{"outcome": d.outcome, "date": d.date.isoformat()}
                      for d in body.dispositions],
        actor=principal.username, now=ex.clock(),
    )  # fmt: skip
    return CriminalRecordOut(id=record.id, subject=record.subject, reference=record.reference,
                             owner=record.owner)  # fmt: skip


class DecisionIn(BaseModel):
    result: Literal["hit", "no hit"]


@router.post(
    "/biometrics/partner-searches/{search_id}/decision", response_model=FingerprintSearchOut
)
def decide_partner_search(
    principal: Decider, db: Db, ex: Exchange, search_id: str, body: DecisionIn
) -> dict[str, Any]:
    """Answer a partner's search the annex holds for a person: confirm the proposed hit, or
    answer no hit; the query's prints are destroyed with the answer."""
    row = searches.decide(db, ex, search_id, result=body.result, actor=principal.username)
    return searches.search_out(row)


@router.get(
    "/biometrics/partner-searches/{search_id}/prints/{number}",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}}},
)
def partner_search_print(principal: Decider, db: Db, search_id: str, number: int) -> Response:
    """A print of a search held for review, as PNG (1 is the first), for the person deciding."""
    prints = searches.query_prints(searches.get(db, search_id))
    if not 1 <= number <= len(prints):
        raise NotFound(f"the search holds {len(prints)} print(s), not a print {number}")
    return Response(prints[number - 1], media_type="image/png",
                    headers={"Cache-Control": "no-store"})  # fmt: skip
