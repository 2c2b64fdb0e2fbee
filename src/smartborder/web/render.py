"""Template rendering with the context every page needs (node, user, navigation, CSRF token)."""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from pydantic import ValidationError

from smartborder import registry
from smartborder.auth import get_settings
from smartborder.errors import SmartborderError
from smartborder.web.nav import sections


def make_templates() -> Jinja2Templates:
    loaders = [
        FileSystemLoader(str(resources.files(domain.package) / "templates"))
        for domain in registry.domains()
        if domain.templates
    ]
    env = Environment(
        loader=ChoiceLoader(loaders), autoescape=select_autoescape(default=True), auto_reload=False
    )
    return Jinja2Templates(env=env)


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    principal = getattr(request.state, "principal", None)
    nav = [item for item in sections() if principal is not None and principal.can(item.permission)]
    full = {
        "request": request,
        "settings": get_settings(request),
        "principal": principal,
        "nav": nav,
        "csrf_token": principal.csrf_token if principal else "",
        "path": request.url.path,
        **(context or {}),
    }
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, template, full, status_code=status_code)


def render_error(
    request: Request, status: int, code: str, message: str, details: list[dict[str, Any]]
) -> HTMLResponse:
    context = {"status": status, "code": code, "message": message, "details": details}
    return render(request, "error.html", context, status_code=status)


def form_problems(exc: ValidationError) -> str:
    """A form's problems as one line, each with the field it is about."""
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'form'}: {e['msg']}"
                     for e in exc.errors())  # fmt: skip


def first(given: dict[str, list[str]], name: str) -> str:
    """A form field's (first) value, trimmed; "" when absent."""
    return str((given.get(name) or [""])[0]).strip()


async def act_on_form(request: Request, act: Callable[[dict[str, list[str]]], object],
                      back: str, again: Callable[[str, int], Response]) -> Response:  # fmt: skip
    """Read a form (each field's values, the CSRF token left out), act on it, and go ``back``;
    a refusal is shown again (``again``) with why and its status: 422 for the form's own
    problems, the error's for the rest."""
    form = await request.form()
    given = {k: [str(v) for v in form.getlist(k)] for k in form if k != "csrf_token"}
    try:
        act(given)
    except ValidationError as exc:
        return again(form_problems(exc), 422)
    except SmartborderError as exc:
        return again(exc.message, exc.status_code)
    return RedirectResponse(back, status_code=303)
