"""Border traffic modelling (queues at a crossing; not the risk models of API/PNR targeting)."""

from smartborder.registry import Command, DemoStep, Domain, NavItem
from smartborder.roles import Permission

DOMAIN = Domain(
    name="modeling",
    order=50,
    title="Traffic modelling",
    models=("smartborder.modeling.models",),
    api_routers=("smartborder.modeling.router:router",),
    ui_routers=("smartborder.modeling.views:router",),
    templates=True,
    nav=(NavItem("Traffic modelling", "/modeling", Permission.MODEL_READ),),
    overview=("smartborder.modeling.overview",),
    commands=(
        Command("model", "smartborder.modeling.cli:model_app",
                "Border traffic modelling: simulate a crossing, compare scenarios, calibrate."),
    ),
    services=("smartborder.modeling.lifecycle:runner",),
    startup=("smartborder.modeling.lifecycle:mark_unfinished",),
    shutdown=("smartborder.modeling.lifecycle:stop_runner",),
    scenario=(
        DemoStep(50, "smartborder.demo.modeling:run_modeling",
                 "Traffic modelling: a crossing simulated on each node…"),
    ),
)  # fmt: skip
