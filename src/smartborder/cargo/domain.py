"""Goods: trade parties, advance cargo reports by mode (JSON and CUSCAR) with their deadlines
and amendments, and the shipments they report (see the package's docstring)."""

from smartborder.registry import Command, DemoStep, Domain, Job, NavItem
from smartborder.roles import Permission

DOMAIN = Domain(
    name="cargo",
    order=48,
    title="Goods",
    models=("smartborder.cargo.models",),
    api_routers=("smartborder.cargo.router:router",),
    ui_routers=("smartborder.cargo.views:router",),
    templates=True,
    nav=(NavItem("Goods", "/cargo", Permission.CARGO_READ),
         NavItem("Trade parties", "/cargo/parties", Permission.CARGO_READ)),
    raw_bodies={"/cargo/reports": lambda s: s.travel_max_message_bytes},
    risk_subjects={"shipment": "smartborder.cargo.fields:FIELDS"},
    handles={
        "cargo-target": "smartborder.cargo.joint:on_target",
        "cargo-examination-request": "smartborder.cargo.joint:on_request",
        "cargo-examination-result": "smartborder.cargo.joint:on_result",
    },
    jobs=(Job("trade parties against changed lookouts",
              "smartborder.cargo.lifecycle:rescreen_parties",
              lambda s: s.exchange_dispatch_interval_seconds or None),),
    sends=("cargo-target", "cargo-examination-request", "cargo-examination-result"),
    scenario=(
        DemoStep(78, "smartborder.demo.cargo:run_cargo",
                 "Goods: a port's day of containers, the joint model, an in-transit exam…"),
    ),
    overview=("smartborder.cargo.overview",),
    commands=(
        Command("cargo", "smartborder.cargo.cli:cargo_app",
                "Goods: advance cargo reports, shipments, trade parties."),
    ),
)  # fmt: skip
