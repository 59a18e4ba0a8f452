"""The estate switch of a desk user who works in several estates (项目): every desk page,
search, export and KPI then shows the estate chosen, or all of the user's estates. The
choice is a cookie the session's principal is narrowed by (``server.store.staff``); it can
only narrow what the user may see, never widen it."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import post
from litestar.datastructures import Cookie
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect

from server.auth.middleware import ESTATE_COOKIE
from server.desk.common import DeskRequest
from server.policy import OFFICE, grant

grant({"desk.estate_choose": OFFICE})  # who may open this module's routes (server.policy.ACCESS)


class Choice(msgspec.Struct, kw_only=True):
    estate: str = ""  # "" = all of my estates
    next: str = "/desk"


@post("/desk/estate/choose", name="desk.estate_choose", include_in_schema=False)
async def choose(request: DeskRequest,
                 data: Annotated[Choice, Body(media_type=RequestEncodingType.URL_ENCODED)]) -> Redirect:
    mine = {estate_id for estate_id, _ in request.user.estate_choices}
    chosen = data.estate if data.estate in mine else ""
    target = data.next if data.next.startswith("/") and not data.next.startswith("//") else "/desk"
    cookie = Cookie(key=ESTATE_COOKIE, value=chosen, httponly=True, samesite="lax", path="/",
                    max_age=365 * 86400 if chosen else 0)
    for record_page, listing in RECORD_PAGES.items():  # a record may not be in the estate chosen
        if target.startswith(record_page):
            target = listing
    return Redirect(target, status_code=303, cookies=[cookie])


RECORD_PAGES = {"/desk/tickets/": "/desk/tickets", "/desk/archive/": "/desk/archive",
                "/desk/estate/": "/desk/estate"}


ROUTES = [choose]
