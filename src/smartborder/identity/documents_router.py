"""JSON API for the document check."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from smartborder.auth import Principal, require
from smartborder.db import utcnow
from smartborder.identity.documents import check_request
from smartborder.identity.schemas import DocumentCheckIn, DocumentCheckOut
from smartborder.roles import Permission

router = APIRouter(tags=["documents"])
Checker = Annotated[Principal, Depends(require(Permission.DOCUMENTS_CHECK))]


@router.post("/documents/check", response_model=DocumentCheckOut)
def check_document(body: DocumentCheckIn, _checker: Checker) -> Any:
    """Parse an MRZ (or build one from typed fields) and run every check: check digits,
    composite, dates, document type, issuer and nationality codes, name truncation."""
    return check_request(body, utcnow().date()).as_dict()
