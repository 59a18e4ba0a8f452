"""The steward's phone app: the app shell, its service worker, manifest and messages.

The shell (``web/static/app/index.html``) and the ES modules beside it are static; this
package only serves what needs a route of its own: ``/app/`` (the shell), ``/sw.js`` (at
the root so that its scope is ``/``, stamped with a version made from the app's files so
that every change of the app installs a new worker), the manifest, the message
catalogues (``web/i18n/*.json``) and the schema (collections and vocabularies, from
``schemas.vocab``: ``server.pwa.schema``) that the app reads once and keeps offline.
"""

from __future__ import annotations

from litestar import Response, get
from litestar.types import ControllerRouterHandler

from server.pwa.assets import manifest, messages, service_worker, shell
from server.pwa.schema import schema

NO_CACHE = {"Cache-Control": "no-cache"}


@get("/app/", name="pwa.shell", include_in_schema=False)
async def app_shell() -> Response[bytes]:
    return Response(shell(), media_type="text/html", headers=NO_CACHE)  # Litestar adds the charset


@get("/sw.js", name="pwa.worker", include_in_schema=False)
async def worker() -> Response[bytes]:
    headers = {**NO_CACHE, "Service-Worker-Allowed": "/"}
    return Response(service_worker(), media_type="text/javascript", headers=headers)


@get("/app/manifest.webmanifest", name="pwa.manifest", include_in_schema=False)
async def web_manifest() -> Response[bytes]:
    return Response(manifest(), media_type="application/manifest+json", headers=NO_CACHE)


@get("/app/messages.json", name="pwa.messages", include_in_schema=False)
async def app_messages() -> Response[bytes]:
    return Response(messages(), media_type="application/json", headers=NO_CACHE)


@get("/app/schema.json", name="pwa.schema", include_in_schema=False)
async def app_schema() -> Response[bytes]:
    return Response(schema(), media_type="application/json", headers=NO_CACHE)


ROUTES: list[ControllerRouterHandler] = [app_shell, worker, web_manifest, app_messages, app_schema]
