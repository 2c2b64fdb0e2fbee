"""One clock: nothing in src/ reads the system time but ``smartborder.clock``, so setting it
sets the time everywhere (the exchange's per-node clock included, by default)."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

from smartborder import clock, db
from smartborder.exchange.context import NodeExchange

SRC = Path(__file__).resolve().parents[1] / "src" / "smartborder"
SYSTEM_TIME = {("datetime", "now"), ("datetime", "utcnow"), ("date", "today"), ("time", "time")}


def _system_time_reads(tree: ast.AST) -> list[int]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
            if (name, node.func.attr) in SYSTEM_TIME:
                found.append(node.lineno)
    return found


def test_only_the_clock_reads_the_system_time() -> None:
    reads = {
        str(path.relative_to(SRC)): lines
        for path in SRC.rglob("*.py")
        if path.name != "clock.py" and (lines := _system_time_reads(ast.parse(path.read_text())))
    }
    assert reads == {}


def test_the_check_finds_a_read() -> None:
    tree = ast.parse("import datetime as dt\nx = dt.date.today()\ny = dt.datetime.now(dt.UTC)\n")
    assert _system_time_reads(tree) == [2, 3]


def test_setting_the_clock_sets_the_time_everywhere() -> None:
    then = dt.datetime(2031, 5, 17, 9, 30, tzinfo=dt.UTC)
    with clock.use(lambda: then):
        assert clock.now() == then
        assert clock.today() == then.date()
        assert db.utcnow() == then
        assert NodeExchange.__dataclass_fields__["clock"].default() == then  # type: ignore[misc]
    assert clock.now() != then
