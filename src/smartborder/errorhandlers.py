"""The one place where failures become responses.

JSON ``{"error": {"code", "message", "details"}}`` under /api; a readable HTML page (or a redirect
to sign in) everywhere else. No traceback ever reaches a user.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from smartborder.errors import NotAuthenticated, SessionExpired, SmartborderError
from smartborder.web.render import render_error

log = logging.getLogger("smartborder.errors")

_HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def error_response(
    request: Request, status: int, code: str, message: str, details: list[dict[str, Any]]
) -> Response:
    if is_api(request):
        body = {"error": {"code": code, "message": message, "details": details}}
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse(body, status_code=status, headers=headers)
    return render_error(request, status, code, message, details)


def _location(loc: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(part) for part in loc)


async def _domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SmartborderError)
    if isinstance(exc, NotAuthenticated) and not is_api(request):
        target = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
        flag = "&expired=1" if isinstance(exc, SessionExpired) else ""
        return RedirectResponse(f"/login?next={target}{flag}", status_code=303)
    return error_response(request, exc.status_code, exc.code, exc.message, exc.details)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    broken = [e for e in errors if e.get("type") == "json_invalid"]
    if broken:
        details = [
            {
                "location": _location(e["loc"]),
                "message": e.get("ctx", {}).get("error", "invalid JSON"),
            }
            for e in broken
        ]
        return error_response(
            request, 400, "malformed_json", "request body is not valid JSON", details
        )
    details = [
        {"location": _location(e["loc"]), "message": e["msg"], "type": e["type"]} for e in errors
    ]
    where = ", ".join(d["location"] for d in details)
    return error_response(request, 422, "validation_failed", f"invalid input at {where}", details)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    if exc.status_code == 404:
        message = f"nothing at {request.method} {request.url.path}"
    elif exc.status_code == 405:
        message = f"{request.method} is not allowed on {request.url.path}"
    else:
        message = str(exc.detail)
    return error_response(request, exc.status_code, code, message, [])


async def _unexpected(request: Request, exc: Exception) -> Response:
    request_id = getattr(request.state, "request_id", "-")
    log.exception("unhandled error", exc_info=exc)
    return error_response(
        request,
        500,
        "internal_error",
        f"an internal error occurred; quote request id {request_id} to the operator",
        [],
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(SmartborderError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
