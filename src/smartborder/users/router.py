"""JSON API for users (admins) and the caller's own API tokens."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from smartborder.auth import Db, Principal, require
from smartborder.db import utcnow
from smartborder.params import RowId
from smartborder.roles import Permission
from smartborder.users import service
from smartborder.users.schemas import TokenCreated, TokenIn, TokenOut, UserIn, UserOut

router = APIRouter(tags=["users"])
Admin = Annotated[Principal, Depends(require(Permission.USERS_MANAGE))]
TokenOwner = Annotated[Principal, Depends(require(Permission.TOKENS_OWN))]


@router.get("/users", response_model=list[UserOut])
def list_users(db: Db, _admin: Admin) -> Any:
    """All users of this node."""
    return service.list_users(db)


@router.post("/users", response_model=UserOut, status_code=201)
def create_user(body: UserIn, db: Db, _admin: Admin) -> Any:
    """Create a user with a role and an initial password (at least 12 characters)."""
    return service.create_user(
        db,
        username=body.username,
        role=body.role.value,
        password=body.password,
        display_name=body.display_name,
    )


@router.post("/users/{username}/disable", response_model=UserOut)
def disable_user(username: str, db: Db, _admin: Admin) -> Any:
    """Disable a user: their sessions end and their tokens stop working."""
    return service.set_active(db, username, False)


@router.post("/users/{username}/enable", response_model=UserOut)
def enable_user(username: str, db: Db, _admin: Admin) -> Any:
    """Enable a disabled user again."""
    return service.set_active(db, username, True)


@router.get("/tokens", response_model=list[TokenOut])
def list_tokens(db: Db, principal: TokenOwner) -> Any:
    """The caller's API tokens (never their secrets)."""
    return service.list_tokens(db, principal.user)


@router.post("/tokens", response_model=TokenCreated, status_code=201)
def create_token(body: TokenIn, db: Db, principal: TokenOwner) -> Any:
    """Issue an API token for the caller. The secret is in this response only."""
    token, secret = service.create_token(db, principal.user, body.name)
    return TokenCreated.model_validate(
        {**TokenOut.model_validate(token).model_dump(), "token": secret}
    )


@router.delete("/tokens/{token_id}", response_model=TokenOut)
def revoke_token(token_id: RowId, db: Db, principal: TokenOwner) -> Any:
    """Revoke a token: one's own, or any token for an admin."""
    return service.revoke_token(
        db,
        token_id,
        actor=principal.user,
        now=utcnow(),
        any_user=principal.can(Permission.USERS_MANAGE),
    )
