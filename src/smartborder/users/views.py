"""HTML pages: user administration and one's own API tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse

from smartborder.auth import Db, Principal, require
from smartborder.db import utcnow
from smartborder.errors import SmartborderError
from smartborder.params import RowId
from smartborder.roles import Permission, Role
from smartborder.users import service
from smartborder.web.render import render

router = APIRouter(include_in_schema=False)
Admin = Annotated[Principal, Depends(require(Permission.USERS_MANAGE))]
TokenOwner = Annotated[Principal, Depends(require(Permission.TOKENS_OWN))]


def _users_page(request: Request, db: Db, **extra: object) -> HTMLResponse:
    context = {"users": service.list_users(db), "roles": [r.value for r in Role], **extra}
    status = 422 if extra.get("error") else 200
    return render(request, "users/list.html", context, status_code=status)


@router.get("/users")
def users_page(request: Request, db: Db, _admin: Admin) -> HTMLResponse:
    return _users_page(request, db)


@router.post("/users")
def create_user(
    request: Request,
    db: Db,
    _admin: Admin,
    username: Annotated[str, Form(max_length=64)],
    role: Annotated[str, Form(max_length=32)],
    password: Annotated[str, Form(max_length=1000)],
    display_name: Annotated[str, Form(max_length=120)] = "",
) -> HTMLResponse:
    try:
        with db.begin_nested():
            user = service.create_user(
                db, username=username, role=role, password=password, display_name=display_name
            )
    except SmartborderError as exc:
        return _users_page(request, db, error=exc.message, problems=exc.details)
    return _users_page(request, db, notice=f"User '{user.username}' created.")


@router.post("/users/{username}/{action}")
def toggle_user(
    request: Request, username: str, action: str, db: Db, _admin: Admin
) -> HTMLResponse:
    if action not in {"disable", "enable"}:
        return render(
            request,
            "error.html",
            {"status": 404, "code": "not_found", "message": f"no action '{action}'", "details": []},
            status_code=404,
        )
    user = service.set_active(db, username, action == "enable")
    return render(request, "users/row.html", {"user": user})


@router.get("/account")
def account(request: Request, db: Db, principal: TokenOwner) -> HTMLResponse:
    tokens = service.list_tokens(db, principal.user)
    return render(request, "users/account.html", {"tokens": tokens})


@router.post("/account/tokens")
def create_token(
    request: Request, db: Db, principal: TokenOwner, name: Annotated[str, Form(max_length=200)]
) -> HTMLResponse:
    try:
        with db.begin_nested():
            token, secret = service.create_token(db, principal.user, name)
    except SmartborderError as exc:
        tokens = service.list_tokens(db, principal.user)
        return render(request, "users/account.html", {"tokens": tokens, "error": exc.message}, 422)
    tokens = service.list_tokens(db, principal.user)
    return render(
        request,
        "users/account.html",
        {"tokens": tokens, "new_token": secret, "new_name": token.name},
    )


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(request: Request, token_id: RowId, db: Db, principal: TokenOwner) -> HTMLResponse:
    service.revoke_token(db, token_id, actor=principal.user, now=utcnow())
    tokens = service.list_tokens(db, principal.user)
    return render(request, "users/account.html", {"tokens": tokens, "notice": "Token revoked."})
