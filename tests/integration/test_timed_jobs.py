"""The app's lifespan runs the registered timed jobs: escalation sweeps at start-up by
itself, and ``STEWARDSYNC_ESCALATION_MINUTES=0`` turns it off."""

from __future__ import annotations

import asyncio

import pytest

from server.app import create_app
from server.settings import Settings
from server.tables import Ticket
from tests.factories import make_estate
from tests.integration.test_desk_helpers import ago, seed_ticket


async def _escalated(ticket_id: str) -> bool:
    return (await Ticket.select(Ticket.escalated).where(Ticket.id == ticket_id).first())["escalated"]


@pytest.mark.parametrize("minutes", [5, 0])
async def test_the_lifespan_runs_the_escalation_job_unless_turned_off(db: Settings, minutes: int) -> None:
    estate = await make_estate(buildings=1)
    late = await seed_ticket(estate.building_ids[0], created_at=ago(hours=30))
    app = create_app(db.with_(escalation_minutes=minutes), migrate=False)
    async with app.lifespan():  # start-up … shutdown, on this test's event loop
        for _ in range(100):
            if await _escalated(late["id"]):
                break
            await asyncio.sleep(0.02)
        assert await _escalated(late["id"]) is (minutes > 0)
        assert sorted(t.get_name() for t in asyncio.all_tasks() if t.get_name().startswith("job:")) == \
            (["job:escalation"] if minutes else []) + ["job:photo_purge"]
    assert not [t for t in asyncio.all_tasks() if t.get_name().startswith("job:")]  # cancelled
