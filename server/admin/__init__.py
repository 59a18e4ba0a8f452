"""Routes of the admin area: users, assignments, devices, audit log, the ledger import."""

from litestar.types import ControllerRouterHandler

from server.admin import audit_log, devices, ledger, users

ROUTES: list[ControllerRouterHandler] = [*users.ROUTES, *devices.ROUTES, *audit_log.ROUTES, *ledger.ROUTES]
