"""Domains plug in through one declaration each (``<package>/domain.py``): every name it gives
resolves to the right kind of thing, the envelope kinds of the protocol are each handled by one
domain, and a new package with a ``domain.py`` reaches the app, the CLI, the exchange and the
scheduler without a line changed anywhere else."""

from __future__ import annotations

import ast
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient

import smartborder
from smartborder import registry
from smartborder.app import create_app
from smartborder.cli import commands
from smartborder.context import NodeContext, node_exchange
from smartborder.exchange.kinds import KINDS
from smartborder.scheduler import scheduled
from smartborder.settings import Settings
from smartborder.web import nav
from tests.conftest import api_token

SRC = Path(smartborder.__file__).parent


def _strings(package: str) -> set[str]:
    """Every string constant in a package's modules."""
    folder = SRC.joinpath(*package.split(".")[1:])
    found: set[str] = set()
    for path in folder.rglob("*.py"):
        if path.name == "domain.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.add(node.value)
    return found


def test_every_domain_is_found_in_order() -> None:
    found = registry.domains()
    names = [d.name for d in found]
    for name in ("identity", "screening", "travel", "visa", "modeling", "exchange", "audit"):
        assert name in names
    assert [d.order for d in found] == sorted(d.order for d in found)
    assert all(d.package == f"smartborder.{d.name}" for d in found)


def test_every_declared_name_resolves_to_what_it_must_be() -> None:
    for domain in registry.domains():
        for module in domain.models:
            assert registry.resolve(module).__name__ == module
        for router in (*domain.api_routers, *domain.ui_routers):
            assert isinstance(registry.resolve(router), APIRouter), router
        for command in domain.commands:
            target = registry.resolve(command.target)
            assert isinstance(target, typer.Typer) or callable(target), command
        named = [
            *domain.handles.values(),
            *domain.on_signed,
            *domain.services,
            *domain.startup,
            *domain.shutdown,
            *(job.target for job in domain.jobs),
            *(step.target for step in (*domain.seed, *domain.scenario)),
        ]
        for target in named:
            assert callable(registry.resolve(target)), target
        if domain.templates:
            assert (SRC / domain.name / "templates").is_dir()


def test_each_envelope_kind_of_the_protocol_is_handled_by_one_domain() -> None:
    handled = registry.handlers()  # raises on a kind handled twice
    implemented = {name for name, kind in KINDS.items() if kind.handled}
    assert set(handled) == implemented
    sent = {kind for d in registry.domains() for kind in d.sends}
    assert sent == implemented
    for domain in registry.domains():
        strings = _strings(domain.package)
        for kind in (*domain.sends, *domain.handles):
            assert kind in strings, (domain.name, kind)  # the domain's code names what it declares


def test_the_demo_steps_are_in_a_single_order() -> None:
    for kind in ("seed", "scenario"):
        orders = [step.order for step, _ in registry.steps(kind)]
        assert orders == sorted(orders)
        assert len(set(orders)) == len(orders), kind
    assert all(step.label for step, _ in registry.steps("scenario"))


DECLARATION = """
from smartborder.registry import Command, Domain, Job, NavItem
from smartborder.roles import Permission

DOMAIN = Domain(
    name="parcels",
    order=99,
    api_routers=("smartborder.parcels.api:router",),
    nav=(NavItem("Parcels", "/parcels", Permission.NODE_READ),),
    commands=(Command("parcels", "smartborder.parcels.api:parcels_app", "Parcels."),),
    handles={"parcel-notice": "smartborder.parcels.api:on_notice"},
    services=("smartborder.parcels.api:Counter",),
    jobs=(Job("count parcels", "smartborder.parcels.api:tick", lambda s: 30.0),),
)
"""
API = """
import typer
from fastapi import APIRouter, Request

from smartborder.deps import get_node

router = APIRouter()
parcels_app = typer.Typer(help="Parcels.")


class Counter:
    def __init__(self, ctx):
        self.ticks = 0


@router.get("/parcels/ticks")
def ticks(request: Request) -> dict[str, int]:
    return {"ticks": get_node(request).get(Counter).ticks}


@parcels_app.command("count")
def count() -> None:
    print("no parcels")


def on_notice(session, ex, received) -> None:
    pass


def tick(ctx) -> None:
    ctx.get(Counter).ticks += 1
"""


@pytest.fixture
def parcels(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A domain package that exists only in this test, found like any other."""
    package = tmp_path / "plugins" / "parcels"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text('"""Parcels."""\n')
    (package / "domain.py").write_text(textwrap.dedent(DECLARATION))
    (package / "api.py").write_text(textwrap.dedent(API))
    monkeypatch.setattr(smartborder, "__path__", [*smartborder.__path__, str(package.parent)])
    registry.domains.cache_clear()
    nav.sections.cache_clear()
    yield
    registry.domains.cache_clear()
    nav.sections.cache_clear()
    for name in [m for m in sys.modules if m.startswith("smartborder.parcels")]:
        del sys.modules[name]


@pytest.mark.usefixtures("parcels")
def test_a_new_domain_is_one_package_that_registers_itself(node: Settings) -> None:
    assert "parcels" in [d.name for d in registry.domains()]
    assert "parcels" in commands()
    ex = node_exchange(node)
    assert "parcel-notice" in ex.handlers
    app: FastAPI = create_app(node, configure_logs=False)
    try:
        context: NodeContext = app.state.node
        jobs = scheduled(context)
        assert ("count parcels", 30.0) in [(name, seconds) for name, seconds, _ in jobs]
        [run] = [job for name, _, job in jobs if name == "count parcels"]
        run()
        with TestClient(app) as client:
            headers = api_token(app, "reader", "auditor")
            answer = client.get("/api/v1/parcels/ticks", headers=headers)
            assert answer.status_code == 200
            assert answer.json() == {"ticks": 1}
            assert "Parcels" in [item.label for item in nav.sections()]
    finally:
        app.state.engine.dispose()
        app.state.read_engine.dispose()
