"""The operations picture: the overview an operations centre runs on (every domain's series
counted by the hour, the figures of now), over a date range, as charts, JSON and CSV."""

from smartborder.registry import Command, DemoStep, Domain, Job, NavItem
from smartborder.roles import Permission

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
              lambda s: s.exchange_dispatch_interval_seconds or None),),
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
