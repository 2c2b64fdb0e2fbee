"""A shipment as the flat record shipment risk conditions read (``fields.FIELDS``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from smartborder.cargo.shipments import AnyShipment

# descriptions that say nothing of the goods (what targeting rules call "vague"): freight of
# all kinds, said to contain, general cargo, ...
_VAGUE = re.compile(
    r"^\W*(?:FAK|F\.A\.K\.?|FREIGHT ALL KINDS|GENERAL CARGO|GENERAL MERCHANDISE|MISC\w*|"
    r"VARIOUS|CONSOLIDATED CARGO|CONSOLIDATION|GOODS|PARTS|SAMPLES|STC|SAID TO CONTAIN|"
    r"PERSONAL EFFECTS|NOT SPECIFIED|N/?A|AS PER INVOICE|AS PER ATTACHED)\W*$|"
    r"^\W*(?:STC|SAID TO CONTAIN)\b",
    re.IGNORECASE,
)


def vague(description: str) -> bool:
    return not description.strip() or _VAGUE.search(description.strip()) is not None


def record_of(shipment: AnyShipment, *, hits: list[dict[str, Any]],
              standing: Mapping[str, str | None]) -> dict[str, Any]:  # fmt: skip
    """The record of ``shipment``: ``hits`` are screening's (each with its role), ``standing``
    each trade party's program status by role (``importer``, ``carrier``; ``UNKNOWN`` when not
    registered, None when the report names none)."""
    goods = shipment.goods
    chapters = sorted({g["hs"][:2] for g in goods if g.get("hs")})
    headings = sorted({g["hs"][:4] for g in goods if len(g.get("hs") or "") >= 4})
    packages = sum(g.get("packages") or 0 for g in goods)
    weight = sum(g.get("weight_kg") or 0.0 for g in goods)
    parties = shipment.parties
    routing = shipment.routing
    loading = shipment.loading_place[:2]
    arrival = shipment.arrival_place[:2]
    between = [c for c in routing if c not in (loading, arrival, shipment.destination_country)]
    reported = shipment.first_reported_at
    hours = ((shipment.arrival_at - reported).total_seconds() / 3600
             if shipment.arrival_at is not None and reported is not None else None)  # fmt: skip
    missing = [role.upper() for role in ("consignor", "consignee", "importer")
               if not (parties.get(role) or {}).get("name")]  # fmt: skip
    return {
        "shipment.mode": shipment.mode,
        "shipment.kind": shipment.kind,
        "shipment.carrier": shipment.carrier,
        "shipment.in_transit": shipment.in_transit,
        "shipment.destination_country": shipment.destination_country,
        "shipment.late": shipment.late,
        "shipment.late_minutes": shipment.late_minutes or 0,
        "shipment.amendments": max(0, shipment.version - 1),
        "shipment.hours_before_arrival": hours,
        "shipment.fast": shipment.fast,
        "shipment.containers": len(shipment.containers),
        "shipment.invalid_identifiers": any(
            "(ISO 6346)" in w["text"] or "HS code" in w["text"] for w in shipment.warnings
        ),
        "route.loading_country": loading,
        "route.loading_place": shipment.loading_place,
        "route.arrival_place": shipment.arrival_place,
        "route.countries": routing,
        "route.transhipments": len(between),
        "goods.hs_chapters": chapters,
        "goods.hs_headings": headings,
        "goods.hs_missing": any(not g.get("hs") for g in goods),
        "goods.description": " | ".join(g.get("description") or "" for g in goods),
        "goods.vague": any(vague(g.get("description") or "") for g in goods),
        "goods.items": len(goods),
        "goods.packages": packages,
        "goods.weight_kg": weight,
        "goods.kg_per_package": weight / packages if packages else None,
        "party.consignor_country": (parties.get("consignor") or {}).get("country") or None,
        "party.consignee_country": (parties.get("consignee") or {}).get("country") or None,
        "party.missing": missing,
        "party.importer_status": standing.get("importer"),
        "party.carrier_status": standing.get("carrier"),
        "screening.hit": bool(hits),
        "screening.categories": sorted({h["category"] for h in hits}),
        "screening.roles": sorted({h["role"].upper() for h in hits}),
        "screening.best_score": max((h["score"] for h in hits), default=None),
    }
