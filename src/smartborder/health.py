"""Liveness, readiness, and what this node is. Health and readiness need no credentials."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel
from sqlalchemy.exc import SQLAlchemyError

from smartborder import __version__, registry
from smartborder.auth import CurrentSettings, Principal, require
from smartborder.db import check_ready, unit_of_work
from smartborder.errors import NotReady
from smartborder.roles import ROLE_PERMISSIONS, Permission, Role

router = APIRouter(tags=["node"])


class Health(BaseModel):
    status: str
    node: str


class Ready(BaseModel):
    status: str
    database: str
    migrations: str
    revision: str
    head: str
    # each domain's dependencies, reported apart (e.g. "partners": each partner's delivery);
    # they inform, they do not make the node unready
    components: dict[str, Any] = {}


class NodeInfo(BaseModel):
    node_id: str
    name: str
    country: str
    version: str
    signing_key_fingerprint: str


class Me(BaseModel):
    username: str
    display_name: str
    role: str
    permissions: list[str]
    authenticated_via: str


@router.get("/health", response_model=Health)
def health(settings: CurrentSettings) -> dict[str, Any]:
    """Liveness: the process answers."""
    return {"status": "ok", "node": settings.node_id}


@router.get("/ready", response_model=Ready)
def ready(request: Request) -> dict[str, Any]:
    """Readiness: the database answers and its schema is at the latest migration."""
    try:
        state = check_ready(request.app.state.engine)
    except SQLAlchemyError as exc:
        raise NotReady(
            "the database is not reachable",
            details=[{"component": "database", "problem": type(exc).__name__}],
        ) from None
    if state["migrations"] != "current":
        raise NotReady(
            "database migrations are pending; run 'smartborder db upgrade'",
            details=[{"component": "migrations", **state}],
        )
    return {"status": "ready", **state, "components": _components(request)}


def _components(request: Request) -> dict[str, Any]:
    found: dict[str, Any] = {}
    try:
        with unit_of_work(request.app.state.read_sessions) as session:
            for domain in registry.domains():
                for name in domain.readiness:
                    found.update(registry.resolve(name)(session))
    except SQLAlchemyError as exc:
        found["error"] = f"components not read: {type(exc).__name__}"
    return found


@router.get("/node", response_model=NodeInfo)
def node_info(
    request: Request,
    settings: CurrentSettings,
    _principal: Annotated[Principal, Depends(require(Permission.NODE_READ))],
) -> dict[str, Any]:
    """This node's identity and the fingerprint of its signing key, for out-of-band checks."""
    return {
        "node_id": settings.node_id,
        "name": settings.node_name,
        "country": settings.country,
        "version": __version__,
        "signing_key_fingerprint": request.app.state.key_fingerprint,
    }


@router.get("/me", response_model=Me)
def me(principal: Annotated[Principal, Depends(require(Permission.NODE_READ))]) -> dict[str, Any]:
    """The caller: user, role and the permissions the role grants."""
    role = Role(principal.role)
    return {
        "username": principal.username,
        "display_name": principal.display_name,
        "role": role.value,
        "permissions": sorted(p.value for p in ROLE_PERMISSIONS[role]),
        "authenticated_via": principal.via,
    }
