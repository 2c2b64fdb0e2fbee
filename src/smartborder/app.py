"""The FastAPI application factory. Nothing is built at import time."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles

from smartborder import __version__, collector, db, errorhandlers, health, metrics, registry
from smartborder.auth import CurrentSettings, Principal, require
from smartborder.context import NodeContext, node_exchange
from smartborder.errors import NotInitialised
from smartborder.exchange import keys
from smartborder.gate import Bounded
from smartborder.limits import (
    AdmissionMiddleware,
    RateLimitMiddleware,
    SharedTokenBuckets,
    TokenBuckets,
)
from smartborder.logs import configure_logging
from smartborder.metrics import MetricsMiddleware
from smartborder.middleware import (
    BodyLimitMiddleware,
    RequestContextMiddleware,
    SecurityHeadersMiddleware,
)
from smartborder.roles import Permission
from smartborder.scheduler import background_dispatcher
from smartborder.settings import Settings, load_settings
from smartborder.web.render import make_templates

API_PREFIX = "/api/v1"


log = logging.getLogger("smartborder.app")


def from_environment() -> FastAPI:
    """The app of the node named by ``SMARTBORDER_DATA_DIR`` (and the other ``SMARTBORDER_*``
    variables): what each worker of ``serve --workers N`` (or a gunicorn/uvicorn command) builds."""
    return create_app(load_settings(), settle=True)


def create_app(settings: Settings, *, configure_logs: bool = True, settle: bool = False
               ) -> FastAPI:  # fmt: skip
    """The node's app. ``settle``: once started (services built, the lookout index loaded),
    the process's heap is settled for the garbage collector (``collector.settle``), as a served
    node's is; an app a test or a tool makes and drops leaves it alone."""
    if not settings.initialised:
        raise NotInitialised(
            f"{settings.data_dir} is not an initialised node; run 'smartborder init' first"
        )
    if configure_logs:
        configure_logging(settings.log_format, settings.log_level, settings.node_id)
    # A connection for every request admitted at once, and a few for background work.
    pool_size = settings.max_concurrent_requests + 4
    engine = db.make_engine(settings.database_url, pool_size=pool_size)
    read_engine = (
        db.make_engine(settings.database_url, pool_size=pool_size, read_only=True)
        if engine.dialect.name == "sqlite"
        else engine
    )
    signing_key = keys.load_signing_key(settings.key_path)
    sessions = db.session_factory(engine)
    exchange = node_exchange(settings)
    exchange.watch(sessions)
    node = NodeContext(settings, sessions, exchange)
    node.build_services()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Worker threads for every admitted request's database hops, and some to spare.
        limiter = anyio.to_thread.current_default_thread_limiter()
        limiter.total_tokens = max(limiter.total_tokens, settings.max_concurrent_requests * 2)
        node.call_each("startup")
        if settle:
            collector.settle()
        dispatcher = None
        if settings.exchange_dispatch_interval_seconds > 0:
            dispatcher = background_dispatcher(node)
            dispatcher.start()
        yield
        if dispatcher is not None:
            dispatcher.stop()
        node.call_each("shutdown")
        engine.dispose()
        read_engine.dispose()

    app = FastAPI(
        title=f"smartborder · {settings.node_name}",
        version=__version__,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.read_engine = read_engine
    app.state.sessions = sessions
    app.state.read_sessions = (
        db.session_factory(read_engine) if read_engine is not engine else sessions
    )
    app.state.password_gate = Bounded(
        settings.password_hash_concurrency, settings.password_hash_concurrency * 4
    )
    app.state.node = node
    app.state.exchange = exchange
    app.state.templates = make_templates()
    app.state.key_fingerprint = keys.fingerprint(signing_key.public_key())

    for api_router in api_routers():
        app.include_router(api_router, prefix=API_PREFIX)
    for ui_router in ui_routers():
        app.include_router(ui_router)
    app.include_router(metrics_router)
    static = resources.files("smartborder") / "web" / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")

    errorhandlers.install(app)
    raw_bodies = {
        f"{API_PREFIX}{path}": limit(settings)
        for domain in registry.domains()
        for path, limit in domain.raw_bodies.items()
    }
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        paths=raw_bodies,
        raw_paths=frozenset(raw_bodies),
    )
    app.add_middleware(
        AdmissionMiddleware,
        limit=settings.max_concurrent_requests,
        queue=settings.request_queue_size,
        wait_seconds=settings.request_queue_timeout_seconds,
        lanes={
            f"{API_PREFIX}/exchange/inbox": (
                settings.exchange_concurrent_deliveries,
                settings.exchange_concurrent_deliveries * 4,
            )
        },
    )
    app.add_middleware(SecurityHeadersMiddleware, docs_path=f"{API_PREFIX}/docs", hsts=settings.tls)
    app.add_middleware(RequestContextMiddleware)
    # Outermost: a caller over its rate is refused before anything else is spent on it.
    per_minute = 60.0
    rates = {
        "/login": (
            settings.login_rate_per_minute / per_minute,
            max(1.0, settings.login_rate_per_minute / 2),
        ),
        f"{API_PREFIX}/exchange/inbox": (
            settings.exchange_rate_per_minute / per_minute,
            max(1.0, settings.exchange_rate_per_minute / 4),
        ),
    }
    public = settings.public_form_rate_per_minute
    for domain in registry.domains():
        for path in domain.public_posts:
            rates[path] = (public / per_minute, max(1.0, public / 2))
    shared = {}
    if engine.dialect.name == "postgresql":  # several workers may serve the node: one bucket
        shared = {
            path: SharedTokenBuckets(engine, path, rate, burst)
            for path, (rate, burst) in rates.items()
        }
    app.add_middleware(
        RateLimitMiddleware,
        limits={path: TokenBuckets(rate, burst) for path, (rate, burst) in rates.items()},
        shared=shared,
    )
    app.add_middleware(MetricsMiddleware)  # outermost: every answer is counted, refusals too
    return app


docs_router = APIRouter()
metrics_router = APIRouter()
Reader = Annotated[Principal, Depends(require(Permission.NODE_READ))]


@metrics_router.get(metrics.PATH, include_in_schema=False)
def metrics_endpoint(request: Request, settings: CurrentSettings) -> Response:
    """The node's metrics (Prometheus text format), for the monitoring token only."""
    if not settings.metrics_token:
        return PlainTextResponse(
            "metrics are off: set SMARTBORDER_METRICS_TOKEN to turn them on\n", status_code=404
        )
    if not metrics.authorised(request, settings.metrics_token):
        return PlainTextResponse(
            "the metrics need the monitoring token (Authorization: Bearer ...)\n",
            status_code=401,
            headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
        )
    return metrics.response(request.app.state.read_sessions)


@docs_router.get("/openapi.json", include_in_schema=False)
def openapi(request: Request, _principal: Reader) -> dict[str, Any]:
    """The OpenAPI schema, for signed-in users only."""
    schema: dict[str, Any] = request.app.openapi()
    return schema


@docs_router.get("/docs", include_in_schema=False)
def docs(request: Request, _principal: Reader) -> HTMLResponse:
    """Swagger UI from vendored files: nothing is fetched from a CDN."""
    return get_swagger_ui_html(
        openapi_url=f"{API_PREFIX}/openapi.json",
        title=f"{request.app.title} API",
        swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
        swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
        swagger_favicon_url="/static/favicon.svg",
    )


def api_routers() -> list[APIRouter]:
    """Every router served under API_PREFIX: the node's own, then each domain's. Tests walk it."""
    found = [health.router]
    found += [registry.resolve(r) for d in registry.domains() for r in d.api_routers]
    return [*found, docs_router]


def ui_routers() -> list[APIRouter]:
    return [registry.resolve(r) for d in registry.domains() for r in d.ui_routers]
