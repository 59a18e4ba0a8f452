"""Routes of the admin area: users, assignments, devices, audit log."""

from litestar.types import ControllerRouterHandler

ROUTES: list[ControllerRouterHandler] = []
