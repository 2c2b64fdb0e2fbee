"""Navigation: each domain registers its sections; the layout shows those the user may open."""

from __future__ import annotations

from dataclasses import dataclass

from smartborder.roles import Permission


@dataclass(frozen=True)
class NavItem:
    label: str
    path: str
    permission: Permission


SECTIONS: tuple[NavItem, ...] = (
    NavItem("Overview", "/", Permission.NODE_READ),
    NavItem("People", "/people", Permission.PEOPLE_READ),
    NavItem("Document check", "/documents/check", Permission.DOCUMENTS_CHECK),
    NavItem("Lookouts", "/lookouts", Permission.LOOKOUTS_READ),
    NavItem("Screen", "/screen", Permission.SCREENING_RUN),
    NavItem("Flights", "/travel/flights", Permission.TRAVEL_READ),
    NavItem("Targeting", "/travel/queue", Permission.TRAVEL_READ),
    NavItem("Risk model", "/travel/risk", Permission.TRAVEL_READ),
    NavItem("Visa policy", "/visa", Permission.VISA_READ),
    NavItem("Visa applicants", "/visa/applicants", Permission.SCREENING_RUN),
    NavItem("Traffic modelling", "/modeling", Permission.MODEL_READ),
    NavItem("Requests", "/exchange/requests", Permission.REQUESTS_READ),
    NavItem("Agreements", "/agreements", Permission.AGREEMENTS_READ),
    NavItem("Audit", "/audit", Permission.AUDIT_READ),
    NavItem("Users", "/users", Permission.USERS_MANAGE),
    NavItem("API tokens", "/account", Permission.TOKENS_OWN),
)
