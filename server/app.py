"""The Litestar application factory."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from urllib.parse import parse_qs

from litestar import Litestar
from litestar.config.compression import CompressionConfig
from litestar.datastructures import State
from litestar.logging.config import LoggingConfig
from litestar.openapi.config import OpenAPIConfig
from litestar.plugins.htmx import HTMXPlugin
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from litestar.types import Message, Scope
from litestar.plugins.jinja import JinjaTemplateEngine

from server import db, jobs
from server.api_docs import OperationsPage
from server.auth.csrf import csrf_guard, send_csrf_cookie
from server.auth.middleware import AuthenticationMiddleware
from server.errors import EXCEPTION_HANDLERS
from server.headers import send_security_headers
from server.i18n import LANG_COOKIE, LANGUAGES
from server.policy import access_guard
from server.logs import configure_logging
from server.routes import route_handlers
from server.settings import Settings, load_settings
from server.templating import configure_templates
from server.vendor import served_only, vendor_dir
from server.version import VERSION

WEB_DIR = Path(__file__).resolve().parent.parent / "web"


def create_app(settings: Settings | None = None, *, migrate: bool = True) -> Litestar:
    """Build the app. ``migrate`` applies pending migrations at start-up (``serve`` runs
    them once in the parent process instead, so that workers never race)."""
    settings = (settings or load_settings()).ensure_secret_key()
    configure_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await open_database(app, migrate=migrate)
        # Everything built so far (the app, its routes, schemas, templates) lives as long
        # as the process: keep it out of the garbage collector's full passes, which would
        # otherwise walk ~100,000 objects again and again during a 1,000-mutation push
        # (a third of the merge's time; docs/performance.md).
        gc.freeze()
        try:
            async with jobs.running(settings):  # escalation and any other registered timed job
                yield
        finally:
            await close_database(app)

    static = create_static_files_router(
        path="/static", directories=[WEB_DIR / "static"], name="static",
        include_in_schema=False, cache_control=None,
    )
    vendor = create_static_files_router(
        path="/vendor", directories=[vendor_dir()], name="vendor", include_in_schema=False,
        before_request=served_only,  # the files the pages load, not all of node_modules
    )
    return Litestar(
        route_handlers=[*route_handlers(), static, vendor],
        lifespan=[lifespan],
        state=State({"settings": settings}),
        plugins=[HTMXPlugin()],
        template_config=TemplateConfig(
            directory=WEB_DIR / "templates", engine=JinjaTemplateEngine,
            engine_callback=partial(configure_templates, settings=settings),
        ),
        openapi_config=OpenAPIConfig(
            title="StewardSync API", version=VERSION, path="/api/docs",
            render_plugins=[OperationsPage()],  # no CDN script (server/api_docs.py)
        ),
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        middleware=[AuthenticationMiddleware()],
        # CSRF tokens tied to the desk session (server.auth.csrf), checked after access
        guards=[access_guard, csrf_guard],
        # level 5: a 5,000-record pull page in 33 ms instead of 86 ms at Litestar's default 9,
        # 3 % larger (docs/performance.md)
        compression_config=CompressionConfig(backend="gzip", minimum_size=1024, gzip_compress_level=5),
        logging_config=LoggingConfig(configure_root_logger=False, log_exceptions="debug"),
        request_max_body_size=settings.max_body_bytes,
        before_send=[remember_language, send_csrf_cookie, send_security_headers],
        debug=False,
    )


async def remember_language(message: Message, scope: Scope) -> None:
    """A page asked for with ``?lang=`` keeps that language for the pages that follow
    (the choice sticks, on every page, not only the landing page)."""
    if message["type"] != "http.response.start" or scope["type"] != "http":
        return
    lang = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("lang", [""])[0]
    if lang in LANGUAGES:
        cookie = f"{LANG_COOKIE}={lang}; Max-Age={365 * 86400}; Path=/; SameSite=Lax"
        message["headers"] = [*message.get("headers", []), (b"set-cookie", cookie.encode())]


async def open_database(app: Litestar, *, migrate: bool) -> None:
    """Connect (and optionally migrate) the database of ``app``'s settings."""
    app.state.engine = await db.connect(app.state.settings)
    if migrate:
        await db.migrate()


async def close_database(app: Litestar) -> None:
    await db.disconnect(app.state.engine)
