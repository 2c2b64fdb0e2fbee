"""The web UI's shell: sign-in, the overview page, the layout and its static files."""

from smartborder.registry import Domain, NavItem
from smartborder.roles import Permission

DOMAIN = Domain(
    name="web",
    order=0,
    title="Web UI",
    models=("smartborder.web.models",),
    ui_routers=("smartborder.web.views:router",),
    templates=True,
    nav=(NavItem("Overview", "/", Permission.NODE_READ),),
)
