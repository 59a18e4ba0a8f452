"""Routes of the pwa area."""

from litestar.types import ControllerRouterHandler

ROUTES: list[ControllerRouterHandler] = []
