"""What the admin pages share: page-or-partial rendering, forms, the acting user."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.response import Redirect, Template

from server.auth.principal import Principal

AdminRequest = Request[Principal, Any, Any]


def is_htmx(request: AdminRequest) -> bool:
    return bool(request.headers.get("hx-request")) and not request.headers.get("hx-boosted")


def render(request: AdminRequest, page: str, context: dict[str, Any], *, partial: str | None = None,
           status_code: int = 200) -> Template:
    """The full page, or only ``partial`` for an HTMX request (the page ``include``s it)."""
    name = f"partials/admin/{partial}" if partial and is_htmx(request) else f"pages/admin/{page}"
    return Template(template_name=name, context={**context, "user": request.user}, status_code=status_code)


def after_write(request: AdminRequest, location: str, partial: str, context: dict[str, Any]) -> Template | Redirect:
    """HTMX posts get the changed partial in place; plain form posts a redirect (PRG)."""
    if request.headers.get("hx-request"):
        return Template(template_name=f"partials/admin/{partial}",
                        context={**context, "user": request.user})
    return Redirect(location, status_code=303)


def client_ip(request: AdminRequest) -> str:
    return request.client.host if request.client else ""
