"""Screening: lookouts (local and shared under an agreement) and the name matcher."""

from smartborder.registry import Command, DemoStep, Domain, NavItem
from smartborder.roles import Permission

DOMAIN = Domain(
    name="screening",
    order=20,
    title="Lookouts and screening",
    models=("smartborder.screening.models",),
    api_routers=("smartborder.screening.router:router",),
    ui_routers=("smartborder.screening.views:router",),
    templates=True,
    nav=(
        NavItem("Lookouts", "/lookouts", Permission.LOOKOUTS_READ),
        NavItem("Screen", "/screen", Permission.SCREENING_RUN),
    ),
    overview=("smartborder.screening.overview",),
    commands=(
        Command("lookouts", "smartborder.screening.cli:lookouts_app",
                "Lookouts: list, import, retract."),
        Command("screen", "smartborder.screening.cli:screen",
                "Screen every subject of a file against the node's lookouts"),
    ),
    handles={
        "lookout-upsert": "smartborder.screening.sharing:on_upsert",
        "lookout-retraction": "smartborder.screening.sharing:on_retraction",
    },
    sends=("lookout-upsert", "lookout-retraction"),
    on_signed=("smartborder.screening.sharing:share_under",),
    services=("smartborder.screening.lifecycle:screening",),
    startup=("smartborder.screening.lifecycle:build_index",),
    seed=(DemoStep(30, "smartborder.demo.screening:seed_lookouts"),),
    scenario=(
        DemoStep(20, "smartborder.demo.screening:run_screening",
                 "Sharing lookouts and screening a flight…"),
    ),
)  # fmt: skip
