"""The node's users: accounts, roles, teams, sessions and API tokens."""

from smartborder.registry import Command, DemoStep, Domain, NavItem
from smartborder.roles import Permission

DOMAIN = Domain(
    name="users",
    order=80,
    title="Users",
    models=("smartborder.users.models",),
    api_routers=("smartborder.users.router:router",),
    ui_routers=("smartborder.users.views:router",),
    templates=True,
    nav=(
        NavItem("Users", "/users", Permission.USERS_MANAGE),
        NavItem("API tokens", "/account", Permission.TOKENS_OWN),
    ),
    commands=(
        Command("users", "smartborder.users.cli:users_app",
                "Manage the node's users and their API tokens."),
    ),
    services=("smartborder.users.oidc:client_for",),
    seed=(DemoStep(10, "smartborder.demo.seed:seed_users"),),
)  # fmt: skip
