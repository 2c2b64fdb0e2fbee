"""API/PNR: intake, risk models, joint targeting and retention (see the package's docstring)."""

from smartborder.registry import Command, DemoStep, Domain, Job, NavItem
from smartborder.roles import Permission

HOUR = 3600.0

DOMAIN = Domain(
    name="travel",
    order=30,
    title="API/PNR",
    models=(
        "smartborder.travel.intake.models",
        "smartborder.travel.retention.models",
        "smartborder.travel.riskmodels.models",
        "smartborder.travel.targeting.models",
    ),
    api_routers=(
        "smartborder.travel.intake.router:router",
        "smartborder.travel.retention.router:router",
        "smartborder.travel.riskmodels.router:router",
        "smartborder.travel.targeting.router:router",
    ),
    ui_routers=(
        "smartborder.travel.intake.views:router",
        "smartborder.travel.targeting.views:router",
        "smartborder.travel.riskmodels.views:router",
        "smartborder.travel.retention.views:router",
    ),
    templates=True,
    nav=(
        NavItem("Flights", "/travel/flights", Permission.TRAVEL_READ),
        NavItem("Targeting", "/travel/queue", Permission.TRAVEL_READ),
        NavItem("Risk model", "/travel/risk", Permission.TRAVEL_READ),
    ),
    overview=("smartborder.travel.overview",),
    commands=(
        Command("travel", "smartborder.travel.cli:travel_app",
                "API/PNR: PAXLST and PNRGOV messages, retention, the risk model."),
    ),
    handles={
        "high-risk-traveller": "smartborder.travel.targeting.sharing:on_traveller",
        "high-risk-disposition": "smartborder.travel.targeting.sharing:on_disposition",
        "risk-model-proposal": "smartborder.travel.riskmodels.cosign:on_proposal",
        "risk-model-cosignature": "smartborder.travel.riskmodels.cosign:on_cosignature",
    },
    sends=(
        "high-risk-traveller",
        "high-risk-disposition",
        "risk-model-proposal",
        "risk-model-cosignature",
    ),
    services=("smartborder.travel.lifecycle:targeting",),
    jobs=(
        Job("travel retention", "smartborder.travel.lifecycle:retain", lambda _s: HOUR),
        Job("travel re-scoring", "smartborder.travel.lifecycle:rescore_changed",
            lambda s: float(s.travel_rescore_seconds)),
    ),
    raw_bodies={"/travel/messages": lambda s: s.travel_max_message_bytes},
    metrics=("smartborder.travel.metrics:intake", "smartborder.travel.metrics:queue"),
    seed=(
        DemoStep(40, "smartborder.demo.targeting:seed_traffic"),
        DemoStep(50, "smartborder.demo.targeting:seed_targets"),
    ),
    scenario=(
        DemoStep(30, "smartborder.demo.targeting:run_targeting",
                 "Joint targeting: co-signing the risk model, scoring, sharing…"),
    ),
)  # fmt: skip
