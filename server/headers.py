"""The headers every answer carries, set once as it is sent (a ``before_send`` hook), so that
error pages (404, 500, a refusal raised in the middleware) and static files get them too.

- ``Content-Security-Policy``: everything from our own origin only; no inline script (a
  house rule); styles may be inline only because htmx adds its indicator style itself;
  images also from ``blob:`` (the phone's photo previews); forms post only to us; no
  plugins, no framing, no other ``<base>``.
- ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: same-origin``.
- ``Cache-Control: no-store`` on every desk and admin page and export and every API answer
  (personal data stays out of shared and back/forward caches), unless the route set its
  own (a photo is ``private, immutable``; the app's files are ``no-cache``).
"""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}

PRIVATE_AREAS = ("/desk", "/admin", "/api/v1")  # their answers hold personal data
NO_STORE = "no-store"


def is_private(path: str) -> bool:
    """Whether an answer to ``path`` may hold personal data (and must not be stored)."""
    return any(path == area or path.startswith(area + "/") for area in PRIVATE_AREAS)


async def send_security_headers(message: Message, scope: Scope) -> None:
    """Add the headers above to the start of every HTTP answer (a route's own value wins)."""
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    for name, value in SECURITY_HEADERS.items():
        if name not in headers:
            headers[name] = value
    if "Cache-Control" not in headers and is_private(scope.get("path", "")):
        headers["Cache-Control"] = NO_STORE
