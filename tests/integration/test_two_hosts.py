"""Beyond one machine: two app hosts, each in a network namespace of its own, behind an
HAProxy load balancer, on one PostgreSQL (tests/hosts.py). Phones and a desk user go through
the balancer and land on both hosts; a photo uploaded through one host is served by the
other; a desk session made on one host works on the other, and the live refresh sees the
other host's writes; a lockout earned across both hosts holds on both; both hosts' timed
escalation sweeps escalate an overdue ticket once; one host is killed mid-push and the
other carries on: exactly once, converged, integrity check clean.

PostgreSQL only (several hosts share nothing but the database). Needs root, iproute2 and
HAProxy: skipped without them locally, a failure under CI=true (.ci/run installs HAProxy).
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bench.load_phones import Phone, Stats, seed, verify
from server import db as database
from server.auth import throttle
from server.settings import Settings
from server.tables import Ticket, TicketEvent
from tests import hosts
from tests.conftest import IN_CI, pg_admin, pg_url_for
from tests.factories import PASSWORD, make_user, new_id
from tests.integration.test_auth_session import csrf_token
from tests.integration.test_desk_helpers import ago, seed_ticket

APP_PORT = 8000
SECRET = "two-hosts-secret"


@pytest.fixture
async def pg_db(pg_template: str, tmp_path: Path) -> AsyncIterator[Settings]:
    """A fresh migrated PostgreSQL database, bound in this process (to seed and verify)."""
    problem = hosts.missing()
    if problem:
        if IN_CI:
            pytest.fail(problem + " (CI=true: the two-host run is required)")
        pytest.skip(problem)
    name = f"ss_hosts_{os.getpid()}"
    await pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    await pg_admin(f"CREATE DATABASE {name} TEMPLATE {pg_template}")
    settings = Settings(data_dir=tmp_path, database_url=pg_url_for(name), secret_key=SECRET)
    engine = await database.connect(settings)
    try:
        yield settings
    finally:
        await database.disconnect(engine)
        await pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


async def _until(check, seconds: float = 20) -> None:  # noqa: ANN001 - an async predicate
    deadline = time.monotonic() + seconds
    while not await check():
        assert time.monotonic() < deadline, f"gave up waiting for {check.__name__}"
        await asyncio.sleep(0.1)


async def test_two_hosts_behind_a_balancer(pg_db: Settings, tmp_path: Path) -> None:
    stewards, _ = await seed(6)
    await make_user("desk", username="clerk")
    await make_user("steward", username="wang")
    late = await seed_ticket(stewards[0].building_ids[0], created_at=ago(hours=30))
    env = {"STEWARDSYNC_SECRET_KEY": SECRET, "STEWARDSYNC_ESCALATION_MINUTES": "5",
           "STEWARDSYNC_LOG_LEVEL": "WARNING"}
    deadline = time.monotonic() + 240
    stats = Stats()
    with hosts.namespaces(2) as two, hosts.balancer(two, APP_PORT, 5432, tmp_path) as lb:
        await asyncio.to_thread(hosts.start_servers, two, env, str(pg_db.database_url), APP_PORT, tmp_path)
        first, second = two

        async with httpx.AsyncClient(timeout=60) as http:
            async def both_up() -> bool:
                answers = [(await http.get(lb.url + "/health")).status_code for _ in range(4)]
                return answers == [200] * 4 and min(lb.sessions().values(), default=0) > 0
            await _until(both_up)

            # both hosts swept for overdue tickets at start-up: escalated once, one line
            async def escalated() -> bool:
                row = await Ticket.select(Ticket.escalated).where(Ticket.id == late["id"]).first()
                return bool(row["escalated"])
            await _until(escalated)
            lines = await TicketEvent.count().where(
                (TicketEvent.ticket_id == late["id"]) & (TicketEvent.type == "escalated"))
            assert lines == 1

            # phones through the balancer: the morning pull, then a backlog captured offline
            phones = [Phone(s, lb.url) for s in stewards]
            await asyncio.gather(*(p.pull(http, stats, deadline) for p in phones))
            for i, phone in enumerate(phones):
                phone.capture_backlog(120, random.Random(i), photos=2)

            # a photo uploaded through the first host is served by the second
            sha, blob = next(iter(phones[0].photos.items()))
            put = await http.put(f"{first.url}/api/v1/attachments/{sha}", content=blob, headers=phones[0].headers)
            assert put.status_code in (200, 201), put.text
            phones[0].uploaded.add(sha)
            await phones[0].push(http, stats, deadline)  # its record, so the photo may be read
            got = await http.get(f"{second.url}/api/v1/attachments/{sha}", headers=phones[0].headers)
            assert got.status_code == 200 and got.content == blob

            # a desk session made on one host works on the other; the live refresh reads the database
            async with httpx.AsyncClient(base_url=first.url, timeout=60) as desk:
                token = await csrf_token(desk)
                login = await desk.post("/login", data={"username": "clerk", "password": PASSWORD,
                                                        "_csrf_token": token})
                assert login.status_code in (302, 303), login.text
                other = httpx.AsyncClient(base_url=second.url, cookies=dict(desk.cookies), timeout=60)
            page = await other.get("/desk")
            assert page.status_code == 200 and "工单" in page.text
            seen = (await other.get("/desk/live")).json()["version"]

            # failures through the balancer land on both hosts and lock the account on both
            codes = [(await http.post(lb.url + "/api/v1/devices/enrol", json={
                "username": "wang", "password": f"bad{i}", "device_id": new_id()})).json()["code"]
                for i in range(throttle.MAX_FAILURES)]
            assert codes[-1] == "account_locked", codes
            for _ in range(2):  # round robin: once on each host
                right = await http.post(lb.url + "/api/v1/devices/enrol", json={
                    "username": "wang", "password": PASSWORD, "device_id": new_id()})
                assert right.status_code == 423 and right.json()["code"] == "account_locked"

            # every phone pushes its backlog in small batches; the first host dies mid-push
            pushes = [asyncio.create_task(p.push(http, stats, deadline, batch=15)) for p in phones]
            await _until(lambda: _acknowledged_over(phones, 150), seconds=60)
            killed_at = sum(p.acknowledged for p in phones)
            first.server.kill()  # type: ignore[union-attr]
            await asyncio.gather(*pushes)
            for phone in phones:
                await phone.upload_photos(http, stats, deadline)
            for _ in range(2):
                await asyncio.gather(*(p.pull(http, stats, deadline) for p in phones))

            moved = (await other.get("/desk/live")).json()["version"]
            await other.aclose()
            served = lb.sessions()

    assert killed_at < sum(len(p.outbox) for p in phones)  # the kill came mid-push
    assert stats.retries > 0 and any(k.startswith("push") for k in stats.errors), stats.errors  # and was felt
    assert moved > seen
    assert all(count > 0 for count in served.values()) and len(served) == 2, served
    assert await verify(phones) == []


async def _acknowledged_over(phones: list[Phone], count: int) -> bool:
    return sum(p.acknowledged for p in phones) >= count
