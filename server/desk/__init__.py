"""Routes of the desk area: the HTMX pages of the customer-service desk (客服前台)."""

from litestar.types import ControllerRouterHandler

from server.desk import (
    archive, conflicts, duplicates, duty, estate_structure, estate_switch, exports, fees, field_work, kpi,
    paid_services, reports, tickets, time_limits,
)

ROUTES: list[ControllerRouterHandler] = [
    *tickets.ROUTES, *archive.ROUTES, *field_work.ROUTES, *duplicates.ROUTES,
    *conflicts.ROUTES, *kpi.ROUTES, *exports.ROUTES, *estate_structure.ROUTES, *estate_switch.ROUTES,
    *time_limits.ROUTES, *reports.ROUTES, *duty.ROUTES, *paid_services.ROUTES,
    *fees.ROUTES,
]
