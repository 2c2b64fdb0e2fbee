"""Integrated Border Enforcement Team cases shared among named agencies of both countries."""

from smartborder.registry import Command, DemoStep, Domain, Job, NavItem
from smartborder.roles import Permission

DOMAIN = Domain(
    name="ibet",
    order=51,
    title="IBET cases",
    models=("smartborder.ibet.models",),
    api_routers=("smartborder.ibet.router:router",),
    ui_routers=("smartborder.ibet.views:router",),
    templates=True,
    nav=(NavItem("IBET cases", "/ibet", Permission.IBET),),
    handles={
        "ibet-case": "smartborder.ibet.service:on_case",
        "ibet-entry": "smartborder.ibet.service:on_entry",
    },
    sends=("ibet-case", "ibet-entry"),
    jobs=(Job("IBET subjects against this node's lookouts",
              "smartborder.ibet.lifecycle:screen_subjects",
              lambda s: s.exchange_dispatch_interval_seconds or None),),
    scenario=(
        DemoStep(82, "smartborder.demo.ibet:run_ibet",
                 "IBET: a case worked from both sides, need-to-know, closed…"),
    ),
    commands=(
        Command("ibet", "smartborder.ibet.cli:ibet_app",
                "IBET cases: open, read, add to the timeline, close."),
    ),
)  # fmt: skip
