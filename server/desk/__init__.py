"""Routes of the desk area: the HTMX pages of the customer-service desk (客服前台)."""

from litestar.types import ControllerRouterHandler

from server.desk import tickets

ROUTES: list[ControllerRouterHandler] = [*tickets.ROUTES]
