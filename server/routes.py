"""Every route of the app, gathered from the area packages that own them."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from server import admin, api, auth, desk, pwa
from server.site import SITE_ROUTES


def route_handlers() -> list[ControllerRouterHandler]:
    return [*SITE_ROUTES, *auth.ROUTES, *admin.ROUTES, *api.ROUTES, *desk.ROUTES, *pwa.ROUTES]
