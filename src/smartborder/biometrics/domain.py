"""Biometrics: galleries of templates and 1:N identification (issue 31, first part)."""

from smartborder.registry import Domain

DOMAIN = Domain(
    name="biometrics",
    order=25,
    title="Biometrics",
    models=("smartborder.biometrics.models",),
    services=("smartborder.biometrics.lifecycle:biometrics",),
    startup=("smartborder.biometrics.lifecycle:load_galleries",),
)
