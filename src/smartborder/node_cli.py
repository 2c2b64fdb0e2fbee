"""The node's own commands: ``init``, ``serve``, ``demo`` and ``db ...``
(loaded by the root command only when one of them is run)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Annotated, Any

import typer

from smartborder import db
from smartborder.cliutil import DataDir, fail, node_settings, out, stop_on_signals
from smartborder.node import init_node

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
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            max=64,
            help="Worker processes (PostgreSQL only); each job still runs once per node.",
        ),
    ] = 1,
    partners_only: Annotated[
        bool,
        typer.Option(
            "--partners-only",
            help="Serve only the partner listener (exchange_port, mutual TLS), e.g. beside "
            "'serve --workers N'.",
        ),
    ] = False,
) -> None:
    """Serve the node's web UI and HTTP API, and its partner listener (mutual TLS) when
    exchange_port is set."""
    import uvicorn

    settings = node_settings(data_dir, host=host, port=port)
    if partners_only:
        if settings.exchange_port is None:
            fail("--partners-only: set exchange_port (and tls_certfile, tls_keyfile)", code=2)
        from smartborder.app import create_app
        from smartborder.exchange.mtls import partner_server

        out.print(
            f"Node {settings.node_id} partner listener at https://{settings.host}:"
            f"{settings.exchange_port}/ (mutual TLS)",
            highlight=False,
        )
        partner_server(create_app(settings, settle=True), settings, lifespan=True).run()
        return
    if workers > 1 and settings.exchange_port is not None:
        out.print(
            f"exchange_port {settings.exchange_port}: with --workers the partner listener runs "
            "as its own process, 'smartborder serve --partners-only'",
            highlight=False,
        )
    if workers > 1 and settings.database_url.startswith("sqlite"):
        fail(
            f"--workers {workers}: SQLite serves one process; use PostgreSQL "
            "(SMARTBORDER_DATABASE_URL) for more than one worker",
            code=2,
        )
    out.print(
        f"Node {settings.node_id} at {'https' if settings.tls else 'http'}://{settings.host}:"
        f"{settings.port}/" + (f" ({workers} workers)" if workers > 1 else ""),
        highlight=False,
    )
    tls: dict[str, str] = {}
    if settings.tls_certfile and settings.tls_keyfile:
        tls = {"ssl_certfile": str(settings.tls_certfile), "ssl_keyfile": str(settings.tls_keyfile)}
    options: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "log_config": None,
        "access_log": False,
        "server_header": False,
        "backlog": 4096,  # a burst waits in the kernel's queue, then in the admission queue
        **tls,
    }
    if workers > 1:  # each worker builds the app from the environment
        os.environ["SMARTBORDER_DATA_DIR"] = str(settings.data_dir)
        # the workers' counts, added up by every scrape of /metrics (prometheus_client)
        counts = settings.data_dir / "metrics"
        shutil.rmtree(counts, ignore_errors=True)
        counts.mkdir()
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(counts)
        uvicorn.run("smartborder.app:from_environment", factory=True, workers=workers, **options)
        return
    from smartborder.app import create_app

    app = create_app(settings, settle=True)
    if settings.exchange_port is None:
        uvicorn.run(app, **options)
        return
    from smartborder.exchange.mtls import serve_with_partners

    out.print(
        f"Partner listener at https://{settings.host}:{settings.exchange_port}/ (mutual TLS)",
        highlight=False,
    )
    serve_with_partners(app, settings, uvicorn.Config(app, **options))


def worker(
    data_dir: DataDir = None,
    once: Annotated[
        bool, typer.Option("--once", help="Run one round of delivery and every job, then stop.")
    ] = False,
    run_for: Annotated[
        float, typer.Option("--run-for", min=0, help="Stop after this many seconds (0: never).")
    ] = 0,
) -> None:
    """Run the node's background work (delivery and periodic jobs) without serving HTTP.

    Each job runs in one process of the node at a time, under a lock (PostgreSQL advisory
    locks, or file locks beside SQLite); another worker takes it over when that one stops."""
    import time

    from smartborder.context import NodeContext, node_exchange
    from smartborder.scheduler import background_dispatcher

    settings = node_settings(data_dir)
    engine = db.make_engine(settings.database_url)
    sessions = db.session_factory(engine)
    exchange = node_exchange(settings)
    exchange.watch(sessions)
    node = NodeContext(settings, sessions, exchange)
    node.build_services()
    dispatcher = background_dispatcher(node)
    try:
        if once:
            dispatcher.round(time.monotonic(), every_job=True)
            here = [name for name, mine in dispatcher.ran.items() if mine]
            elsewhere = [name for name, mine in dispatcher.ran.items() if not mine]
            out.print(f"ran: {', '.join(here) or 'nothing'}", highlight=False)
            if elsewhere:
                out.print(f"held by another process: {', '.join(elsewhere)}", highlight=False)
            return
        stopping = stop_on_signals()
        dispatcher.start()
        out.print(f"Worker of node {settings.node_id} running (Ctrl-C to stop).", highlight=False)
        deadline = time.monotonic() + run_for if run_for else None
        while not stopping.is_set() and (deadline is None or time.monotonic() < deadline):
            time.sleep(0.2)
    finally:
        dispatcher.stop()
        node.call_each("shutdown")
        engine.dispose()


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
    from smartborder.demo.run import run_demo

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


def backup(
    to: Annotated[Path, typer.Option("--to", help="The backup file to write (.tar.gz).")],
    data_dir: DataDir = None,
) -> None:
    """Back the node up into one file.

    The file holds its database (SQLite's online backup, or pg_dump), its node file, signing
    key and signed audit heads, and a manifest. It holds the key: keep it safe."""
    from smartborder import backup as backups

    settings = node_settings(data_dir)
    manifest = backups.backup(settings, to)
    out.print(
        f"Backed up node {manifest['node_id']} ({manifest['database']}, revision "
        f"{manifest['revision']}, audit chain of {manifest['audit_size']} entries) to {to}",
        highlight=False,
    )


def restore(
    source: Annotated[Path, typer.Argument(help="A file written by 'smartborder backup'.")],
    data_dir: DataDir = None,
    database_url: Annotated[
        str | None,
        typer.Option("--database-url", help="Restore into this database (default: the backup's)."),
    ] = None,
) -> None:
    """Restore a backup into an empty data directory and verify its audit chain.

    The whole chain is checked against the restored signed heads and the backup's manifest;
    exit 1 if it does not verify."""
    from smartborder import backup as backups
    from smartborder.settings import load_settings

    target = load_settings(data_dir=data_dir).data_dir
    restored = backups.restore(source, target, database_url=database_url)
    manifest, report = restored["manifest"], restored["verified"]
    out.print(
        f"Restored node {manifest['node_id']} (taken {manifest['taken_at']}) into {target}",
        highlight=False,
    )
    if not report["ok"]:
        out.print("[bold red]The audit chain does not verify:[/]")
        for problem in report["problems"]:
            out.print(f"  {problem}", highlight=False)
        raise typer.Exit(1)
    out.print(f"[green]OK[/] audit chain of {report['size']} entries verified.", highlight=False)
