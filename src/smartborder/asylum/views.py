"""The asylum pages: the claims, a claim with its determination, and the guided form that asks
only what the rules still need (the determination's missing facts), a question at a time, in
the order the rules reach them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from smartborder.asylum import claims, comparisons, records, stca
from smartborder.auth import Db, Principal, WriteDb, get_settings, require
from smartborder.deps import Exchange
from smartborder.errors import SmartborderError
from smartborder.roles import Permission
from smartborder.web.render import render

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, Depends(require(Permission.ASYLUM_READ))]
Officer = Annotated[Principal, Depends(require(Permission.ASYLUM_DETERMINE))]

YES_NO = {
    "death_penalty_charge", "stateless", "in_transit", "ordered_removed_from_us",
    "accompanied_by_parent_or_guardian", "has_spouse", "parent_or_guardian_in_canada_or_us",
    "visa_exempt_canada", "needs_us_visa", "refused_entry_us_without_adjudication",
    "canadian_pr_ordered_removed_from_us",
}  # fmt: skip
COUNTRY = {"came_from", "former_habitual_residence"}
DATE = {"entry_date", "birth_date"}
ARRIVALS = ("land-port", "between-ports", "airport", "harbour")
STATUSES = stca.Status.__args__  # type: ignore[attr-defined]
DOCUMENT_KINDS = stca.DocumentKind.__args__  # type: ignore[attr-defined]
RELATIVE_ROWS = 3
NEW_FIELDS = ("names", "birth_date", "sex", "document", "document_country", "location",
              "persecution_in", "claim_date", "came_from", "arrival", "nationalities")  # fmt: skip


def _questions(missing: list[dict[str, str]]) -> list[dict[str, Any]]:
    """The form's questions for the missing facts, each with how it is answered."""
    asked, seen = [], set()
    for item in missing:
        fact = "relatives" if item["fact"] == "relatives.age" else item["fact"]
        if fact in seen:
            continue
        seen.add(fact)
        kind = ("yes-no" if fact in YES_NO else "country" if fact in COUNTRY
                else "date" if fact in DATE else fact)  # fmt: skip
        asked.append({**item, "fact": fact, "kind": kind})
    return asked


def _facts_of(form: FormData, asked: list[str]) -> dict[str, Any]:
    """The answers the form gives, as facts (a question left blank is still unknown)."""
    facts: dict[str, Any] = {}
    for fact in asked:
        value = str(form.get(fact, "")).strip()
        if fact in YES_NO or fact in COUNTRY or fact in DATE or fact == "arrival":
            if value:
                facts[fact] = {"yes": True, "no": False}.get(value, value)
        elif fact == "nationalities" and value:
            facts[fact] = [c.strip().upper() for c in value.replace(",", " ").split()]
        elif fact == "relatives" and form.get("relatives_none") != "on":
            rows = []
            for n in range(RELATIVE_ROWS):
                relationship = str(form.get(f"relative{n}_relationship", "")).strip()
                if not relationship:
                    continue
                age = str(form.get(f"relative{n}_age", "")).strip()
                status = str(form.get(f"relative{n}_status", "")).strip()
                rows.append({"relationship": relationship, "age": int(age) if age.isdigit()
                             else None, "in_country": form.get(f"relative{n}_in_country") == "on",
                             "status": status or None})  # fmt: skip
            if rows:
                facts[fact] = rows
        elif fact == "relatives":
            facts[fact] = []
        elif fact == "documents":
            kinds = [str(k) for k in form.getlist("documents") if str(k) in DOCUMENT_KINDS]
            if kinds or form.get("documents_none") == "on":
                transit = form.get("documents_transit_only") == "on"
                facts[fact] = [{"kind": k, "transit_only": transit} for k in kinds]
    return facts


@router.get("/asylum")
def asylum_page(request: Request, db: Db, principal: Reader) -> HTMLResponse:
    return render(request, "asylum/asylum.html", _list_context(db, principal))


def _list_context(db: Db, principal: Principal, **values: Any) -> dict[str, Any]:
    rows = claims.listing(db)
    return {
        "claims": [claims.claim_out(r, claims.current(db, r.id)) for r in rows],
        "can_record": principal.can(Permission.ASYLUM_DETERMINE),
        "arrivals": ARRIVALS, "values": {}, "problems": [], **values,
    }  # fmt: skip


@router.post("/asylum/claims")
async def record_claim(request: Request, db: Db, ex: Exchange, principal: Officer) -> Response:
    """Record a claim from the page's form (the facts the officer has so far); the claim's page
    then asks the rest."""
    form = await request.form()
    values = {name: str(form.get(name, "")).strip() for name in NEW_FIELDS}
    split = values["persecution_in"].replace(",", " ").split()
    facts: dict[str, Any] = {"claim_date": values["claim_date"]}
    for name in ("came_from", "arrival"):
        if values[name]:
            facts[name] = values[name]
    if values["nationalities"]:
        facts["nationalities"] = [
            c.upper() for c in values["nationalities"].replace(",", " ").split()
        ]
    body = {
        "claimant": {
            "names": [n.strip() for n in values["names"].splitlines() if n.strip()],
            "birth_date": values["birth_date"] or None, "sex": values["sex"] or None,
            "documents": [{"kind": "passport", "number": values["document"],
                           "country": values["document_country"] or None}]
            if values["document"] else [],
        },
        "location": values["location"], "persecution_in": [c.upper() for c in split],
        "facts": facts,
    }  # fmt: skip
    try:
        claim = claims.ClaimIn.model_validate(body)
        row, _ = claims.create(db, claim, actor=principal.username, now=ex.clock(),
                               country=ex.settings.country)  # fmt: skip
    except ValidationError as exc:
        problems = [{"field": ".".join(str(p) for p in e["loc"]), "problem": e["msg"]}
                    for e in exc.errors()]  # fmt: skip
        return render(request, "asylum/asylum.html",
                      _list_context(db, principal, values=values, problems=problems),
                      status_code=422)  # fmt: skip
    except SmartborderError as exc:
        problems = exc.details or [{"field": "", "problem": exc.message}]
        return render(request, "asylum/asylum.html",
                      _list_context(db, principal, values=values, problems=problems),
                      status_code=422)  # fmt: skip
    comparisons.compare_new(db, ex, row, actor=principal.username)
    return RedirectResponse(f"/asylum/claims/{row.id}", status_code=303)


def _claim_context(
    db: Db, principal: Principal, claim_id: str, country: str, **values: Any
) -> dict[str, Any]:
    shown = records.detail(db, claim_id, actor=principal.username)
    missing = (shown["claim"]["determination"] or {}).get("missing", [])
    return {
        **shown, "questions": _questions(missing),
        "can_change": principal.can(Permission.ASYLUM_DETERMINE),
        "arrivals": ARRIVALS, "statuses": STATUSES, "document_kinds": DOCUMENT_KINDS,
        "family": stca.rules(country).family, "relative_rows": RELATIVE_ROWS, "problems": [],
        **values,
    }  # fmt: skip


@router.get("/asylum/claims/{claim_id}")
def claim_page(request: Request, db: WriteDb, principal: Reader, claim_id: str) -> HTMLResponse:
    context = _claim_context(db, principal, claim_id, get_settings(request).country)
    return render(request, "asylum/claim.html", context)


@router.post("/asylum/claims/{claim_id}/facts")
async def answer_questions(
    request: Request, db: Db, ex: Exchange, principal: Officer, claim_id: str
) -> Response:
    """The guided form's answers: a new version of the claim, determined again; a problem is
    shown by its question, and nothing is written."""
    form = await request.form()
    row = claims.get(db, claim_id)
    made = claims.current(db, row.id)
    asked = [q["fact"] for q in _questions(made.result.get("missing", []) if made else [])]
    facts = _facts_of(form, asked)
    reason = str(form.get("reason", "")).strip() or "answers to the determination's questions"
    try:
        if not facts:
            raise ValueError("answer at least one question")
        claims.change(db, row.id, claims.ClaimChange(reason=reason, facts=facts),
                      actor=principal.username, now=ex.clock(),
                      country=ex.settings.country)  # fmt: skip
    except (ValidationError, ValueError, SmartborderError) as exc:
        if isinstance(exc, ValidationError):
            problems = [{"field": ".".join(str(p) for p in e["loc"]), "problem": e["msg"]}
                        for e in exc.errors()]  # fmt: skip
        elif isinstance(exc, SmartborderError):
            problems = exc.details or [{"field": "", "problem": exc.message}]
        else:
            problems = [{"field": "", "problem": str(exc)}]
        return render(request, "asylum/claim.html",
                      _claim_context(db, principal, row.id, ex.settings.country,
                                     problems=problems),
                      status_code=422)  # fmt: skip
    return RedirectResponse(f"/asylum/claims/{row.id}", status_code=303)
