from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import PrimaryKeyConstraint, UniqueConstraint, select, text

from smartborder import db
from smartborder.models import metadata
from smartborder.users.models import User


def test_migrations_reach_head_and_match_the_models(database_url: str) -> None:
    engine = db.make_engine(database_url)
    try:
        db.upgrade(engine)
        assert db.current_revision(engine) == db.head_revision(engine)
        with engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        assert db.check_ready(engine)["migrations"] == "current"
    finally:
        engine.dispose()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: object) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path}/wal.db")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()


def test_unit_of_work_commits_or_rolls_back(database_url: str) -> None:
    engine = db.make_engine(database_url)
    db.upgrade(engine)
    factory = db.session_factory(engine)
    user = {"role": "analyst", "password_hash": "x", "display_name": "x"}
    with pytest.raises(RuntimeError), db.unit_of_work(factory) as session:
        session.add(User(username="lost", **user))
        session.flush()
        raise RuntimeError("fail mid-way")
    with db.unit_of_work(factory) as session:
        session.add(User(username="kept", **user))
    with db.unit_of_work(factory) as session:
        assert list(session.scalars(select(User.username))) == ["kept"]
    engine.dispose()


def test_naive_datetimes_are_refused() -> None:
    import datetime as dt

    with pytest.raises(ValueError, match="naive datetime"):
        db.UTCDateTime().process_bind_param(dt.datetime(2026, 1, 1), None)


def test_every_foreign_key_leads_an_index() -> None:
    """Deleting a referenced row checks the rows that point at it: without an index that
    starts with the referencing column, each delete reads the whole referencing table
    (retention deleting travellers read every assessment for each one)."""
    missing = []
    for table in metadata.sorted_tables:
        leading = {next(iter(index.columns)).name for index in table.indexes}
        leading |= {
            next(iter(constraint.columns)).name
            for constraint in table.constraints
            if isinstance(constraint, PrimaryKeyConstraint | UniqueConstraint)
            and constraint.columns
        }
        missing += [f"{table.name}.{key.parent.name}" for key in table.foreign_keys
                    if key.parent.name not in leading]  # fmt: skip
    assert missing == []
