"""The sync API: push, pull and attachments (``docs/sync-protocol.md`` is its manual)."""

from litestar.types import ControllerRouterHandler

from server.api.attachments import ATTACHMENT_ROUTES
from server.api.contract import CONTRACT_ROUTES
from server.api.sync import SYNC_ROUTES

ROUTES: list[ControllerRouterHandler] = [*SYNC_ROUTES, *ATTACHMENT_ROUTES, *CONTRACT_ROUTES]
