"""Sign-in, sign-out and the overview page."""

from __future__ import annotations

import contextlib
import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from smartborder import __version__
from smartborder.auth import SESSION_COOKIE, CurrentSettings, Db, Principal, get_settings, require
from smartborder.db import utcnow
from smartborder.deps import get_node
from smartborder.identity import service as identity
from smartborder.limits import client_address
from smartborder.roles import Permission
from smartborder.settings import Settings
from smartborder.users import service as users
from smartborder.web.render import render

router = APIRouter(include_in_schema=False)
LOGIN_CSRF_COOKIE = "sb_login_csrf"

_LOGIN_MESSAGES = {
    "bad_credentials": "Wrong username or password.",
    "disabled": "Wrong username or password.",
    "locked": "Too many failed sign-ins for this username from here. Try again in {wait}.",
    "busy": "Sign-in is busy just now. Try again in {wait}.",
}


def safe_next(target: str) -> str:
    return target if target.startswith("/") and not target.startswith("//") else "/"


def login_page(
    request: Request, *, next_url: str, message: str = "", notice: str = "", status: int = 200
) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    response = render(
        request,
        "login.html",
        {
            "next_url": next_url,
            "message": message,
            "notice": notice,
            "login_csrf": token,
            "single_sign_on": get_settings(request).single_sign_on,
        },
        status_code=status,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=get_settings(request).secure_cookies,
        path="/login",
    )
    return response


@router.get("/login")
def login_form(
    request: Request, next: str = "/", expired: int = 0, signed_out: int = 0
) -> HTMLResponse:
    notice = ""
    if expired:
        notice = "Your session expired. Sign in again."
    elif signed_out:
        notice = "You have signed out."
    return login_page(request, next_url=safe_next(next), notice=notice)


@router.post("/login")
def login(
    request: Request,
    db: Db,
    settings: CurrentSettings,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    login_csrf: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    next_url = safe_next(next)
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie, login_csrf):
        return login_page(
            request,
            next_url=next_url,
            message="The sign-in form expired or was not sent from this site. Try again.",
            status=403,
        )
    if not username or not password:
        return login_page(
            request, next_url=next_url, message="Enter a username and a password.", status=422
        )
    outcome = users.authenticate(
        db, username, password, settings, utcnow(),
        client=client_address(request.scope), gate=request.app.state.password_gate,
    )  # fmt: skip
    if outcome.user is None:
        wait = outcome.retry_after_seconds
        message = _LOGIN_MESSAGES[outcome.reason].format(
            wait=f"{wait} second(s)" if wait < 120 else f"{wait // 60} minute(s)"
        )
        status = {"locked": 429, "busy": 503}.get(outcome.reason, 401)
        page = login_page(request, next_url=next_url, message=message, status=status)
        if wait:
            page.headers["Retry-After"] = str(wait)
        return page
    _web, secret = users.start_web_session(db, outcome.user, settings, utcnow())
    return signed_in(settings, secret, next_url)


def signed_in(settings: Settings, secret: str, next_url: str) -> Response:
    """Where a sign-in (password or single sign-on) ends: the session cookie, then onwards."""
    response = RedirectResponse(next_url, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        max_age=settings.session_max_hours * 3600,
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(
    request: Request,
    db: Db,
    _principal: Annotated[Principal, Depends(require(Permission.NODE_READ))],
) -> Response:
    id_token = users.end_web_session(db, request.cookies.get(SESSION_COOKIE, ""))
    target = "/login?signed_out=1"
    if id_token is not None:  # signed in through the identity provider: sign out there too
        from smartborder.users.oidc import OidcClient, SignOnFailed

        back = str(request.url_for("login_form")) + "?signed_out=1"
        # signed out here whatever happens; the provider may be unreachable to end its session
        with contextlib.suppress(SignOnFailed):
            ends = get_node(request).get(OidcClient)
            target = (
                ends.end_session_url(id_token=id_token, post_logout_redirect_uri=back) or target
            )
    response = RedirectResponse(target, status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/")
def overview(
    request: Request,
    db: Db,
    principal: Annotated[Principal, Depends(require(Permission.NODE_READ))],
) -> HTMLResponse:
    counts = {"users": len(users.list_users(db))}
    if principal.can(Permission.PEOPLE_READ):
        counts["people"] = identity.count_people(db)
    return render(
        request,
        "overview.html",
        {
            "counts": counts,
            "version": __version__,
            "fingerprint": request.app.state.key_fingerprint,
        },
    )
