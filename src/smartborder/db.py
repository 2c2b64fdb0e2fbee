"""Database access: engine, typed declarative base, unit of work, and Alembic migrations.

SQLite (WAL mode, foreign keys on) is the embedded default; PostgreSQL through psycopg 3 is the
production database. Schema changes go through the Alembic scripts in ``smartborder/migrations``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import DateTime, MetaData, create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from smartborder import clock

if TYPE_CHECKING:
    from alembic.config import Config

_T = TypeVar("_T")

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use smartborder.db.utcnow()")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    """The node's clock (``smartborder.clock``), for callers that take the time from here."""
    return clock.now()


def make_engine(url: str, *, pool_size: int = 5, read_only: bool = False) -> Engine:
    """An engine whose pool holds ``pool_size`` connections (plus a few for background work),
    so that every request the node admits at once finds one without waiting.

    ``read_only`` (SQLite): transactions begin DEFERRED and the connection refuses writes, so
    reads never queue for the write lock; in WAL mode they read a snapshot beside the writer."""
    pool = {"pool_size": pool_size, "max_overflow": 8, "pool_timeout": 30}
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 15}, **pool)
        event.listen(engine, "connect", _sqlite_pragmas)
        if read_only:
            event.listen(engine, "connect", _sqlite_query_only)
            event.listen(engine, "begin", _sqlite_begin_deferred)
        else:
            event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    return create_engine(url, pool_pre_ping=True, **pool)


def _sqlite_query_only(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA query_only=ON")


def _sqlite_begin_deferred(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    # Deleted or overwritten data is zeroed in the file, not left in free pages (destruction).
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()
    # SQLAlchemy emits BEGIN itself (see _sqlite_begin_immediate); savepoints then work too.
    dbapi_connection.isolation_level = None


def _sqlite_begin_immediate(connection: Any) -> None:
    """Take SQLite's write lock when a transaction begins, not when it first writes.

    A deferred transaction that read first and writes later fails at once ("database is locked")
    when another connection committed in between; the audit chain reads its head and then writes,
    so every transaction begins IMMEDIATE and waits (busy_timeout) for its turn instead.
    """
    connection.exec_driver_sql("BEGIN IMMEDIATE")


_KEPT = "smartborder_kept_objects"


def get_kept(session: Session, model: type[_T], key: Any) -> _T | None:
    """``session.get`` that keeps the object referenced for the session's life.

    The identity map holds objects weakly; a reference row looked up once per message (a
    partner, an agreement) would otherwise be loaded again, with an autoflush, every time.
    """
    kept: dict[tuple[type[Any], Any], Any] = session.info.setdefault(_KEPT, {})
    found = kept.get((model, key))
    if found is None or found not in session:
        found = session.get(model, key)
        if found is not None:
            kept[(model, key)] = found
    return found


def session_factory(engine: Engine) -> sessionmaker[Session]:
    factory = sessionmaker(engine, expire_on_commit=False)
    event.listen(factory, "after_commit", _scrub)
    return factory


_SCRUB = "smartborder_scrub_after_commit"


def scrub_after_commit(session: Session) -> None:
    """Ask that, once this transaction commits, no old copy of what it removed stays on disk.

    On SQLite the write-ahead log still holds the pages as they were before; a truncating
    checkpoint copies the new pages into the database (where ``secure_delete`` zeroed the old
    content) and empties the log. PostgreSQL's dead row versions go at its next vacuum."""
    session.info[_SCRUB] = True


def _scrub(session: Session) -> None:
    if not session.info.pop(_SCRUB, False):
        return
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    if engine.dialect.name != "sqlite":
        return
    raw = engine.raw_connection()
    try:  # autocommit (isolation_level None): the checkpoint runs outside any transaction
        raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]
    finally:
        raw.close()


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit when the block succeeds, roll back when it raises."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


# alembic is imported where migrations are read: a command that only queries never loads it


def _alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(resources.files("smartborder") / "migrations"))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to ``revision``."""
    from alembic import command

    command.upgrade(_alembic_config(engine), revision)


def head_revision(engine: Engine) -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config(engine)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def check_ready(engine: Engine) -> dict[str, str]:
    """What /ready reports: the database answers, and its schema is at the latest migration."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
        current = MigrationContext.configure(connection).get_current_revision()
    head = head_revision(engine)
    return {
        "database": "ok",
        "migrations": "current" if current == head else "pending",
        "revision": current or "none",
        "head": head or "none",
    }
