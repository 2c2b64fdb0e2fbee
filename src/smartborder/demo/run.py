"""The two-agency demo: nodes 'ca' and 'us' as separate processes with their own data.

Each node is initialised once (schema, signing key, users for every role) and seeded through the
real services by the steps in ``SEEDERS``; later capabilities add their own steps there.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

import httpx
from rich.console import Console
from rich.table import Table

from smartborder import db, registry
from smartborder.demo.exchange import Scenario, link_and_grant
from smartborder.demo.seed import DEMO_USERS, NODES, DemoNode, SeedContext, demo_password
from smartborder.errors import SmartborderError
from smartborder.node import init_node
from smartborder.settings import load_settings

READY_TIMEOUT_S = 180.0  # a node on a loaded machine (CI runs two suites side by side)
STOP_TIMEOUT_S = 10.0


class DemoError(SmartborderError):
    code = "demo_failed"


def prepare_node(
    node: DemoNode, data_dir: Path, *, seed: int, people: int, port: int, lookouts: int = 0
) -> str:
    """Initialise and seed a node unless its data directory already holds one."""
    settings = load_settings(
        data_dir=data_dir,
        node_id=node.node_id,
        node_name=node.name,
        country=node.country,
        port=port,
    )
    if settings.initialised:
        return "existing data"
    init_node(settings, admin_password=demo_password(node.node_id, "admin"))
    engine = db.make_engine(settings.database_url)
    try:
        with db.unit_of_work(db.session_factory(engine)) as session:
            ctx = SeedContext(node, settings, seed, people, lookouts)
            return ", ".join(
                registry.resolve(step.target)(session, ctx) for step, _ in registry.steps("seed")
            )
    finally:
        engine.dispose()


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _start(node: DemoNode, data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMARTBORDER_")}
    command = [sys.executable, "-m", "smartborder", "serve", "--data-dir", str(data_dir),
               "--host", "127.0.0.1", "--port", str(port)]  # fmt: skip
    with (data_dir / "server.log").open("ab") as log:
        return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)  # noqa: S603


def _wait_ready(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(errors="replace").splitlines()[-15:]
            raise DemoError(
                f"the node at {url} exited early; last lines of {log}:\n" + "\n".join(tail)
            )
        try:
            if httpx.get(f"{url}/api/v1/ready", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise DemoError(f"the node at {url} was not ready within {READY_TIMEOUT_S:.0f} s; see {log}")


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + STOP_TIMEOUT_S
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run_demo(
    *,
    base_dir: Path,
    ports: dict[str, int],
    people: int,
    seed: int,
    fresh: bool,
    lookouts: int = 0,
    run_for: float,
    console: Console,
) -> None:
    busy = [str(p) for p in ports.values() if not _port_free(p)]
    if busy:
        raise DemoError(
            f"port(s) {', '.join(busy)} already in use; choose others with --ca-port/--us-port"
        )
    if fresh and base_dir.exists():
        shutil.rmtree(base_dir)
    processes: list[subprocess.Popen[bytes]] = []

    def _terminate(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, _terminate)
    # Ctrl-C stops the demo even where it started with SIGINT ignored (a shell's background
    # job, as when the test command runs the suites side by side)
    previous_int = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        for node in NODES:
            with console.status(f"Preparing node {node.node_id}…"):
                summary = prepare_node(
                    node,
                    base_dir / node.node_id,
                    seed=seed,
                    people=people,
                    port=ports[node.node_id],
                    lookouts=lookouts,
                )
            console.print(f"node [bold]{node.node_id}[/]: {summary}")
        access = link_and_grant({n.node_id: base_dir / n.node_id for n in NODES}, ports)
        for node in NODES:
            processes.append(_start(node, base_dir / node.node_id, ports[node.node_id]))
        for node, process in zip(NODES, processes, strict=True):
            url = f"http://127.0.0.1:{ports[node.node_id]}"
            _wait_ready(process, url, base_dir / node.node_id / "server.log")
        scenario = Scenario(access["ca"], access["us"], console, seed)
        for step, _domain in registry.steps("scenario"):
            with console.status(step.label):
                registry.resolve(step.target)(scenario)
        console.print(_credentials(ports))
        console.print("Both nodes are up. Press Ctrl-C to stop.")
        _wait(processes, run_for)
    except KeyboardInterrupt:
        console.print("Stopping…")
    finally:
        _stop(processes)
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, previous_int)
    console.print("Demo stopped.")


def _wait(processes: list[subprocess.Popen[bytes]], run_for: float) -> None:
    deadline = time.monotonic() + run_for if run_for else None
    while deadline is None or time.monotonic() < deadline:
        for process in processes:
            if process.poll() is not None:
                raise DemoError(f"a demo node exited unexpectedly (exit code {process.returncode})")
        time.sleep(0.25)


def _credentials(ports: dict[str, int]) -> Table:
    table = Table("node", "agency", "URL", title="smartborder demo", title_justify="left")
    for node in NODES:
        table.add_row(node.node_id, node.name, f"http://127.0.0.1:{ports[node.node_id]}/")
    accounts = ", ".join(f"{name} ({role.value})" for name, role in DEMO_USERS)
    table.caption = (
        f"Sign in to either node as admin or {accounts}.\n"
        "Password: demo-<node>-<username>, e.g. demo-ca-analyst. Demo credentials only."
    )
    table.caption_justify = "left"
    return table
