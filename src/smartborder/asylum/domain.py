"""Asylum: Safe Third Country Agreement determinations (claims, the Asylum Annex's comparison
and reconciliation are still to come)."""

from smartborder.registry import Command, Domain

DOMAIN = Domain(
    name="asylum",
    order=45,
    title="Asylum",
    api_routers=("smartborder.asylum.router:router",),
    commands=(
        Command("asylum", "smartborder.asylum.cli:asylum_app",
                "Asylum: Safe Third Country Agreement determinations."),
    ),
)  # fmt: skip
