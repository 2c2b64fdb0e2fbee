"""Asylum: claims, their Safe Third Country Agreement determinations, and the Asylum Annex's
systematic comparison of claimants with the partner country."""

from smartborder.registry import Command, DemoStep, Domain, Job, NavItem
from smartborder.roles import Permission

DOMAIN = Domain(
    name="asylum",
    order=45,
    title="Asylum",
    models=("smartborder.asylum.models",),
    api_routers=("smartborder.asylum.router:router",),
    ui_routers=("smartborder.asylum.views:router",),
    templates=True,
    nav=(NavItem("Asylum", "/asylum", Permission.ASYLUM_READ),),
    services=("smartborder.asylum.lifecycle:claim_index",),
    handles={
        "asylum-comparison": "smartborder.asylum.comparisons:on_comparison",
        "asylum-match": "smartborder.asylum.comparisons:on_match",
    },
    sends=("asylum-comparison", "asylum-match"),
    jobs=(
        Job(
            "claimant comparisons",
            "smartborder.asylum.lifecycle:answer_comparisons",
            lambda s: s.exchange_dispatch_interval_seconds or None,
        ),
    ),
    seed=(DemoStep(70, "smartborder.demo.asylum:seed_claims"),),
    scenario=(
        DemoStep(70, "smartborder.demo.asylum:run_asylum",
                 "Asylum: claims, the Asylum Annex's comparison, reconciliation…"),
    ),
    commands=(
        Command("asylum", "smartborder.asylum.cli:asylum_app",
                "Asylum: claims, STCA determinations, the Asylum Annex's comparisons."),
    ),
)  # fmt: skip
