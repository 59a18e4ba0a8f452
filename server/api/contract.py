"""The wire contract in machine-readable form, beside the OpenAPI (``/api/docs/openapi.json``).

- ``GET /api/v1/schema.json`` serves the records' and messages' JSON Schema, built from the
  same Structs as the committed ``schemas/stewardsync.schema.json`` (``schemas.export.build``;
  a test keeps the file equal to them), so there is one source of truth.
- Push and pull read their raw bodies (one msgspec decode, no Litestar body parsing: the
  fast path), so Litestar cannot see their request types; ``PushOperation`` and
  ``PullOperation`` declare them in the routes' OpenAPI operations instead, without
  touching how the bodies are decoded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec
from litestar import Response, get
from litestar.openapi.spec import OpenAPIMediaType, Operation, RequestBody

from schemas.export import build
from schemas.sync import PullRequest, PushRequest
from server.policy import PUBLIC, grant

CONTRACT: dict[str, Any] = build()


def inlined(struct: type) -> dict[str, Any]:
    """``struct``'s JSON Schema with every ``$defs`` reference written in place (the request
    types are not recursive): Litestar builds the OpenAPI's own components, so a request
    schema must stand alone. A discriminator's mapping names ``$defs``, so it goes; the
    variants still tell themselves apart by their ``op`` constant."""
    document = msgspec.json.schema(struct)
    defs = document.pop("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return walk(defs[node["$ref"].rsplit("/", 1)[-1]])
            return {key: walk(value) for key, value in node.items() if key != "discriminator"}
        if isinstance(node, list):
            return [walk(item) for item in node]
        return node

    return walk(document)


def _body(struct: type, description: str) -> RequestBody:
    schema = inlined(struct)
    return RequestBody(required=True, description=description,
                       content={"application/json": OpenAPIMediaType(schema=schema)})  # type: ignore[arg-type]


@dataclass
class PushOperation(Operation):
    """The push route's operation, with its request body (``PushRequest``; protocol 1's
    ``PushRequestV1`` is in ``/api/v1/schema.json``)."""

    def __post_init__(self) -> None:
        self.request_body = _body(PushRequest, "PushRequest (protocol 2); see docs/sync-protocol.md §4")


@dataclass
class PullOperation(Operation):
    """The pull route's operation, with its request body (``PullRequest``)."""

    def __post_init__(self) -> None:
        self.request_body = _body(PullRequest, "PullRequest; see docs/sync-protocol.md §5")


@get("/api/v1/schema.json", name="api.contract", tags=["contract"],
     summary="The JSON Schema of the wire messages and of every synced record",
     description="Field lists, types, bounds and allowed values of each collection "
                 "(x-collections) and of the push/pull messages (x-messages).")
async def contract() -> Response[dict[str, Any]]:
    return Response(CONTRACT, media_type="application/json",
                    headers={"Cache-Control": "no-cache"})


grant({"api.contract": PUBLIC})

CONTRACT_ROUTES = [contract]
