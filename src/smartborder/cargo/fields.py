"""What a shipment risk model's conditions may read: the shipment, its route, its goods, its
parties and what screening found, as a flat record (``features.record_of`` gives it). The
same typed condition format as the traveller's model (travel/riskmodels/conditions.py), so
both countries' models are written, checked, co-signed and explained the same way."""

from __future__ import annotations

from smartborder.travel.riskmodels.conditions import SCORE_SPECS, FieldSpec

_FIELDS = (
    # the shipment
    FieldSpec("shipment.mode", "text", "MARINE, AIR, RAIL or HIGHWAY"),
    FieldSpec("shipment.kind", "text", "MASTER, HOUSE or SIMPLE bill"),
    FieldSpec("shipment.carrier", "text", "the carrier's code"),
    FieldSpec("shipment.in_transit", "flag", "destined to another country than this one"),
    FieldSpec("shipment.destination_country", "text", "country of final destination"),
    FieldSpec("shipment.late", "flag", "first reported after its deadline"),
    FieldSpec("shipment.late_minutes", "number", "minutes after the deadline"),
    FieldSpec("shipment.amendments", "number", "amendments since the first report"),
    FieldSpec("shipment.hours_before_arrival", "number", "hours between report and arrival"),
    FieldSpec("shipment.fast", "flag", "carried by a FAST carrier"),
    FieldSpec("shipment.containers", "number", "containers"),
    FieldSpec("shipment.invalid_identifiers", "flag", "a container number or HS code failed"),
    # the route
    FieldSpec("route.loading_country", "text", "country of loading"),
    FieldSpec("route.loading_place", "text", "place of loading (UN/LOCODE)"),
    FieldSpec("route.arrival_place", "text", "first place of arrival (UN/LOCODE)"),
    FieldSpec("route.countries", "codes", "every country of the routing"),
    FieldSpec("route.transhipments", "number", "countries between loading and arrival"),
    # the goods
    FieldSpec("goods.hs_chapters", "codes", "HS chapters (2 digits)"),
    FieldSpec("goods.hs_headings", "codes", "HS headings (4 digits)"),
    FieldSpec("goods.hs_missing", "flag", "a goods item without an HS code"),
    FieldSpec("goods.description", "text", "the goods' descriptions, joined"),
    FieldSpec("goods.vague", "flag", "a description that says nothing (FAK, said to contain...)"),
    FieldSpec("goods.items", "number", "goods items"),
    FieldSpec("goods.packages", "number", "packages in all"),
    FieldSpec("goods.weight_kg", "number", "gross weight in all"),
    FieldSpec("goods.kg_per_package", "number", "gross weight per package"),
    # the parties
    FieldSpec("party.consignor_country", "text", "the consignor's country"),
    FieldSpec("party.consignee_country", "text", "the consignee's country"),
    FieldSpec("party.missing", "codes", "roles not given: CONSIGNOR, CONSIGNEE, IMPORTER"),
    FieldSpec(
        "party.importer_status",
        "text",
        "the importer's program status: APPROVED, PENDING, SUSPENDED, REFUSED, "
        "REGISTERED, or UNKNOWN (not a registered trade party)",
    ),
    FieldSpec("party.carrier_status", "text", "the carrier's program status, as the importer's"),
    # screening of the parties against local and partner lookouts
    FieldSpec("screening.hit", "flag", "a party is named by a lookout"),
    FieldSpec("screening.categories", "codes", "categories of the lookouts hit"),
    FieldSpec("screening.roles", "codes", "roles of the parties hit: CONSIGNEE, ..."),
    FieldSpec("screening.best_score", "number", "best lookout match score, 0-1"),
    *SCORE_SPECS,
)
FIELDS: dict[str, FieldSpec] = {f.name: f for f in _FIELDS}
