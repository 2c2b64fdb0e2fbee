"""Visa policy: requirement snapshots, the convergence report, consultations, applicants."""

from smartborder.registry import Command, DemoStep, Domain, NavItem
from smartborder.roles import Permission

DOMAIN = Domain(
    name="visa",
    order=40,
    title="Visa policy",
    models=("smartborder.visa.models",),
    api_routers=("smartborder.visa.router:router",),
    ui_routers=("smartborder.visa.views:router",),
    templates=True,
    nav=(
        NavItem("Visa policy", "/visa", Permission.VISA_READ),
        NavItem("Visa applicants", "/visa/applicants", Permission.SCREENING_RUN),
    ),
    overview=("smartborder.visa.overview",),
    commands=(
        Command("visa", "smartborder.visa.cli:visa_app",
                "Visa policy: requirement snapshots, convergence report, consultations, "
                "screening."),
    ),
    handles={
        "visa-consultation": "smartborder.visa.consult:on_consultation",
        "visa-consultation-reply": "smartborder.visa.consult:on_reply",
    },
    sends=("visa-consultation", "visa-consultation-reply"),
    startup=("smartborder.visa.lifecycle:load_bundled",),
    scenario=(
        DemoStep(40, "smartborder.demo.visa:run_visa",
                 "Visa policy: the convergence report and a consultation…"),
    ),
)  # fmt: skip
