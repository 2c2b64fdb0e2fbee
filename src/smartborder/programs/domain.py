"""Trusted travellers: NEXUS and FAST applications, their vetting by both countries, enrolment
with biometrics, the lane and kiosk decision, and memberships both countries hold."""

from smartborder.registry import Command, DemoStep, Domain, Job, NavItem
from smartborder.roles import Permission

DOMAIN = Domain(
    name="programs",
    order=47,
    title="Trusted travellers",
    models=("smartborder.programs.models",),
    api_routers=("smartborder.programs.router:router",),
    ui_routers=("smartborder.programs.views:router",),
    templates=True,
    public_posts=("/programs/apply", "/programs/status"),
    nav=(NavItem("Trusted travellers", "/programs", Permission.PROGRAMS_READ),
         NavItem("Trusted lane", "/programs/lane", Permission.PROGRAMS_LANE)),
    handles={
        "vetting-request": "smartborder.programs.vetting:on_request",
        "vetting-result": "smartborder.programs.vetting:on_result",
        "membership-notice": "smartborder.programs.membership:on_notice",
    },
    sends=("vetting-request", "vetting-result", "membership-notice"),
    services=("smartborder.programs.lifecycle:member_index",),
    jobs=(
        Job(
            "trusted-traveller vetting",
            "smartborder.programs.lifecycle:vet_queued",
            lambda s: s.exchange_dispatch_interval_seconds or None,
        ),
        Job(
            "trusted-traveller members against new lookouts",
            "smartborder.programs.lifecycle:recheck_members",
            lambda s: s.exchange_dispatch_interval_seconds or None,
        ),
    ),
    scenario=(
        DemoStep(75, "smartborder.demo.programs:run_programs",
                 "Trusted travellers: vetting by both, enrolment, the lane, a suspension…"),
    ),
    commands=(
        Command("programs", "smartborder.programs.cli:programs_app",
                "Trusted travellers: NEXUS and FAST applications, vetting, enrolment, "
                "memberships and the lane."),
    ),
)  # fmt: skip
