"""Biometrics: matchers per modality, galleries of templates and 1:N identification."""

from smartborder.registry import Command, Domain

DOMAIN = Domain(
    name="biometrics",
    order=25,
    title="Biometrics",
    models=("smartborder.biometrics.models",),
    api_routers=("smartborder.biometrics.router:router",),
    services=("smartborder.biometrics.lifecycle:biometrics",),
    startup=("smartborder.biometrics.lifecycle:load_galleries",),
    commands=(
        Command(
            "biometrics",
            "smartborder.biometrics.cli:biometrics_app",
            "Biometrics: sample quality, templates, 1:1 verification.",
        ),
    ),
)
