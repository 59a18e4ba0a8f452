"""Accounts, sessions, device credentials and the access guard."""

from litestar.types import ControllerRouterHandler

from server.auth.routes import ROUTES as _AUTH_ROUTES

ROUTES: list[ControllerRouterHandler] = [*_AUTH_ROUTES]
