"""People and travel documents: the person register, MRZ checks (ICAO Doc 9303)."""

from smartborder.registry import Command, DemoStep, Domain, NavItem
from smartborder.roles import Permission

DOMAIN = Domain(
    name="identity",
    order=10,
    title="People and documents",
    models=("smartborder.identity.models",),
    api_routers=(
        "smartborder.identity.router:router",
        "smartborder.identity.documents_router:router",
    ),
    ui_routers=(
        "smartborder.identity.views:router",
        "smartborder.identity.documents_views:router",
    ),
    templates=True,
    nav=(
        NavItem("People", "/people", Permission.PEOPLE_READ),
        NavItem("Document check", "/documents/check", Permission.DOCUMENTS_CHECK),
    ),
    commands=(
        Command("doc", "smartborder.identity.cli:doc_app",
                "Check and generate machine-readable zones (ICAO Doc 9303)."),
    ),
    seed=(DemoStep(20, "smartborder.demo.seed:seed_people"),),
)  # fmt: skip
