"""The node's own commands: ``init``, ``serve``, ``demo``, ``users ...`` and ``db ...``
(loaded by the root command only when one of them is run)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from smartborder import db
from smartborder.cliutil import DataDir, node_settings, out, unit
from smartborder.node import init_node
from smartborder.roles import Role
from smartborder.users import service as users

users_app = typer.Typer(help="Manage the node's users and their API tokens.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema migrations.", no_args_is_help=True)


def init(
    node: Annotated[str, typer.Option("--node", help="Node id, e.g. 'ca' or 'us'.")],
    name: Annotated[str, typer.Option("--name", help="Display name, e.g. 'Canada'.")],
    country: Annotated[str, typer.Option("--country", help="ISO 3166 alpha-2 code, e.g. CA.")],
    data_dir: DataDir = None,
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="Override the database (default: SQLite).")
    ] = None,
    admin_username: Annotated[
        str, typer.Option("--admin-username", help="Username of the first admin.")
    ] = "admin",
) -> None:
    """Create a node: database schema, signing key and first admin user.

    The admin password comes from SMARTBORDER_ADMIN_PASSWORD, or is generated and printed once.
    """
    settings = node_settings(
        data_dir,
        must_exist=False,
        node_id=node,
        node_name=name,
        country=country,
        database_url=database_url,
    )
    result = init_node(settings, admin_username=admin_username)
    out.print(
        f"Initialised node [bold]{settings.node_id}[/] ({settings.node_name})"
        f" in {settings.data_dir}"
    )
    out.print(f"Signing key fingerprint: {result.fingerprint}")
    if result.admin_password:
        out.print(
            f"Admin user '{result.admin_username}' password (shown once): "
            f"[bold]{result.admin_password}[/]",
            highlight=False,
        )
    else:
        out.print(f"Admin user '{result.admin_username}' uses SMARTBORDER_ADMIN_PASSWORD.")


def serve(
    data_dir: DataDir = None,
    host: Annotated[str | None, typer.Option("--host", help="Bind address.")] = None,
    port: Annotated[int | None, typer.Option("--port", help="TCP port.")] = None,
) -> None:
    """Serve the node's web UI and HTTP API."""
    import uvicorn

    from smartborder.app import create_app

    settings = node_settings(data_dir, host=host, port=port)
    application = create_app(settings)
    out.print(
        f"Node {settings.node_id} at {'https' if settings.tls else 'http'}://{settings.host}:"
        f"{settings.port}/",
        highlight=False,
    )
    tls: dict[str, str] = {}
    if settings.tls_certfile and settings.tls_keyfile:
        tls = {"ssl_certfile": str(settings.tls_certfile), "ssl_keyfile": str(settings.tls_keyfile)}
    uvicorn.run(
        application,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        server_header=False,
        backlog=4096,  # a burst waits in the kernel's queue, then in the admission queue
        **tls,  # type: ignore[arg-type]
    )


def demo(
    base_dir: Annotated[
        Path, typer.Option("--base-dir", help="Where the two nodes' data directories live.")
    ] = Path("demo-data"),
    ca_port: Annotated[int, typer.Option("--ca-port", help="Port of the Canadian node.")] = 8101,
    us_port: Annotated[int, typer.Option("--us-port", help="Port of the US node.")] = 8102,
    people: Annotated[
        int, typer.Option("--people", min=0, max=100_000, help="People per node.")
    ] = 500,
    lookouts: Annotated[
        int, typer.Option("--lookouts", min=0, max=1_000_000, help="Synthetic lookouts per node.")
    ] = 20_000,
    seed: Annotated[int, typer.Option("--seed", help="Seed for the synthetic data.")] = 2001,
    fresh: Annotated[bool, typer.Option("--fresh", help="Delete earlier demo data first.")] = False,
    run_for: Annotated[
        float, typer.Option("--run-for", min=0, help="Stop after this many seconds (0: on Ctrl-C).")
    ] = 0,
) -> None:
    """Start the two-agency demo: nodes 'ca' and 'us' as separate processes on loopback."""
    from smartborder.demo import run_demo

    run_demo(
        base_dir=base_dir,
        ports={"ca": ca_port, "us": us_port},
        people=people,
        lookouts=lookouts,
        seed=seed,
        fresh=fresh,
        run_for=run_for,
        console=out,
    )


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


@db_app.command("upgrade")
def db_upgrade(data_dir: DataDir = None) -> None:
    """Apply pending migrations."""
    settings = node_settings(data_dir)
    engine = db.make_engine(settings.database_url)
    try:
        db.upgrade(engine)
        out.print(f"Database at revision {db.current_revision(engine)} (head).")
    finally:
        engine.dispose()


@db_app.command("current")
def db_current(data_dir: DataDir = None) -> None:
    """Show the database's migration revision and whether it is the latest."""
    settings = node_settings(data_dir)
    engine = db.make_engine(settings.database_url)
    try:
        current, head = db.current_revision(engine), db.head_revision(engine)
    finally:
        engine.dispose()
    state = "up to date" if current == head else f"behind head {head}; run 'smartborder db upgrade'"
    out.print(f"revision {current or 'none'} ({state})")
