"""HTML pages: user administration and one's own API tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from smartborder.auth import Db, Principal, WriteDb, get_settings, require
from smartborder.db import utcnow
from smartborder.deps import get_node
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


# --- single sign-on (OpenID Connect) -----------------------------------------------------

SSO_COOKIE = "sb_sso_state"
SSO_PATH = "/login/sso"


def _callback_url(request: Request) -> str:
    configured = get_settings(request).oidc_redirect_url
    return configured or str(request.url_for("sso_callback"))


def _sso_failed(request: Request, message: str, status: int = 401) -> Response:
    from smartborder.web.views import login_page

    # the state cookie stays: a forged answer must not spoil the sign-in under way in this
    # browser (the state itself is single-use and expires)
    message = f"Single sign-on failed: {message}. Try again."
    return login_page(request, next_url="/", message=message, status=status)


@router.get(SSO_PATH)
def sso_start(request: Request, db: WriteDb, next: str = "/") -> Response:
    """Send the browser to the agency's identity provider (authorization code + PKCE)."""
    from smartborder.users.oidc import OidcClient, SignOnFailed
    from smartborder.web.views import safe_next

    settings = get_settings(request)
    if not settings.single_sign_on:
        return _sso_failed(request, "this node has no identity provider configured", 404)
    try:
        url, state = (
            get_node(request)
            .get(OidcClient)
            .begin(db, next_url=safe_next(next), redirect_uri=_callback_url(request), now=utcnow())
        )
    except SignOnFailed as exc:
        return _sso_failed(request, exc.message, 502)
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        SSO_COOKIE,
        state,
        max_age=60 * 10,
        httponly=True,
        samesite="lax",  # the provider's redirect back is a top-level navigation
        secure=settings.secure_cookies,
        path=SSO_PATH,
    )
    return response


@router.get(SSO_PATH + "/callback", name="sso_callback")
def sso_callback(
    request: Request,
    db: WriteDb,
    code: str = "",
    state: str = "",
    error: str = "",
    error_description: str = "",
) -> Response:
    """The identity provider's answer: check it, sign the user in, go where they were going."""
    from smartborder.users.oidc import OidcClient, SignOnFailed, sign_in
    from smartborder.web.views import signed_in

    settings = get_settings(request)
    if not settings.single_sign_on:
        return _sso_failed(request, "this node has no identity provider configured", 404)
    if error:
        said = f"{error}: {error_description}" if error_description else error
        return _sso_failed(request, f"the identity provider said '{said[:300]}'")
    try:
        with db.begin_nested():
            identity, next_url = (
                get_node(request)
                .get(OidcClient)
                .finish(
                    db,
                    state=state,
                    browser_state=request.cookies.get(SSO_COOKIE, ""),
                    code=code,
                    redirect_uri=_callback_url(request),
                    now=utcnow(),
                )
            )
            user = sign_in(db, identity, utcnow())
    except SignOnFailed as exc:
        return _sso_failed(request, exc.message)
    _web, secret = service.start_web_session(db, user, settings, utcnow(), identity.id_token)
    response = signed_in(settings, secret, next_url)
    response.delete_cookie(SSO_COOKIE, path=SSO_PATH)
    return response
