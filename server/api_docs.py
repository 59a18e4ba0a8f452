"""The API's documentation page (``/api/docs``): every operation with its summary, drawn on
the server from the OpenAPI document, with a link to that document (``/api/docs/openapi.json``).

It replaces Litestar's Scalar page, which loads its script from a CDN that the
Content-Security-Policy (``server.headers``) blocks, so it showed nothing; no pinned npm
library of ``web/package.json`` holds an OpenAPI viewer. ``/api/docs/scalar`` stays as the
same page, for the links and bookmarks that name it.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.openapi.plugins import OpenAPIRenderPlugin

METHODS = ("get", "put", "post", "patch", "delete", "head")


def operations(openapi_schema: dict[str, Any]) -> list[dict[str, str]]:
    """``{method, path, summary, tags}`` of every operation, in the document's order."""
    found: list[dict[str, str]] = []
    for path, item in openapi_schema.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if operation is not None:
                summary = operation.get("summary") or operation.get("description") or ""
                found.append({"method": method.upper(), "path": path, "summary": summary,
                              "tags": ", ".join(operation.get("tags", []))})
    return found


class OperationsPage(OpenAPIRenderPlugin):
    """The page, rendered with the app's templates (``pages/api_docs.html``); no script."""

    def __init__(self) -> None:
        super().__init__(path=["/", "/scalar"])

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        template = request.app.template_engine.get_template("pages/api_docs.html")
        info = openapi_schema.get("info", {})
        return template.render(request=request, title=info.get("title", ""),
                               version=info.get("version", ""),
                               operations=operations(openapi_schema)).encode()
