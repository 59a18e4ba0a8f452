"""Routes of the api area."""

from litestar.types import ControllerRouterHandler

ROUTES: list[ControllerRouterHandler] = []
