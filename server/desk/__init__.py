"""Routes of the desk area."""

from litestar.types import ControllerRouterHandler

ROUTES: list[ControllerRouterHandler] = []
