"""Routes of the desk area: the HTMX pages of the customer-service desk (客服前台)."""

from litestar.types import ControllerRouterHandler

from server.desk import (
    archive, assessment, conflicts, duplicates, duty, estate_structure, estate_switch, exports, familiarity, fees,
    field_work, kpi, meters, move_in, paid_services, renovation, reports, surveys, tickets, time_limits, visit_plan,
)

ROUTES: list[ControllerRouterHandler] = [
    *tickets.ROUTES, *archive.ROUTES, *field_work.ROUTES, *duplicates.ROUTES,
    *conflicts.ROUTES, *kpi.ROUTES, *exports.ROUTES, *estate_structure.ROUTES, *estate_switch.ROUTES,
    *time_limits.ROUTES, *reports.ROUTES, *duty.ROUTES, *paid_services.ROUTES, *move_in.ROUTES,
    *familiarity.ROUTES, *visit_plan.ROUTES, *assessment.ROUTES, *meters.ROUTES, *renovation.ROUTES,
    *surveys.ROUTES, *fees.ROUTES,
]
