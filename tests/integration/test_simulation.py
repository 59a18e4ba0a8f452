"""A stateful simulation through the HTTP API, on SQLite and PostgreSQL.

Five steward phones and a desk edit the same tickets, findings, visits and household
records. Phones go offline and come back (partitions), push in any order, lose responses
(and so replay), send duplicates, push part of their outbox, and pull part of the pages.
After a final full sync:

- every replica equals the server (what the phone's role may read);
- every accepted value is in the final state, or in a conflict record, or was seen and
  replaced by a later accepted edit (its base); an accepted ticket status may also have been
  passed through (a status line of the ticket's timeline moved into it);
- no ticket passed through a move the lifecycle forbids;
- no mutation was applied twice.

Each phone keeps what the server confirmed (its replica, from pulls) apart from its pending
edits (an overlay on top), as the PWA does, so a refused or conflicting edit never lingers.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
import uuid
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
from hypothesis import HealthCheck, settings as hypothesis_settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, precondition, rule

from schemas.sync import Create, Update
from server.settings import Settings
from sync import lifecycle, policy

PHONES = 5
TEXT = ["甲", "乙", "丙", "丁"]
EDITS: list[tuple[str, str, list[Any]]] = [
    ("ticket", "title", TEXT),
    ("ticket", "description", TEXT),
    ("ticket", "priority", ["urgent", "high", "normal", "low"]),
    ("ticket", "status", ["in_progress", "done", "called_back"]),  # what a steward may set
    ("finding", "description", TEXT),
    ("finding", "severity", ["low", "medium", "high", "critical"]),
    ("visit", "outcome", TEXT),
    ("visit", "status", ["planned", "done", "missed"]),
    ("household", "notes", TEXT),
    ("household", "opinions", TEXT),
]
DESK_STATUSES = ["dispatched", "in_progress", "done", "called_back", "closed"]
_db_counter = itertools.count()


class SimPhone:
    def __init__(self, http: httpx.AsyncClient, device_id: str, token: str):
        self.http, self.device_id = http, device_id
        self.headers = {"Authorization": f"Bearer {token}"}
        self.seq = 0
        self.outbox: list[dict[str, Any]] = []
        self.overlay: dict[tuple[str, str, str], Any] = {}  # pending local edits
        self.replica: dict[tuple[str, str], dict[str, Any]] = {}
        self.cursor: str | None = None
        self.online = True

    def value(self, collection: str, record_id: str, field: str) -> Any:
        key = (collection, record_id, field)
        if key in self.overlay:
            return self.overlay[key]
        return self.replica.get((collection, record_id), {}).get(field)

    def edit(self, collection: str, record_id: str, field: str, value: Any) -> None:
        row = self.replica[(collection, record_id)]
        self.seq += 1
        self.outbox.append({"op": "update", "seq": self.seq, "collection": collection, "id": record_id,
                            "base_version": row["version"],
                            "base": {field: self.value(collection, record_id, field)},
                            "changes": {field: value}})
        self.overlay[(collection, record_id, field)] = value

    def note(self, ticket_id: str, body: str) -> None:
        self.seq += 1
        self.outbox.append({"op": "create", "seq": self.seq, "collection": "ticket_event",
                            "id": str(uuid.uuid4()), "fields": {"ticket_id": ticket_id, "type": "note",
                                                                "body": body}})

    async def post(self, mutations: list[dict[str, Any]]) -> dict[str, Any]:
        response = await self.http.post("/api/v1/sync/push", headers=self.headers, json={
            "protocol": 2, "device_id": self.device_id, "mutations": mutations})
        assert response.status_code == 200, response.text
        return response.json()

    def acknowledge(self, count: int) -> None:
        self.outbox = self.outbox[count:]
        pending = {(m["collection"], m["id"], f) for m in self.outbox if m["op"] == "update"
                   for f in m["changes"]}
        self.overlay = {k: v for k, v in self.overlay.items() if k in pending}

    async def pull(self, pages: int | None, limit: int) -> None:
        while pages is None or pages > 0:
            response = await self.http.post("/api/v1/sync/pull", headers=self.headers, json={
                "protocol": 2, "device_id": self.device_id, "cursor": self.cursor, "limit": limit})
            assert response.status_code == 200, response.text
            page = response.json()
            if page.get("reset"):
                self.replica.clear()
            for collection, rows in page.get("records", {}).items():
                for row in rows:
                    self.replica[(collection, row["id"])] = row
            self.cursor = page["cursor"]
            pages = None if pages is None else pages - 1
            if not page["more"]:
                return


async def quick_user(role: str, building_ids: list[str] | None = None,
                     estate_ids: list[str] | None = None) -> str:
    """A staff account without a password hash (argon2 takes ~1 s on a busy machine; these
    users never log in: their phones are enrolled directly). An office account is given
    ``estate_ids``: since issue 11 it sees only its estates."""
    from server.store import staff
    from server.tables import StaffUser

    user_id = str(uuid.uuid4())
    await StaffUser.insert(StaffUser(id=user_id, username=f"sim-{user_id[:8]}", display_name="模拟",
                                     role=role, password_hash="!"))
    if building_ids:
        await staff.assign_buildings(user_id, building_ids)
    if estate_ids:
        await staff.assign_estates(user_id, estate_ids)
    return user_id


class SyncSimulation(RuleBasedStateMachine):
    engine_kind = "sqlite"
    template: Any = None  # a migrated SQLite file or PostgreSQL template database name
    workdir: Path = Path(".")

    def __init__(self) -> None:
        super().__init__()
        self.runner = asyncio.Runner()
        self.accepted: list[tuple[str, str, str, Any, Any]] = []  # coll, id, field, value, base
        self.notes: set[str] = set()
        self.seen_results: dict[tuple[str, int], dict[str, Any]] = {}
        self.runner.run(self._open())

    # --- set-up and tear-down ---
    async def _open(self) -> None:
        from server.app import create_app, open_database
        from server.store import staff
        from tests.conftest import pg_admin, pg_url_for
        from tests.factories import make_estate

        n = next(_db_counter)
        if self.engine_kind == "sqlite":
            folder = self.workdir / f"sim{n}"
            folder.mkdir()
            shutil.copy(self.template, folder / "stewardsync.db")
            settings = Settings(data_dir=folder, secret_key="sim")
            self.drop = None
        else:
            name = f"ss_sim_{os.getpid()}_{n}"
            await pg_admin(f"CREATE DATABASE {name} TEMPLATE {self.template}")
            settings = Settings(data_dir=self.workdir, database_url=pg_url_for(name), secret_key="sim")
            self.drop = name
        self.app = create_app(settings, migrate=False)
        await open_database(self.app, migrate=False)
        self.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url="http://sim")
        estate = await make_estate(buildings=1, units_per_building=3, vacant_every=0)
        building = estate.building_ids[0]
        units = estate.unit_ids[building]
        self.desk = await staff.principal_of(await quick_user("desk", estate_ids=[estate.estate_id]))
        self.phones = []
        for _ in range(PHONES):
            user_id = await quick_user("steward", [building])
            device_id = str(uuid.uuid4())
            token, _ = await staff.enrol_device(user_id, device_id, "sim", 30)
            self.phones.append(SimPhone(self.http, device_id, token))
        seeds = [Create(seq=i + 1, collection=c, id=str(uuid.uuid4()), fields=f) for i, (c, f) in enumerate([
            ("ticket", {"kind": "repair", "title": "甲", "unit_id": units[0]}),
            ("ticket", {"kind": "complaint", "title": "乙", "unit_id": units[1]}),
            ("finding", {"kind": "other", "unit_id": units[0], "occurred_at": "2026-11-22T08:00:00.000Z"}),
            ("visit", {"unit_id": units[2], "purpose": "routine"}),
        ])]
        results = await self._desk(seeds)
        assert all(r.status == "applied" for r in results), results
        self.targets = [(m.collection, m.id) for m in seeds]
        self.targets += [("household", h) for h in estate.household_ids.values()][:2]
        self.tickets = [m.id for m in seeds if m.collection == "ticket"]
        for phone in self.phones:
            await phone.pull(None, 500)

    async def _desk(self, mutations: list) -> list:
        from server import sync_service

        return await sync_service.apply_desk_mutations(self.desk, mutations)

    def teardown(self) -> None:
        try:
            self.runner.run(self._final_check())
        finally:
            self.runner.run(self._close())
            self.runner.close()

    async def _close(self) -> None:
        from server.app import close_database
        from tests.conftest import pg_admin

        await self.http.aclose()
        await close_database(self.app)
        if self.drop:
            await pg_admin(f"DROP DATABASE IF EXISTS {self.drop} WITH (FORCE)")

    # --- rules ---
    @rule(phone=st.integers(0, PHONES - 1), record=st.integers(0, 5), edit=st.integers(0, len(EDITS) - 1),
          pick=st.integers(0, 3))
    def phone_edits(self, phone: int, record: int, edit: int, pick: int) -> None:
        collection, field, values = EDITS[edit]
        candidates = [t for t in self.targets if t[0] == collection]
        record_id = candidates[record % len(candidates)][1]
        self.phones[phone].edit(collection, record_id, field, values[pick % len(values)])

    @rule(phone=st.integers(0, PHONES - 1), ticket=st.integers(0, 1))
    def phone_adds_note(self, phone: int, ticket: int) -> None:
        body = f"note-{uuid.uuid4().hex[:8]}"
        self.phones[phone].note(self.tickets[ticket], body)

    @rule(record=st.integers(0, 5), edit=st.integers(0, len(EDITS) - 1), pick=st.integers(0, 4))
    def desk_edits(self, record: int, edit: int, pick: int) -> None:
        collection, field, values = EDITS[edit]
        if field == "status" and collection == "ticket":
            values = DESK_STATUSES
        candidates = [t for t in self.targets if t[0] == collection]
        record_id = candidates[record % len(candidates)][1]
        self.runner.run(self._desk_edit(collection, record_id, field, values[pick % len(values)]))

    async def _desk_edit(self, collection: str, record_id: str, field: str, value: Any) -> None:
        from server.store.sync_storage import load_rows, read_snapshot

        async with read_snapshot() as conn:
            row = (await load_rows(conn, collection, [record_id]))[record_id]
        [result] = await self._desk([Update(seq=1, collection=collection, id=record_id,
                                            base_version=row["version"], base={field: row[field]},
                                            changes={field: value})])
        if result.status != "rejected":
            self.accepted.append((collection, record_id, field, value, row[field]))

    @precondition(lambda self: any(p.outbox and p.online for p in self.phones))
    @rule(phone=st.integers(0, PHONES - 1), mode=st.sampled_from(["ok", "lost", "duplicate", "part"]))
    def phone_pushes(self, phone: int, mode: str) -> None:
        self.runner.run(self._push(self.phones[phone], mode))

    async def _push(self, phone: SimPhone, mode: str) -> None:
        if not phone.online or not phone.outbox:
            return
        batch = phone.outbox[: max(1, len(phone.outbox) // 2)] if mode == "part" else list(phone.outbox)
        answer = await phone.post(batch)
        if mode == "duplicate":
            assert await phone.post(batch) == answer, "a duplicate push answered differently"
        self._note_results(phone, batch, answer["results"])
        if mode != "lost":  # a lost response: the phone never learns, keeps its outbox
            phone.acknowledge(len(batch))

    def _note_results(self, phone: SimPhone, batch: list[dict], results: list[dict]) -> None:
        for mutation, result in zip(batch, results, strict=True):
            key = (phone.device_id, mutation["seq"])
            if key in self.seen_results:
                assert self.seen_results[key] == result, "a replay answered differently"
                continue
            self.seen_results[key] = result
            if result["status"] == "rejected":
                continue
            if mutation["op"] == "update":
                for field, value in mutation["changes"].items():
                    self.accepted.append((mutation["collection"], mutation["id"], field, value,
                                          mutation["base"][field]))
            elif mutation["collection"] == "ticket_event":
                self.notes.add(mutation["fields"]["body"])

    @rule(phone=st.integers(0, PHONES - 1), pages=st.integers(1, 3), limit=st.sampled_from([2, 5, 100]))
    def phone_pulls(self, phone: int, pages: int, limit: int) -> None:
        if self.phones[phone].online:
            self.runner.run(self.phones[phone].pull(pages, limit))

    @rule(phone=st.integers(0, PHONES - 1))
    def partition(self, phone: int) -> None:
        self.phones[phone].online = not self.phones[phone].online

    # --- after everyone synced ---
    async def _final_check(self) -> None:
        for phone in self.phones:
            phone.online = True
            while phone.outbox:
                await self._push(phone, "ok")
        for phone in self.phones:
            await phone.pull(None, 50)
        server = await self._server_state()
        for phone in self.phones:
            assert phone.replica == server, "a replica differs from the server"
        self._check_accepted(server)
        self._check_lifecycle(server)
        await self._check_exactly_once(server)

    async def _server_state(self) -> dict[tuple[str, str], dict[str, Any]]:
        from server.store.sync_storage import columns_of, read_snapshot, row_from_db

        state = {}
        async with read_snapshot() as conn:
            for collection in policy.PULLED_COLLECTIONS:
                names = columns_of(collection).names
                for values in await conn.fetch(f'SELECT {", ".join(names)} FROM "{collection}"'):
                    row = row_from_db(columns_of(collection), names, values)
                    state[(collection, row["id"])] = policy.redact("steward", collection, row)
        return {key: msgspec.json.decode(msgspec.json.encode(row)) for key, row in state.items()}

    def _check_accepted(self, server: dict) -> None:
        conflicts = [r for (c, _), r in server.items() if c == "conflict"]
        moves = {(r["ticket_id"], r["to_status"]) for (c, _), r in server.items()
                 if c == "ticket_event" and r["type"] == "status"}
        for collection, record_id, field, value, _ in self.accepted:
            if server[(collection, record_id)].get(field) == value:
                continue
            if (collection, field) == ("ticket", "status") and (record_id, value) in moves:
                continue  # the ticket went through that status (its timeline says so)
            if any(c["record_id"] == record_id and c.get("field") == field and c["lost_value"] == value
                   for c in conflicts):
                continue
            seen = any(a[:3] == (collection, record_id, field) and a[4] == value and a[3] != value
                       for a in self.accepted)
            assert seen, f"accepted value lost: {collection}.{field}={value!r}"
        bodies = [r["body"] for (c, _), r in server.items() if c == "ticket_event" and r["type"] == "note"]
        assert sorted(bodies) == sorted(self.notes), "a note was lost or applied twice"

    def _check_lifecycle(self, server: dict) -> None:
        for ticket_id in self.tickets:
            lines = sorted((r for (c, _), r in server.items() if c == "ticket_event"
                            and r["ticket_id"] == ticket_id and r["type"] == "status"),
                           key=lambda r: r["version"])
            status = "received"
            for line in lines:
                assert line["from_status"] == status
                assert lifecycle.TICKET.allows(status, line["to_status"]), f"{status} → {line['to_status']}"
                status = line["to_status"]
            assert server[("ticket", ticket_id)]["status"] == status

    async def _check_exactly_once(self, server: dict) -> None:
        from server.store.sync_storage import read_snapshot

        async with read_snapshot() as conn:
            twice = await conn.fetch("SELECT device_id, seq FROM change_log WHERE seq IS NOT NULL AND "
                                     "device_id IS NOT NULL GROUP BY device_id, seq HAVING COUNT(*) > 1")
            assert not twice, f"mutations applied twice: {twice}"
            for phone in self.phones:
                row = await conn.fetchrow("SELECT last_seq FROM sync_device WHERE id = ?", phone.device_id)
                count = await conn.fetchrow("SELECT COUNT(*) FROM applied_mutation WHERE device_id = ?",
                                            phone.device_id)
                assert int(row[0]) == phone.seq == int(count[0])


@pytest.mark.slow
def test_simulation(engine_kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    machine = type(f"Sim_{engine_kind}", (SyncSimulation,), {
        "engine_kind": engine_kind, "workdir": tmp_path,
        "template": request.getfixturevalue("sqlite_template" if engine_kind == "sqlite" else "pg_template"),
    })
    machine.TestCase.settings = hypothesis_settings(
        max_examples=int(os.environ.get("SIM_EXAMPLES", "20")), stateful_step_count=30, deadline=None,
        suppress_health_check=list(HealthCheck), derandomize=False)
    machine.TestCase().runTest()
