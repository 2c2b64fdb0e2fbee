"""How a domain plugs into the node: one ``Domain`` declared in the domain package's
``domain.py``, found here by looking for that module in every package of ``smartborder``.

The app, the root CLI, the exchange's envelope table, the scheduler, the navigation, the
templates, the tables and the demo all loop over ``domains()``; none of them imports a domain
by name. A declaration holds only names ("module:attribute") and numbers, so reading every
domain's declaration (as ``smartborder --help`` does) imports none of its code; a name is
imported only when it is used (``resolve``)."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import util
from typing import TYPE_CHECKING, Any

from smartborder.roles import Permission

if TYPE_CHECKING:
    from smartborder.settings import Settings

DECLARATION = "domain"  # the module of a domain package that holds its ``DOMAIN``


@dataclass(frozen=True)
class Command:
    """A command (or command group) of ``smartborder``: ``target`` names a Typer app or a
    function; ``help`` is the line ``--help`` shows without importing it."""

    name: str
    target: str
    help: str


@dataclass(frozen=True)
class Job:
    """Periodic work the scheduler runs: ``target`` is called with the ``NodeContext`` every
    ``every(settings)`` seconds (``None``: not scheduled on this node)."""

    name: str
    target: str
    every: Callable[[Settings], float | None]


@dataclass(frozen=True)
class NavItem:
    """A section of the web UI's navigation, shown to users who hold ``permission``."""

    label: str
    path: str
    permission: Permission


@dataclass(frozen=True)
class DemoStep:
    """A step of the two-agency demo: ``target`` is called in ``order`` among every domain's
    steps. Seeding steps get ``(session, SeedContext)`` while a node is prepared; scenario
    steps get a ``Scenario`` (both nodes up, signed in) and show ``label`` while they run."""

    order: int
    target: str
    label: str = ""


@dataclass(frozen=True)
class Domain:
    """Everything a domain adds to the node. Names are "module:attribute" (or a module, for
    ``models``); ``package`` is filled in when the declaration is found."""

    name: str
    order: int  # domains are listed, set up and shown in this order
    title: str = ""
    models: tuple[str, ...] = ()  # modules declaring tables
    api_routers: tuple[str, ...] = ()  # served under /api/v1
    ui_routers: tuple[str, ...] = ()
    templates: bool = False  # the package has a templates/ folder
    nav: tuple[NavItem, ...] = ()
    commands: tuple[Command, ...] = ()
    handles: Mapping[str, str] = field(default_factory=dict)  # envelope kind: handler
    sends: tuple[str, ...] = ()  # envelope kinds this domain sends
    on_signed: tuple[str, ...] = ()  # called (session, exchange, agreement) once signed
    services: tuple[str, ...] = ()  # factories (NodeContext) -> a service, kept by its type
    startup: tuple[str, ...] = ()  # called (NodeContext) before the first request
    shutdown: tuple[str, ...] = ()  # called (NodeContext) when the node stops
    jobs: tuple[Job, ...] = ()
    raw_bodies: Mapping[str, Callable[[Settings], int]] = field(default_factory=dict)
    # pages anyone may post to without signing in (an applicant's form): limited per client
    # address at ``public_form_rate_per_minute``
    public_posts: tuple[str, ...] = ()
    metrics: tuple[str, ...] = ()  # (session) -> Prometheus metrics read at scrape time
    # what risk models may score besides travellers: subject -> "module:FIELDS" (its fields)
    risk_subjects: Mapping[str, str] = field(default_factory=dict)
    readiness: tuple[str, ...] = ()  # (session) -> {component: its state}, shown by /ready
    # modules whose SERIES the operations overview counts by the hour and whose GAUGES it
    # reads now (operations/series.py)
    overview: tuple[str, ...] = ()
    seed: tuple[DemoStep, ...] = ()
    scenario: tuple[DemoStep, ...] = ()
    package: str = ""


def resolve(name: str) -> Any:
    """The object a "module:attribute" name stands for, its module imported now."""
    module, _, attribute = name.partition(":")
    target = importlib.import_module(module)
    return getattr(target, attribute) if attribute else target


@cache
def domains() -> tuple[Domain, ...]:
    """Every domain of this installation, in order: each package of ``smartborder`` with a
    ``domain`` module declaring ``DOMAIN``."""
    root = importlib.import_module("smartborder")
    found: list[Domain] = []
    for info in pkgutil.iter_modules(root.__path__, "smartborder."):
        if not info.ispkg or util.find_spec(f"{info.name}.{DECLARATION}") is None:
            continue
        declared = importlib.import_module(f"{info.name}.{DECLARATION}").DOMAIN
        if not isinstance(declared, Domain):
            raise TypeError(f"{info.name}.{DECLARATION}.DOMAIN is not a Domain")
        found.append(replace(declared, package=info.name))
    names = [d.name for d in found]
    if len(set(names)) != len(names):
        raise ValueError(f"two domains share a name: {sorted(names)}")
    return tuple(sorted(found, key=lambda d: (d.order, d.name)))


def handlers() -> dict[str, Any]:
    """Every envelope kind a domain handles, with its handler (imported now)."""
    table: dict[str, Any] = {}
    for domain in domains():
        for kind, target in domain.handles.items():
            if kind in table:
                raise ValueError(f"envelope kind {kind!r} handled by two domains")
            table[kind] = resolve(target)
    return table


def on_signed() -> list[Any]:
    return [resolve(target) for domain in domains() for target in domain.on_signed]


def steps(kind: str) -> list[tuple[DemoStep, Domain]]:
    """The demo's seeding (``kind="seed"``) or scenario steps of every domain, in order."""
    found = [(step, d) for d in domains() for step in getattr(d, kind)]
    return sorted(found, key=lambda pair: pair[0].order)
