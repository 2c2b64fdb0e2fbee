"""Setting up a node: data directory, node file, database schema, signing key and first admin."""

from __future__ import annotations

import os
from dataclasses import dataclass

from smartborder import db
from smartborder.audit import chain
from smartborder.errors import Conflict
from smartborder.exchange import keys
from smartborder.roles import Role
from smartborder.settings import Settings, write_node_file
from smartborder.users import service as users


@dataclass(frozen=True)
class InitResult:
    admin_username: str
    admin_password: str | None  # set only when generated here: shown once
    fingerprint: str


def init_node(
    settings: Settings, *, admin_username: str = "admin", admin_password: str = ""
) -> InitResult:
    """Initialise a node once. Validates everything before writing anything."""
    if settings.initialised:
        raise Conflict(f"{settings.data_dir} is already initialised ({settings.node_file})")
    if settings.key_path.exists():
        raise Conflict(f"{settings.key_path}: a signing key already exists")
    generated = None
    if not admin_password:
        admin_password = os.environ.get("SMARTBORDER_ADMIN_PASSWORD", "")
    if not admin_password:
        admin_password = generated = users.generate_password()
    users.check_password_policy(admin_password)

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = db.make_engine(settings.database_url)
    key = None
    try:
        db.upgrade(engine)
        with db.unit_of_work(db.session_factory(engine)) as session:
            users.create_user(
                session,
                username=admin_username,
                role=Role.ADMIN.value,
                password=admin_password,
                display_name="Administrator",
            )
            key = keys.create_signing_key(settings.key_path)
            chain.append(
                session,
                "node:node:initialised",
                actor="cli:init",
                subject=settings.node_id,
                details={
                    "name": settings.node_name,
                    "country": settings.country,
                    "fingerprint": keys.fingerprint(key.public_key()),
                    "admin": admin_username,
                },
            )
    except BaseException:
        if key is not None:  # the key was written but the database commit failed
            keys.remove_signing_key(settings.key_path)
        raise
    finally:
        engine.dispose()
    write_node_file(settings)  # last: a node is initialised only once everything else succeeded
    assert key is not None
    return InitResult(admin_username, generated, keys.fingerprint(key.public_key()))
