"""Trusted travellers: NEXUS and FAST applications (vetting by both countries, enrolment and
the lane are still to come)."""

from smartborder.registry import Command, Domain

DOMAIN = Domain(
    name="programs",
    order=47,
    title="Trusted travellers",
    models=("smartborder.programs.models",),
    api_routers=("smartborder.programs.router:router",),
    commands=(
        Command("programs", "smartborder.programs.cli:programs_app",
                "Trusted travellers: NEXUS and FAST applications."),
    ),
)  # fmt: skip
