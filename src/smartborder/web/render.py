"""Template rendering with the context every page needs (node, user, navigation, CSRF token)."""

from __future__ import annotations

from importlib import resources
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

from smartborder import registry
from smartborder.auth import get_settings
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
