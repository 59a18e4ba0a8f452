"""Routes of the admin area: users, assignments, devices, audit log."""

from litestar.types import ControllerRouterHandler

from server.admin import audit_log, devices, users

ROUTES: list[ControllerRouterHandler] = [*users.ROUTES, *devices.ROUTES, *audit_log.ROUTES]
