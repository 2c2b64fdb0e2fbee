"""Model runs with several workers: a worker starting up fails only the runs no live process
holds (a stopped process's), never the run another worker is making."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from smartborder import clock, db, locks
from smartborder.modeling import models as m
from smartborder.modeling import service
from smartborder.settings import Settings


def held_locks(engine: Engine, node: Settings, where: Path) -> locks.JobLocks:
    """What a worker process holds its runs with: advisory locks on PostgreSQL (another
    connection is another process to them), file locks otherwise (another open file is)."""
    if engine.dialect.name == "postgresql":
        return locks.PostgresLocks(engine, node.node_id)
    return locks.FileLocks(where)


def test_a_starting_worker_leaves_the_runs_of_a_live_one_alone(
    node: Settings, tmp_path: Path
) -> None:
    engine = db.make_engine(node.database_url)
    sessions = db.session_factory(engine)
    with db.unit_of_work(sessions) as s:
        ids = [
            service.submit(
                s,
                scenario=service.example("ambassador-bridge").scenario,
                source="example:ambassador-bridge",
                actor="cli:test",
                now=clock.now(),
                replications=1,
            ).id
            for _ in range(2)
        ]
    live = service.Runner(sessions, clock.now, held_locks(engine, node, tmp_path / "locks"))
    starting = service.Runner(sessions, clock.now, held_locks(engine, node, tmp_path / "locks"))
    try:
        assert live._claim(ids[0])  # the live worker holds the first (queued in its runner)
        with db.unit_of_work(sessions) as s:
            assert service.mark_interrupted(s, clock.now(), starting.orphaned) == 1
        with db.unit_of_work(sessions) as s:
            first, second = (s.get(m.ModelRun, run_id) for run_id in ids)
            assert first is not None
            assert first.status == "queued"  # left to the worker making it
            assert second is not None
            assert second.status == "failed"
            assert second.error is not None
            assert second.error.startswith("interrupted")
        live.stop()  # the live worker goes: its run is now an orphan
        with db.unit_of_work(sessions) as s:
            assert service.mark_interrupted(s, clock.now(), starting.orphaned) == 1
    finally:
        live.stop()
        starting.stop()
        engine.dispose()
