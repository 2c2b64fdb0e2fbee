"""Joint removals: removal cases, joint removal flights both countries fill under the removals
annex, the organiser's acceptance, the manifest and the outcome per person."""

from smartborder.registry import Command, DemoStep, Domain, NavItem
from smartborder.roles import Permission

DOMAIN = Domain(
    name="removals",
    order=49,
    title="Joint removals",
    models=("smartborder.removals.models",),
    api_routers=("smartborder.removals.router:router",),
    ui_routers=("smartborder.removals.views:router",),
    templates=True,
    nav=(NavItem("Removals", "/removals", Permission.REMOVALS_READ),),
    handles={
        "removal-operation": "smartborder.removals.service:on_operation",
        "removal-proposal": "smartborder.removals.service:on_proposal",
        "removal-decision": "smartborder.removals.service:on_decision",
        "removal-outcome": "smartborder.removals.service:on_outcome",
    },
    sends=("removal-operation", "removal-proposal", "removal-decision", "removal-outcome"),
    scenario=(
        DemoStep(80, "smartborder.demo.removals:run_removals",
                 "Joint removals: a charter filled by both, a refused document, outcomes…"),
    ),
    commands=(
        Command("removals", "smartborder.removals.cli:removals_app",
                "Joint removals: cases, flights, proposals, decisions and outcomes."),
    ),
)  # fmt: skip
