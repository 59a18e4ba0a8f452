"""Helpers for the sync tests (no tests here): a phone that speaks the wire protocol over
HTTP and keeps a local replica the way the PWA does."""

from __future__ import annotations

import hashlib
from typing import Any

import httpx
import pytest

from server.settings import Settings
from tests.factories import SmallEstate, enrol, make_estate, make_user, new_id

PROTOCOL = 2


class Phone:
    """An enrolled steward phone: an outbox with seqs, a cursor and a replica."""

    def __init__(self, client: httpx.AsyncClient, headers: dict[str, str], user_id: str):
        self.client = client
        self.headers = headers
        self.device_id = headers["X-Device-Id"]
        self.user_id = user_id
        self.seq = 0
        self.outbox: list[dict[str, Any]] = []
        self.cursor: str | None = None
        self.replica: dict[tuple[str, str], dict[str, Any]] = {}

    # --- making mutations (queued in the outbox, as the PWA does) ---
    def _queue(self, mutation: dict[str, Any]) -> dict[str, Any]:
        self.seq += 1
        mutation["seq"] = self.seq
        self.outbox.append(mutation)
        return mutation

    def create(self, collection: str, fields: dict[str, Any], record_id: str | None = None) -> str:
        record_id = record_id or new_id()
        self._queue({"op": "create", "collection": collection, "id": record_id, "fields": fields})
        return record_id

    def update(self, collection: str, record_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        """An update against what the replica holds (its base values and version)."""
        row = self.replica.get((collection, record_id), {})
        return self._queue({"op": "update", "collection": collection, "id": record_id,
                            "base_version": row.get("version", 0),
                            "base": {k: row.get(k) for k in changes}, "changes": changes})

    def delete(self, collection: str, record_id: str) -> dict[str, Any]:
        row = self.replica.get((collection, record_id), {})
        return self._queue({"op": "delete", "collection": collection, "id": record_id,
                            "base_version": row.get("version", 0)})

    # --- talking to the server ---
    async def post_push(self, mutations: list[dict[str, Any]], **extra: Any) -> httpx.Response:
        body = {"protocol": PROTOCOL, "device_id": self.device_id, "mutations": mutations, **extra}
        return await self.client.post("/api/v1/sync/push", json=body, headers=self.headers)

    async def push(self) -> list[dict[str, Any]]:
        """Push the whole outbox; on success it is acknowledged (emptied)."""
        response = await self.post_push(self.outbox)
        assert response.status_code == 200, response.text
        results = response.json()["results"]
        assert [r["seq"] for r in results] == [m["seq"] for m in self.outbox]
        self.outbox = []
        return results

    async def pull_page(self, limit: int = 1000) -> dict[str, Any]:
        response = await self.client.post("/api/v1/sync/pull", headers=self.headers, json={
            "protocol": PROTOCOL, "device_id": self.device_id, "cursor": self.cursor, "limit": limit})
        assert response.status_code == 200, response.text
        page = response.json()
        if page.get("reset"):
            self.replica.clear()
        for building in page.get("evict_buildings", []):
            for key in [k for k, row in self.replica.items() if row.get("building_id") == building]:
                del self.replica[key]
        for collection, rows in page.get("records", {}).items():
            for row in rows:
                self.replica[(collection, row["id"])] = row
        self.cursor = page["cursor"]
        return page

    async def pull(self, limit: int = 1000) -> int:
        """Pull until up to date; returns the pages taken."""
        pages = 1
        while (await self.pull_page(limit)).get("more"):
            pages += 1
        return pages

    async def sync(self) -> None:
        if self.outbox:
            await self.push()
        await self.pull()

    def live(self, collection: str) -> dict[str, dict[str, Any]]:
        return {k[1]: r for k, r in self.replica.items() if k[0] == collection and not r.get("deleted")}


async def steward_phone(client: httpx.AsyncClient, building_ids: list[str]) -> Phone:
    user_id = await make_user("steward", building_ids)
    from server.store.staff import principal_of  # the username is the factory's default

    principal = await principal_of(user_id)
    assert principal is not None
    return Phone(client, await enrol(client, principal.username), user_id)


async def estate_and_phone(client: httpx.AsyncClient, buildings: int = 2,
                           assigned: int = 1) -> tuple[SmallEstate, Phone]:
    estate = await make_estate(buildings=buildings)
    phone = await steward_phone(client, estate.building_ids[:assigned])
    return estate, phone


def ticket_fields(unit_id: str, title: str = "楼道灯不亮") -> dict[str, Any]:
    return {"kind": "repair", "title": title, "unit_id": unit_id, "description": "3楼走廊"}


@pytest.fixture(name="settings", params=["files", "database"])
def both_photo_stores(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    """``settings`` on each photo store (STEWARDSYNC_PHOTO_STORE): a test module that
    imports this fixture runs every test on both stores, on both engines."""
    return settings.with_(photo_store=request.param)


def jpeg(payload: bytes = b"photo") -> bytes:
    return b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF\x00" + payload + b"\xff\xd9"


def sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


async def table_counts(*tables: str) -> dict[str, int]:
    """Row counts, to show a refused request changed nothing."""
    from server.store.sync_storage import read_snapshot

    counts = {}
    async with read_snapshot() as conn:
        for table in tables:
            row = await conn.fetchrow(f'SELECT COUNT(*) FROM "{table}"')
            counts[table] = int(row[0])
    return counts


STATE_TABLES = ("ticket", "ticket_event", "finding", "visit", "household", "conflict",
                "change_log", "applied_mutation", "attachment", "attachment_blob")
