"""The FastAPI application factory. Nothing is built at import time."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from importlib import resources
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from smartborder import __version__, db, errorhandlers, health
from smartborder.audit import router as audit_api
from smartborder.audit import views as audit_views
from smartborder.audit.heads import HeadLog
from smartborder.auth import Principal, require
from smartborder.db import unit_of_work
from smartborder.domains import node_exchange
from smartborder.errors import NotInitialised
from smartborder.exchange import keys
from smartborder.exchange import router as exchange_api
from smartborder.exchange import views as exchange_views
from smartborder.gate import Bounded
from smartborder.identity import documents_router, documents_views
from smartborder.identity import router as identity_api
from smartborder.identity import views as identity_views
from smartborder.limits import AdmissionMiddleware, RateLimitMiddleware, TokenBuckets
from smartborder.logs import configure_logging
from smartborder.middleware import (
    BodyLimitMiddleware,
    RequestContextMiddleware,
    SecurityHeadersMiddleware,
)
from smartborder.modeling import router as modeling_api
from smartborder.modeling import service as modeling_service
from smartborder.modeling import views as modeling_views
from smartborder.roles import Permission
from smartborder.scheduler import background_dispatcher
from smartborder.screening import router as screening_api
from smartborder.screening import views as screening_views
from smartborder.screening.matcher import Thresholds
from smartborder.screening.service import Screening
from smartborder.settings import Settings
from smartborder.travel import router as travel_api
from smartborder.travel import router_models as risk_api
from smartborder.travel import router_targeting as targeting_api
from smartborder.travel import views as travel_views
from smartborder.travel import views_targeting as travel_targeting_views
from smartborder.travel.targeting import Targeting
from smartborder.users import router as users_api
from smartborder.users import views as users_views
from smartborder.visa import router as visa_api
from smartborder.visa import service as visa_service
from smartborder.visa import views as visa_views
from smartborder.web import views as web_views
from smartborder.web.render import make_templates

API_PREFIX = "/api/v1"


log = logging.getLogger("smartborder.app")


def create_app(settings: Settings, *, configure_logs: bool = True) -> FastAPI:
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
    head_log = HeadLog.for_node(settings, exchange.signer)
    head_log.watch(sessions)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Worker threads for every admitted request's database hops, and some to spare.
        limiter = anyio.to_thread.current_default_thread_limiter()
        limiter.total_tokens = max(limiter.total_tokens, settings.max_concurrent_requests * 2)
        _load_lookouts(sessions, app.state.screening)
        _bundled_visa_data(sessions, exchange.clock)
        _interrupted_runs(sessions, exchange.clock)
        dispatcher = None
        if settings.exchange_dispatch_interval_seconds > 0:
            dispatcher = background_dispatcher(sessions, exchange, app.state.targeting, head_log)
            dispatcher.start()
        yield
        if dispatcher is not None:
            dispatcher.stop()
        app.state.model_runner.stop()
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
    app.state.exchange = exchange
    app.state.head_log = head_log
    app.state.screening = Screening(
        Thresholds(settings.screening_threshold, settings.screening_category_thresholds)
    )
    app.state.targeting = Targeting(app.state.screening, settings.travel_teams, exchange)
    app.state.model_runner = modeling_service.Runner(sessions, exchange.clock)
    app.state.templates = make_templates()
    app.state.key_fingerprint = keys.fingerprint(signing_key.public_key())

    for api_router in API_ROUTERS:
        app.include_router(api_router, prefix=API_PREFIX)
    for ui_router in UI_ROUTERS:
        app.include_router(ui_router)
    static = resources.files("smartborder") / "web" / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")

    errorhandlers.install(app)
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        paths={f"{API_PREFIX}/travel/messages": settings.travel_max_message_bytes},
        raw_paths=frozenset({f"{API_PREFIX}/travel/messages"}),
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
    app.add_middleware(
        RateLimitMiddleware,
        limits={
            "/login": TokenBuckets(
                settings.login_rate_per_minute / per_minute,
                max(1.0, settings.login_rate_per_minute / 2),
            ),
            f"{API_PREFIX}/exchange/inbox": TokenBuckets(
                settings.exchange_rate_per_minute / per_minute,
                max(1.0, settings.exchange_rate_per_minute / 4),
            ),
        },
    )
    return app


def _load_lookouts(sessions: sessionmaker[Session], screening: Screening) -> None:
    """Build the screening index from the database before the first request."""
    try:
        with unit_of_work(sessions) as session:
            loaded = screening.sync(session)
        log.info("screening index built: %d active lookouts", loaded)
    except SQLAlchemyError as exc:  # e.g. migrations not applied yet; /ready says so
        log.warning("screening index not built at start-up (built on first use): %s", exc)


def _bundled_visa_data(sessions: sessionmaker[Session], clock: Callable[[], dt.datetime]) -> None:
    """The shipped visa data set is loaded before the first request (pages only read)."""
    try:
        with unit_of_work(sessions) as session:
            visa_service.ensure_bundled(session, now=clock())
    except SQLAlchemyError as exc:
        log.warning("visa data set not loaded at start-up: %s", exc)


def _interrupted_runs(sessions: sessionmaker[Session], clock: Callable[[], dt.datetime]) -> None:
    """Model runs a previous process left unfinished are marked so (they cannot resume)."""
    try:
        with unit_of_work(sessions) as session:
            count = modeling_service.mark_interrupted(session, clock())
        if count:
            log.warning("%d model run(s) interrupted by the last stop marked failed", count)
    except SQLAlchemyError as exc:
        log.warning("model runs not checked at start-up: %s", exc)


docs_router = APIRouter()
Reader = Annotated[Principal, Depends(require(Permission.NODE_READ))]


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


# Every router the app serves, API ones under API_PREFIX. Tests walk these lists.
API_ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    users_api.router,
    identity_api.router,
    documents_router.router,
    exchange_api.router,
    audit_api.router,
    screening_api.router,
    travel_api.router,
    risk_api.router,
    targeting_api.router,
    visa_api.router,
    modeling_api.router,
    docs_router,
)
UI_ROUTERS: tuple[APIRouter, ...] = (
    web_views.router,
    users_views.router,
    identity_views.router,
    documents_views.router,
    screening_views.router,
    travel_views.router,
    travel_targeting_views.router,
    visa_views.router,
    modeling_views.router,
    exchange_views.router,
    audit_views.router,
)
