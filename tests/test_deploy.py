"""What ships in deploy/ for monitoring reads only metrics the node serves: every metric named by
the Prometheus alert rules and by the Grafana dashboard is in a scrape of ``GET /metrics``."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from tests.test_metrics import MONITOR, watched  # noqa: F401 - the fixture

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"
NAME = re.compile(r"\bsmartborder_[a-z_]+")
SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum"), "gauge": ("",)}


def _served(app: FastAPI) -> set[str]:
    with TestClient(app) as client:
        text = client.get("/metrics", headers=MONITOR).text
    names = set()
    for family in text_string_to_metric_families(text):
        names |= {family.name + suffix for suffix in SUFFIXES.get(family.type, ("",))}
    return names


def test_the_alert_rules_are_well_formed_and_read_served_metrics(watched: FastAPI) -> None:  # noqa: F811
    rules = yaml.safe_load((DEPLOY / "prometheus" / "alerts.yml").read_text())
    served = _served(watched)
    [group] = rules["groups"]
    assert len(group["rules"]) >= 6
    for rule in group["rules"]:
        assert rule["alert"].startswith("Smartborder")
        assert rule["labels"]["severity"] in {"page", "ticket"}
        assert rule["annotations"]["summary"]
        used = set(NAME.findall(rule["expr"]))
        assert used, rule["alert"]
        assert used <= served, (rule["alert"], used - served)


def test_the_dashboard_reads_served_metrics(watched: FastAPI) -> None:  # noqa: F811
    dashboard = json.loads((DEPLOY / "grafana" / "smartborder-node.json").read_text())
    served = _served(watched)
    expressions = [t["expr"] for panel in dashboard["panels"] for t in panel["targets"]]
    assert len(expressions) >= 10
    for expression in expressions:
        used = set(NAME.findall(expression))
        assert used, expression
        assert used <= served, (expression, used - served)


def _command_of(argv: list[str]) -> None:
    """The argv names a real smartborder command, and each of its options exists there."""
    from typer._click import Command, Context  # typer's own click
    from typer.core import TyperGroup as Group

    from smartborder.cli import commands, load

    command: Command = load(argv[0])
    assert argv[0] in commands()
    rest = argv[1:]
    while isinstance(command, Group) and rest and not rest[0].startswith("-"):
        found = command.get_command(Context(command), rest[0])
        assert found is not None, argv
        command, rest = found, rest[1:]
    options = {name for p in command.params for name in getattr(p, "opts", [])}
    for token in rest:
        if token.startswith("--"):
            assert token.split("=")[0] in options, (argv, token)


def test_the_compose_file_runs_real_commands() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert {"db", "broker", "node", "worker", "consumer"} <= set(services)
    for name in ("node", "worker", "consumer"):
        _command_of(services[name]["command"])
        environment = services[name]["environment"]
        assert environment["SMARTBORDER_DATABASE_URL"].startswith("postgresql://")


def test_the_systemd_units_run_real_commands() -> None:
    import configparser
    import shlex

    units = sorted((DEPLOY / "systemd").glob("*.service"))
    assert len(units) == 4
    for unit in units:
        parser = configparser.ConfigParser(interpolation=None, strict=False)
        parser.optionxform = str  # type: ignore[assignment, method-assign]
        parser.read_string(unit.read_text())
        argv = shlex.split(parser["Service"]["ExecStart"])
        assert argv[0].endswith("/smartborder"), unit
        _command_of(argv[1:])
        assert parser["Service"]["User"] == "smartborder"


def test_the_container_starts_a_real_command() -> None:
    lines = (DEPLOY / "Containerfile").read_text().splitlines()
    [cmd] = [line for line in lines if line.startswith("CMD ")]
    _command_of(json.loads(cmd.removeprefix("CMD ")))
