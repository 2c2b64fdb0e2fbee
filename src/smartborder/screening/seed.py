"""Demo lookouts: synthetic ones in bulk (a share of them marked for the partner) and a few named
ones the demo screens for, created through the lookout service like any other."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from smartborder.screening import service
from smartborder.screening.schemas import LookoutIn
from smartborder.synthetic.lookouts import LookoutGenerator

SHARED_EVERY = 10  # one synthetic lookout in ten may go to the partner
SHARED_FIELDS = [
    "names",
    "birth_date",
    "sex",
    "nationalities",
    "documents",
    "action",
    "valid_until",
]

# Lookouts each demo node holds under its own name, shared, so the partner's screening finds them.
PLANTED: dict[str, list[dict[str, Any]]] = {
    "ca": [
        {
            "category": "serious-crime",
            "action": "refer-secondary",
            "names": [
                {"name": "Дмитрий Александрович Волков"},
                {"name": "Dmitrii Volkov", "kind": "transliteration"},
            ],
            "birth_date": "1976-11-03",
            "sex": "M",
            "nationalities": ["RUS"],
            "documents": [{"number": "721458963", "type": "P", "country": "RUS"}],
            "source_reference": "CA-DEMO-LOOKOUT-1",
        },
        {
            "category": "immigration-violation",
            "action": "notify",
            "names": [{"name": "Carlos Eduardo Mendoza Ruiz"}],
            "birth_date": "1990-02",
            "sex": "M",
            "nationalities": ["MEX"],
            "source_reference": "CA-DEMO-LOOKOUT-2",
        },
    ],
    "us": [
        {
            "category": "specified-person",
            "action": "deny-boarding",
            "names": [
                {"name": "محمد عبد الله الراشد"},
                {"name": "Mohammed Abdullah Al-Rashid", "kind": "transliteration"},
            ],
            "birth_date": "1983-07-14",
            "sex": "M",
            "nationalities": ["YEM"],
            "source_reference": "US-DEMO-LOOKOUT-1",
        },
        {
            "category": "lost-stolen-document",
            "action": "seize-document",
            "subject_kind": "document",
            "documents": [{"number": "X4477120", "type": "P", "country": "USA"}],
            "source_reference": "US-DEMO-LOOKOUT-2",
        },
    ],
}


def seed_lookouts(
    session: Session, *, node_id: str, seed: int, count: int, today: dt.date
) -> tuple[int, int]:
    """Create ``count`` synthetic lookouts plus the node's planted ones; (created, shared)."""
    generator = LookoutGenerator(seed)
    actor = "cli:demo"
    shared = 0
    for planted in PLANTED.get(node_id, []):
        data = LookoutIn.model_validate({**planted, "share": True, "shared_fields": SHARED_FIELDS})
        service.create_lookout(session, data, actor=actor, today=today)
        shared += 1
    for number, lookout in enumerate(generator.lookouts(count)):
        share = number % SHARED_EVERY == 0
        names = [{"name": lookout.names[0], "kind": "primary"}]
        names += [{"name": n, "kind": "transliteration"} for n in lookout.names[1:]]
        data = LookoutIn.model_validate(
            {
                "category": lookout.category,
                "action": lookout.action,
                "subject_kind": "document"
                if lookout.category == "lost-stolen-document"
                else "person",
                "names": [] if lookout.category == "lost-stolen-document" else names,
                "birth_date": None if lookout.category == "lost-stolen-document" else lookout.birth,
                "sex": None if lookout.category == "lost-stolen-document" else lookout.sex,
                "nationalities": [lookout.nationality],
                "documents": [{"number": lookout.document, "country": lookout.nationality}],
                "source_reference": f"{node_id.upper()}-SYN-{number + 1:06d}",
                "share": share,
                "shared_fields": SHARED_FIELDS,
            }
        )
        service.create_lookout(session, data, actor=actor, today=today)
        shared += share
    return count + len(PLANTED.get(node_id, [])), shared
