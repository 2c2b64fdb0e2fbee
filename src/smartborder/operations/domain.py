"""The operations picture: the overview an operations centre runs on (every domain's series
counted by the hour, the figures of now), over a date range, as charts, JSON and CSV."""

from smartborder.registry import Command, DemoStep, Domain, Job, NavItem
from smartborder.roles import Permission

COUNT_EVERY_S = 10.0

DOMAIN = Domain(
    name="operations",
    order=5,
    title="Operations",
    models=("smartborder.operations.models",),
    api_routers=("smartborder.operations.router:router",),
    ui_routers=("smartborder.operations.views:router",),
    templates=True,
    nav=(NavItem("Operations", "/operations", Permission.OPERATIONS_READ),),
    handles={"statistics-report": "smartborder.operations.trends:on_report"},
    sends=("statistics-report",),
    jobs=(Job("operations overview: counts by the hour",
              "smartborder.operations.lifecycle:count_hours",
              # every 10 s at most often: each run rewrites the current hour of every series
              lambda s: max(s.exchange_dispatch_interval_seconds, COUNT_EVERY_S)
              if s.exchange_dispatch_interval_seconds else None),),
    scenario=(
        DemoStep(95, "smartborder.demo.operations:run_operations",
                 "Operations: both overviews, the day by the hour…"),
        DemoStep(96, "smartborder.demo.operations:run_trends",
                 "Trends: aggregates shared under the statistics annex, compared…"),
    ),
    commands=(
        Command("operations", "smartborder.operations.cli:operations_app",
                "Operations: the overview by the hour, as a table or CSV."),
    ),
)  # fmt: skip
