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
