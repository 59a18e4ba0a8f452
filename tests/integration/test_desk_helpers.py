"""Shared helpers of the desk tests (no tests here): log in, CSRF, seed tickets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from server.clock import iso
from server.tables import Building, Estate, Ticket, TicketEvent
from tests.factories import PASSWORD, make_user, new_id

HX = {"HX-Request": "true"}


async def login(client: httpx.AsyncClient, role: str = "desk") -> str:
    """Log a new staff member of ``role`` in through the real login form; returns the id."""
    user_id = await make_user(role)
    from server.store.staff import principal_of

    principal = await principal_of(user_id)
    assert principal is not None
    page = await client.get("/login")
    assert page.status_code == 200
    response = await client.post("/login", data={
        "username": principal.username, "password": PASSWORD, "next": "/desk",
        "_csrf_token": client.cookies["csrftoken"]})
    assert response.status_code in (302, 303), response.text
    return user_id


def csrf(client: httpx.AsyncClient, htmx: bool = False) -> dict[str, str]:
    headers = {"x-csrftoken": client.cookies["csrftoken"]}
    return {**headers, **HX} if htmx else headers


def ago(**delta: float) -> str:
    return iso(datetime.now(UTC) - timedelta(**delta))


def ago_today(minutes: int) -> str:
    """``minutes`` ago, but within the estate's day (China's): just after midnight there,
    the time is moved to the first minutes of the day, older still earlier, so that the
    desk's pages of "today" hold it at any hour the tests run."""
    now = datetime.now(ZoneInfo("Asia/Shanghai"))
    began = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return iso(max(now - timedelta(minutes=minutes), began + timedelta(seconds=max(1, 60 - minutes))))


async def estate_of(building_id: str | None) -> str | None:
    """The estate a row of ``building_id`` belongs to (as the merge stamps it); a row without
    a building belongs to the deployment's only estate. Rows written straight to the
    tables must carry it: the desk sees only its estates' rows (issue 11)."""
    if building_id is not None:
        row = await Building.select(Building.estate_id).where(Building.id == building_id).first()
        return row["estate_id"] if row else None
    estates = await Estate.select(Estate.id).limit(2)
    return estates[0]["id"] if len(estates) == 1 else None


async def seed_ticket(building_id: str | None, **fields: Any) -> dict[str, Any]:
    """A ticket row written straight to the table (as if synced earlier), version 1, in the
    estate of its building."""
    at = fields.pop("created_at", ago(hours=1))
    if "estate_id" not in fields:
        fields["estate_id"] = await estate_of(building_id)
    row: dict[str, Any] = {
        "id": new_id(), "version": 1, "created_at": at, "updated_at": at, "building_id": building_id,
        "kind": "repair", "priority": "normal", "status": "received", "title": "水管漏水",
        "description": "厨房水管漏水", "resolve_due_at": iso(datetime.fromisoformat(
            at.replace("Z", "+00:00")) + timedelta(hours=24)), **fields}
    await Ticket.insert(Ticket(**row))
    return row


async def seed_event(ticket_id: str, type_: str, **fields: Any) -> None:
    """A timeline line of the ticket, in the ticket's building and estate."""
    at = fields.pop("created_at", ago(minutes=30))
    ticket = await Ticket.select(Ticket.building_id, Ticket.estate_id).where(Ticket.id == ticket_id).first()
    if ticket is not None:
        fields = {"building_id": ticket["building_id"], "estate_id": ticket["estate_id"], **fields}
    await TicketEvent.insert(TicketEvent(id=new_id(), version=1, created_at=at, updated_at=at,
                                         ticket_id=ticket_id, type=type_, **fields))
