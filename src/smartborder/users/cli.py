"""``smartborder users ...``: create, list, disable and enable users, their teams and API tokens."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from smartborder.cliutil import DataDir, node_settings, out, unit
from smartborder.roles import Role
from smartborder.users import service as users

users_app = typer.Typer(help="Manage the node's users and their API tokens.", no_args_is_help=True)


@users_app.command("create")
def users_create(
    username: Annotated[str, typer.Option("--username", help="Login name (a-z 0-9 . _ -).")],
    role: Annotated[
        str,
        typer.Option(
            "--role",
            help="One of: " + ", ".join(r.value for r in Role) + ".",
        ),
    ],
    password: Annotated[
        str | None, typer.Option("--password", help="Initial password; prompted for when omitted.")
    ] = None,
    display_name: Annotated[str, typer.Option("--display-name", help="Name shown in the UI.")] = "",
    team: Annotated[
        list[str] | None,
        typer.Option("--team", help="A targeting team whose hits the user works (repeatable)."),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Create a user with a role."""
    settings = node_settings(data_dir)
    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with unit(settings) as session:
        user = users.create_user(
            session,
            username=username,
            role=role,
            password=password,
            display_name=display_name,
            teams=team or [],
        )
        out.print(f"Created user '{user.username}' with role {user.role}.")


@users_app.command("teams")
def users_teams(
    username: Annotated[str, typer.Option("--username", help="The user.")],
    team: Annotated[
        list[str] | None,
        typer.Option("--team", help="A targeting team (repeatable); none clears them."),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Set the targeting teams whose hits a user works (their queue's default filter)."""
    settings = node_settings(data_dir)
    with unit(settings) as session:
        user = users.set_teams(session, username, team or [])
        out.print(f"{user.username}: teams {', '.join(user.teams) or '(none)'}.")


@users_app.command("list")
def users_list(data_dir: DataDir = None) -> None:
    """List users with their roles and status."""
    settings = node_settings(data_dir)
    table = Table("username", "name", "role", "teams", "status", "last sign-in")
    with unit(settings) as session:
        for user in users.list_users(session):
            last = user.last_login_at.strftime("%Y-%m-%d %H:%M") if user.last_login_at else "never"
            status = "active" if user.active else "disabled"
            teams = ", ".join(user.teams or [])
            table.add_row(user.username, user.display_name, user.role, teams, status, last)
    out.print(table)


@users_app.command("disable")
def users_disable(
    username: Annotated[str, typer.Option("--username", help="The user to disable.")],
    data_dir: DataDir = None,
) -> None:
    """Disable a user: sessions end at once and API tokens stop working."""
    with unit(node_settings(data_dir)) as session:
        users.set_active(session, username, False)
    out.print(f"Disabled user '{username}'.")


@users_app.command("enable")
def users_enable(
    username: Annotated[str, typer.Option("--username", help="The user to enable.")],
    data_dir: DataDir = None,
) -> None:
    """Enable a disabled user again."""
    with unit(node_settings(data_dir)) as session:
        users.set_active(session, username, True)
    out.print(f"Enabled user '{username}'.")


@users_app.command("token")
def users_token(
    username: Annotated[str, typer.Option("--username", help="The token acts as this user.")],
    name: Annotated[
        str | None, typer.Option("--name", help="Create a token with this name (printed once).")
    ] = None,
    revoke: Annotated[
        int | None, typer.Option("--revoke", help="Revoke the token with this id.")
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Create (--name), revoke (--revoke) or, with neither, list a user's API tokens."""
    from smartborder.db import utcnow

    settings = node_settings(data_dir)
    with unit(settings) as session:
        user = users.get_user(session, username)
        if name is not None:
            token, secret = users.create_token(session, user, name)
            out.print(f"Token {token.id} '{token.name}' for {user.username} (shown once):")
            out.print(secret, highlight=False, soft_wrap=True)
            return
        if revoke is not None:
            users.revoke_token(session, revoke, actor=None, now=utcnow(), any_user=True)
            out.print(f"Revoked token {revoke}.")
            return
        table = Table("id", "name", "starts with", "created", "last used", "status")
        for t in users.list_tokens(session, user):
            table.add_row(
                str(t.id),
                t.name,
                t.prefix,
                t.created_at.strftime("%Y-%m-%d %H:%M"),
                t.last_used_at.strftime("%Y-%m-%d %H:%M") if t.last_used_at else "never",
                "revoked" if t.revoked_at else "active",
            )
        out.print(table)
