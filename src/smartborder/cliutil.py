"""What every ``smartborder`` sub-command shares: consoles, the data-dir option, a unit of work."""

from __future__ import annotations

import getpass
import json
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from pydantic import BaseModel, ValidationError
from rich.console import Console
from sqlalchemy.orm import Session

from smartborder import db
from smartborder.errors import NotAuthenticated, PermissionDenied
from smartborder.quarantine import kept_file
from smartborder.roles import Permission, allowed
from smartborder.settings import Settings, load_settings
from smartborder.users import service as users

M = TypeVar("M", bound=BaseModel)

out = Console(soft_wrap=True, emoji=False)  # ":AB:" in a fingerprint is not an emoji
err = Console(stderr=True, soft_wrap=True, emoji=False)

DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        envvar="SMARTBORDER_DATA_DIR",
        help="The node's data directory (database, keys, node.toml).",
        file_okay=False,
    ),
]
ActingUser = Annotated[
    str,
    typer.Option("--as", help="The user (by username) on whose authority this is done."),
]


def fail(message: str, code: int = 1) -> NoReturn:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


def parsed(model: type[M], **values: Any) -> M:
    """Options checked by the schema the API and the pages use too; each problem is said
    with its option's name (``--within-hours``), never as a traceback."""
    try:
        return model(**values)
    except ValidationError as exc:
        problems = [
            f"--{str(e['loc'][0]).replace('_', '-')}: {e['msg']}" if e["loc"] else e["msg"]
            for e in exc.errors()
        ]
        fail("; ".join(problems), code=2)


def node_settings(data_dir: Path | None, *, must_exist: bool = True, **values: Any) -> Settings:
    settings = load_settings(data_dir=data_dir, **values)
    if must_exist and not settings.initialised:
        fail(f"{settings.data_dir} is not an initialised node; run 'smartborder init' first")
    return settings


@contextmanager
def unit(settings: Settings) -> Iterator[Session]:
    """One unit of work for a command, against the node's database."""
    engine = db.make_engine(settings.database_url)
    sessions = db.session_factory(engine)
    if settings.key_path.is_file():  # what the command adds to the audit chain gets signed heads
        from smartborder.audit.heads import HeadLog
        from smartborder.exchange import keys
        from smartborder.exchange.envelope import Signer

        key = keys.load_signing_key(settings.key_path)
        HeadLog.for_node(settings, Signer(key, keys.fingerprint(key.public_key()))).watch(sessions)
    try:
        with db.unit_of_work(sessions) as session:
            yield session
    finally:
        engine.dispose()


def stop_on_signals() -> threading.Event:
    """Set when SIGTERM or SIGINT arrives: a long-running command's cue to stop cleanly
    (after the unit of work in hand) instead of being cut off mid-way."""
    stopping = threading.Event()

    def _stop(_signum: int, _frame: object) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    return stopping


def operator() -> str:
    """The audit actor for node work run from the command line by whoever is logged in."""
    return f"cli:{getpass.getuser()}"


def acting(session: Session, username: str, permission: Permission) -> str:
    """The audit actor for a command done on ``username``'s authority, if their role allows it."""
    user = users.get_user(session, username)
    if not user.active:
        raise NotAuthenticated(f"user '{username}' is disabled")
    if not allowed(user.role, permission):
        raise PermissionDenied(f"role '{user.role}' does not grant '{permission.value}'")
    return f"cli:{user.username}"


def quarantine(settings: Settings, path: Path, problems: list[dict[str, Any]]) -> Path:
    """Keep a rejected file and its problems, so nothing sent to us is lost."""
    return kept_file(settings.data_dir, path.name, path.read_bytes(), problems)


def listed(
    rows: list[dict[str, Any]], as_json: bool, line: Callable[[dict[str, Any]], str]
) -> None:
    """Rows as one JSON object (``items``), or a line each."""
    if as_json:
        out.print_json(json.dumps({"items": rows}))
        return
    for row in rows:
        out.print(line(row), highlight=False)
