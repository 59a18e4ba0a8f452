"""Load generator: many phones come up from the basement at once (loopback only, bounded).

N stewards' phones, enrolled in the morning and holding their buildings' data, each come
online with a backlog (a patrol round, findings with photos, vacant-unit checks, visits,
household notes: ``--mutations`` per phone) and then pull to convergence, while desk users
page the ticket queue. Afterwards the run verifies, on the database itself, that every
mutation was applied exactly once and that every phone's replica equals the server's rows
in its scope, and runs the integrity check.

    .venv/bin/python bench/load_phones.py --engine sqlite --phones 200 --mutations 50
    .venv/bin/python bench/load_phones.py --engine postgres --workers 2 --phones 200
    .venv/bin/python bench/load_phones.py --engine sqlite --phones 200 --arrive-over 60
    .venv/bin/python bench/load_phones.py --engine postgres --workers 2 --phones 1000 --arrive-over 300

The server runs as real processes (``stewardsync serve --workers N``) on 127.0.0.1 with a fresh
database (a temporary SQLite folder, or a new database on ``--pg-url`` dropped afterwards).
``Phone`` and ``ServerProcess`` are also used by the fault tests.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections import Counter

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LOOPBACK = "127.0.0.1"
PROTOCOL = 2
WEEK = "2026-W47"


def new_id() -> str:
    return str(uuid.uuid7()) if hasattr(uuid, "uuid7") else str(uuid.uuid4())


def now_iso() -> str:
    from server.clock import now_iso as server_now

    return server_now()


def small_jpeg(rng: random.Random, size: int = 3000) -> bytes:
    """A small JPEG-framed blob (SOI, JFIF header, filler, EOI), unique per call."""
    return (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
            + rng.randbytes(size) + b"\xff\xd9")


# --- the server under load ---------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


class ServerProcess:
    """``stewardsync serve --workers N`` on 127.0.0.1, as deployed (migrations once in the
    parent, then uvicorn's workers)."""

    def __init__(self, env: dict[str, str], log: Path, workers: int = 1, port: int | None = None,
                 host: str = LOOPBACK, wrapper: Sequence[str] = ()):
        self.env = {**os.environ, **env, "STEWARDSYNC_LOG_LEVEL": env.get("STEWARDSYNC_LOG_LEVEL", "WARNING")}
        self.workers = workers
        self.port = port or free_port()
        self.host = host
        self.url = f"http://{host}:{self.port}"
        self.log = log
        self.wrapper = list(wrapper)  # e.g. ["ip", "netns", "exec", name]: another host
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60) -> None:
        command = [*self.wrapper, sys.executable, "-m", "server.cli", "serve", "--host", self.host,
                   "--port", str(self.port), "--workers", str(self.workers)]
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=self.log.open("ab"),
                                        stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(self.url + "/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server did not start: {self.log.read_text()[-2000:]}")

    def kill(self) -> None:
        """SIGKILL the whole process group (supervisor and workers), as a crash would."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


# --- an estate for the run -------------------------------------------------------------

@dataclass
class Steward:
    user_id: str
    username: str
    building_ids: list[str]
    device_id: str = ""
    token: str = ""


async def seed(phones: int, *, units_per_building: int = 12, desk_users: int = 0,
               share: int = 2) -> tuple[list[Steward], list[str]]:
    """One building per ``share`` stewards (pairs share a building, so phones see each
    other's changes), units (every 4th vacant) and households, all versioned with
    change-log rows like any synced write; stewards' phones enrolled; desk sessions open.
    The tables must be bound (``server.db.connect``)."""
    from server.store import staff
    from server.tables import (BuildingAssignment, Building, ChangeLog, Estate, Household, StaffUser,
                               SyncClock, Unit)

    at = now_iso()
    estate_id = new_id()
    await Estate.insert(Estate(id=estate_id, code="YC", name="压测花园", address="压测路1号"))
    version = 0
    rows: dict[str, list[Any]] = {"building": [], "unit": [], "household": []}
    changes = []

    def versioned(collection: str, row: Any) -> None:
        nonlocal version
        version += 1
        row.version = version
        rows[collection].append(row)
        changes.append(ChangeLog(version=version, collection=collection, record_id=row.id,
                                 building_id=row.building_id, op="create", at=at))

    buildings = []
    for b in range(max(1, (phones + share - 1) // share)):
        building_id = new_id()
        buildings.append(building_id)
        versioned("building", Building(id=building_id, building_id=building_id, estate_id=estate_id,
                                       code=f"{b + 1}栋", name=f"{b + 1}号楼", floors=12, lifts=1,
                                       created_at=at, updated_at=at))
        for u in range(1, units_per_building + 1):
            unit_id, vacant = new_id(), u % 4 == 0
            versioned("unit", Unit(id=unit_id, building_id=building_id, code=f"{b + 1}-{u:02d}01", floor=u,
                                   unit_type="yangfang", area_m2=98.5, occupancy="vacant" if vacant else "occupied",
                                   created_at=at, updated_at=at))
            if not vacant:
                versioned("household", Household(
                    id=new_id(), building_id=building_id, unit_id=unit_id, owner_name=f"业主{b}-{u}",
                    owner_phone=f"1380000{u:04d}", notes="", created_at=at, updated_at=at))
    for table, name in ((Building, "building"), (Unit, "unit"), (Household, "household")):
        for start in range(0, len(rows[name]), 500):
            await table.insert(*rows[name][start:start + 500])
    for start in range(0, len(changes), 500):
        await ChangeLog.insert(*changes[start:start + 500])
    await SyncClock.insert(SyncClock(id=1, version=version, purged_through=0))

    first = await staff.add_user("load-steward-0", "load-password-1", "压测楼管0", "steward")
    password_hash = (await StaffUser.select(StaffUser.password_hash).where(StaffUser.id == first).first())["password_hash"]
    stewards = [Steward(first, "load-steward-0", [buildings[0]])]
    users = []
    for i in range(1, phones):
        user_id = new_id()
        users.append(StaffUser(id=user_id, username=f"load-steward-{i}", display_name=f"压测楼管{i}",
                               role="steward", password_hash=password_hash, created_at=at))
        stewards.append(Steward(user_id, f"load-steward-{i}", [buildings[i // share]]))
    for start in range(0, len(users), 500):
        await StaffUser.insert(*users[start:start + 500])
    await BuildingAssignment.insert(*[BuildingAssignment(user_id=s.user_id, building_id=s.building_ids[0],
                                                         assigned_at=at) for s in stewards])
    for s in stewards:
        s.device_id = new_id()
        s.token, _ = await staff.enrol_device(s.user_id, s.device_id, "load phone", 60)
    sessions = []
    for i in range(desk_users):
        desk_id = new_id()
        await StaffUser.insert(StaffUser(id=desk_id, username=f"load-desk-{i}", display_name=f"压测前台{i}",
                                         role="desk", password_hash=password_hash, created_at=at))
        sessions.append(await staff.open_session(desk_id))
    return stewards, sessions


# --- a phone ------------------------------------------------------------------------------

class Stats:
    def __init__(self) -> None:
        self.latency: dict[str, list[float]] = {"push": [], "pull": [], "photo": [], "desk": []}
        self.errors: dict[str, int] = {}
        self.retries = 0
        self.pushed_at = 0.0  # seconds from the start of the burst to the last push answered

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1


@dataclass
class Phone:
    """A steward's phone: an outbox of mutations (seq 1, 2, …), photos waiting to upload,
    a replica of its scope built only from pulls, and a pull cursor."""

    steward: Steward
    base_url: str
    retain_acknowledged: bool = True  # keep acknowledged mutations (to re-push after a restore)
    clock_offset_s: float = 0.0  # this phone's wall-clock error (client_time only)
    outbox: list[dict[str, Any]] = field(default_factory=list)
    acknowledged: int = 0  # highest seq the server has answered
    photos: dict[str, bytes] = field(default_factory=dict)
    uploaded: set[str] = field(default_factory=set)
    replica: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    cursor: str | None = None
    results: dict[int, dict[str, Any]] = field(default_factory=dict)
    resets: int = 0

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": "Bearer " + self.steward.token}

    def client_time(self) -> str:
        from datetime import UTC, datetime, timedelta

        from server.clock import iso

        return iso(datetime.now(UTC) + timedelta(seconds=self.clock_offset_s))

    # capture (offline) ---------------------------------------------------------------
    def mutate(self, op: str, collection: str, record_id: str, **body: Any) -> None:
        seq, at = len(self.outbox) + 1, self.client_time()
        self.outbox.append({"op": op, "seq": seq, "collection": collection, "id": record_id,
                            "client_time": at, "hlc": f"{at}/{seq:06d}", **body})

    def capture_backlog(self, count: int, rng: random.Random, photos: int = 4) -> None:
        """``count`` mutations: a round, findings (some with photos), vacant checks,
        visits and household notes, as a steward captures them in the basement."""
        building = self.steward.building_ids[0]
        units = [r for (c, _), r in self.replica.items() if c == "unit" and r["building_id"] == building]
        vacant = [u for u in units if u["occupancy"] == "vacant"] or units
        households = [r for (c, _), r in self.replica.items() if c == "household" and r["building_id"] == building]
        round_id = new_id()
        self.mutate("create", "patrol_round", round_id, fields={
            "started_at": self.client_time(), "covered_building_ids": [building], "notes": ""})
        plan = ["finding"] * 18 + ["photo"] * photos + ["vacant_check"] * 10 + ["visit"] * 10 + ["note"] * 7
        findings: list[str] = []
        for i in range(count - 1):
            kind = plan[i % len(plan)]
            if kind == "photo" and findings:
                blob = small_jpeg(rng)
                sha = hashlib.sha256(blob).hexdigest()
                self.photos[sha] = blob
                self.mutate("create", "attachment", new_id(), fields={
                    "sha256": sha, "parent_collection": "finding", "parent_id": rng.choice(findings),
                    "kind": "photo", "mime": "image/jpeg", "size": len(blob)})
            elif kind == "vacant_check" and vacant:
                unit = rng.choice(vacant)
                self.mutate("create", "vacant_check", new_id(), fields={
                    "unit_id": unit["id"], "week": WEEK, "checked_at": self.client_time(),
                    "results": {"doors_windows": "ok", "leaks": rng.choice(["ok", "defect"])},
                    "water_reading": round(rng.uniform(10, 500), 1),
                    "electric_reading": round(rng.uniform(100, 5000), 1), "notes": "门窗完好"})
            elif kind == "visit" and households:
                home = rng.choice(households)
                self.mutate("create", "visit", new_id(), fields={
                    "unit_id": home["unit_id"], "household_id": home["id"], "purpose": "routine",
                    "status": "done", "visited_at": self.client_time(), "outcome": "业主满意",
                    "satisfaction": rng.randint(3, 5), "owner_words": "楼道灯修好了"})
            elif kind == "note" and households:
                home = rng.choice(households)
                self.mutate("update", "household", home["id"], base_version=home["version"],
                            base={"notes": home.get("notes")},
                            changes={"notes": f"{self.steward.username} 走访记录 {i}"})
            else:
                finding_id = new_id()
                findings.append(finding_id)
                self.mutate("create", "finding", finding_id, fields={
                    "round_id": round_id, "building_id": building, "floor": f"{rng.randint(1, 12)}F",
                    "area": rng.choice(["cleaning", "lighting", "doors", "fire"]),
                    "kind": rng.choice(["public_damage", "safety_hazard", "other"]),
                    "severity": "medium", "description": "楼道灯不亮", "occurred_at": self.client_time()})

    # sync (online) --------------------------------------------------------------------
    async def call(self, http: httpx.AsyncClient, stats: Stats, what: str, method: str, path: str,
                   deadline: float, **kwargs: Any) -> httpx.Response:
        """One request, retried (same body) on transport errors and 5xx until ``deadline``."""
        delay = 0.05
        while True:
            started = time.perf_counter()
            try:
                response = await http.request(method, self.base_url + path, headers=self.headers,
                                              timeout=60, **kwargs)
                if response.status_code < 500:
                    stats.latency[what].append(time.perf_counter() - started)
                    return response
                stats.error(f"{what} {response.status_code} {_code(response)}")
            except httpx.TransportError as exc:
                stats.error(f"{what} {type(exc).__name__}")
            if time.monotonic() + delay > deadline:
                raise TimeoutError(f"{self.steward.username}: {what} kept failing")
            stats.retries += 1
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)

    async def push(self, http: httpx.AsyncClient, stats: Stats, deadline: float, batch: int = 1000,
                   progress: Callable[[int, int], None] | None = None, probe: bool = False) -> None:
        """Push everything not yet acknowledged, in batches of at most ``batch``;
        ``progress(acknowledged, total)`` after each batch. ``probe`` sends an empty push
        even when nothing is pending, to learn whether the server lost acknowledged seqs
        (a restore from backup): those are then sent again from the retained outbox."""
        while self.acknowledged < len(self.outbox) or probe:
            probe = False
            chunk = self.outbox[self.acknowledged:self.acknowledged + batch]
            body = {"protocol": PROTOCOL, "device_id": self.steward.device_id, "app_version": "load",
                    "pending": len(self.outbox) - self.acknowledged, "mutations": chunk}
            response = await self.call(http, stats, "push", "POST", "/api/v1/sync/push", deadline, json=body)
            if response.status_code == 409 and _code(response) == "seq_gap":
                expected = response.json()["detail"]["expected"]
                if expected - 1 > self.acknowledged or not self.retain_acknowledged:
                    raise RuntimeError(f"{self.steward.username}: server expects seq {expected}, "
                                       f"phone holds from {self.acknowledged + 1}")
                self.acknowledged = expected - 1  # the server lost them (a restore): re-send
                continue
            if response.status_code != 200:
                stats.error(f"push {response.status_code} {_code(response)}")
                raise RuntimeError(f"{self.steward.username}: push refused: {response.text[:300]}")
            answer = response.json()
            if answer["last_seq"] < self.acknowledged:  # the server lost them (a restore)
                if not self.retain_acknowledged:
                    raise RuntimeError(f"{self.steward.username}: server lost seqs after {answer['last_seq']}")
                self.acknowledged = answer["last_seq"]
                continue
            for result in answer["results"]:
                self.results[result["seq"]] = result
            self.acknowledged = max(self.acknowledged, answer["last_seq"])
            if progress is not None:
                progress(self.acknowledged, len(self.outbox))

    async def upload_photos(self, http: httpx.AsyncClient, stats: Stats, deadline: float) -> None:
        for sha, blob in self.photos.items():
            if sha in self.uploaded:
                continue
            response = await self.call(http, stats, "photo", "PUT", f"/api/v1/attachments/{sha}",
                                       deadline, content=blob)
            if response.status_code not in (200, 201):
                stats.error(f"photo {response.status_code} {_code(response)}")
                raise RuntimeError(f"{self.steward.username}: photo refused: {response.text[:300]}")
            self.uploaded.add(sha)

    async def pull(self, http: httpx.AsyncClient, stats: Stats, deadline: float, limit: int = 1000) -> int:
        """Pull pages until ``more`` is false; returns the records received."""
        received = 0
        while True:
            body = {"protocol": PROTOCOL, "device_id": self.steward.device_id, "cursor": self.cursor,
                    "limit": limit}
            response = await self.call(http, stats, "pull", "POST", "/api/v1/sync/pull", deadline, json=body)
            if response.status_code != 200:
                stats.error(f"pull {response.status_code} {_code(response)}")
                raise RuntimeError(f"{self.steward.username}: pull refused: {response.text[:300]}")
            page = response.json()
            if page.get("reset"):
                self.replica.clear()
                self.cursor = None
                self.resets += 1
                continue
            gone = set(page.get("evict_buildings") or [])
            if gone:
                self.replica = {k: r for k, r in self.replica.items() if r.get("building_id") not in gone}
            for collection, records in (page.get("records") or {}).items():
                for record in records:
                    self.replica[(collection, record["id"])] = record
                    received += 1
            self.cursor = page["cursor"]
            if not page["more"]:
                return received


def _code(response: httpx.Response) -> str:
    try:
        return str(response.json().get("code"))
    except ValueError:
        return "-"


# --- verification on the database --------------------------------------------------------

Grouped = dict[str | None, list[tuple[str, dict[str, Any]]]]


async def server_rows() -> Grouped:
    """Every versioned row of every pulled collection, read once from the tables and
    grouped by building (None: rows without one, e.g. patrol rounds)."""
    from server.tables import SYNCED_TABLES
    from sync.policy import PULLED_COLLECTIONS

    grouped: Grouped = {}
    for collection in PULLED_COLLECTIONS:
        table = SYNCED_TABLES[collection]
        for row in await table.select().where(table.version > 0).output(load_json=True):
            grouped.setdefault(row["building_id"], []).append((collection, row))
    return grouped


def server_scope(steward: Steward, grouped: Grouped) -> dict[tuple[str, str], dict[str, Any]]:
    """The server's rows a steward's phone should hold (scope and redaction by sync.policy)."""
    from sync.policy import in_scope, redact
    from sync.storage import Actor

    actor = Actor(user_id=steward.user_id, role="steward", building_ids=frozenset(steward.building_ids),
                  device_id=steward.device_id)
    candidates = [pair for key in (*steward.building_ids, None) for pair in grouped.get(key, [])]
    return {(collection, row["id"]): redact("steward", collection, row)
            for collection, row in candidates if in_scope(actor, row)}


def differences(phone: dict[tuple[str, str], dict[str, Any]],
                server: dict[tuple[str, str], dict[str, Any]], limit: int = 5) -> list[str]:
    found = [f"missing on phone: {k}" for k in server.keys() - phone.keys()]
    found += [f"extra on phone: {k}" for k in phone.keys() - server.keys()]
    for key in phone.keys() & server.keys():
        theirs, ours = server[key], phone[key]
        changed = [f for f in theirs if f in ours and not _same(ours[f], theirs[f])]
        changed += [f for f in theirs if f not in ours]
        if changed:
            found.append(f"{key} differs in {changed[:4]}")
    return found[:limit]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and abs(float(a) - float(b)) < 1e-9
    return a == b


async def verify(phones: list[Phone]) -> list[str]:
    """Exactly once, convergence and the integrity check; returns the problems found."""
    from server.ops.integrity import run_check
    from server.tables import AppliedMutation, SyncDevice

    problems: list[str] = []
    sent = sum(len(p.outbox) for p in phones)
    stored = await AppliedMutation.count()
    duplicates = await AppliedMutation.raw(
        "SELECT device_id, seq FROM applied_mutation GROUP BY device_id, seq HAVING COUNT(*) > 1")
    if stored != sent or duplicates:
        problems.append(f"exactly once: {sent} sent, {stored} recorded, {len(duplicates)} duplicated")
    seqs = {r["id"]: r["last_seq"] for r in await SyncDevice.select(SyncDevice.id, SyncDevice.last_seq)}
    behind = [p.steward.username for p in phones if seqs.get(p.steward.device_id) != len(p.outbox)]
    if behind:
        problems.append(f"last_seq short on {len(behind)} phones, e.g. {behind[:3]}")
    rejected = sum(1 for p in phones for r in p.results.values() if r["status"] == "rejected")
    if rejected:
        example = next(r for p in phones for r in p.results.values() if r["status"] == "rejected")
        problems.append(f"{rejected} mutations rejected, e.g. {example}")
    rows = await server_rows()
    for phone in phones:
        diff = differences(phone.replica, server_scope(phone.steward, rows))
        if diff:
            problems.append(f"{phone.steward.username} not converged: {diff}")
    started = time.perf_counter()
    report = await run_check()
    verify.check_seconds = time.perf_counter() - started  # type: ignore[attr-defined]
    problems += [p.line() for p in report.problems]
    return problems


# --- the run -----------------------------------------------------------------------------

def percentiles(values: list[float]) -> str:
    if not values:
        return "n/a"
    ordered = sorted(values)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000  # noqa: E731
    return (f"p50 {pick(0.50):.0f} ms, p95 {pick(0.95):.0f} ms, p99 {pick(0.99):.0f} ms, "
            f"max {ordered[-1] * 1000:.0f} ms (n={len(values)})")


async def desk_user(http: httpx.AsyncClient, base_url: str, session: str, stats: Stats,
                    stop: asyncio.Event) -> str:
    """Page the ticket queue (/desk?page=N) until the phones are done."""
    from server.auth.middleware import SESSION_COOKIE

    page = 1
    while not stop.is_set():
        started = time.perf_counter()
        response = await http.get(f"{base_url}/desk", params={"page": page},
                                  cookies={SESSION_COOKIE: session}, timeout=60)
        if response.status_code == 404:
            return "the desk queue page /desk is not there yet: desk users skipped"
        if response.status_code >= 500 or response.status_code in (401, 403):
            stats.error(f"desk {response.status_code}")
        else:
            stats.latency["desk"].append(time.perf_counter() - started)
        page = page % 5 + 1
        await asyncio.sleep(0.2)
    return f"desk users paged /desk {len(stats.latency['desk'])} times"


async def run_phones(phones: list[Phone], base_url: str, sessions: list[str], seconds: float) -> tuple[Stats, float, str]:
    stats = Stats()
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=len(phones) + len(sessions) + 10, max_keepalive_connections=50)
    async with httpx.AsyncClient(limits=limits) as http:
        # morning: every phone pulls its scope (not timed), then captures a backlog offline
        await asyncio.gather(*(p.pull(http, Stats(), deadline) for p in phones))
        for i, phone in enumerate(phones):
            phone.capture_backlog(ARGS.mutations, random.Random(i), photos=ARGS.photos)
        # shift change: all at once (the stress case), or arriving at a steady rate over
        # ``--arrive-over`` seconds (open loop: phone i comes up at i × interval whatever the
        # server's pace, as stewards do coming up from the basements over a shift)
        stop = asyncio.Event()
        desks = [asyncio.create_task(desk_user(http, base_url, s, stats, stop)) for s in sessions]
        started = time.perf_counter()
        interval = ARGS.arrive_over / len(phones) if phones else 0.0

        async def come_online(phone: Phone, index: int) -> None:
            await asyncio.sleep(max(0.0, started + index * interval - time.perf_counter()))
            await phone.push(http, stats, deadline)
            stats.pushed_at = max(stats.pushed_at, time.perf_counter() - started)
            await phone.upload_photos(http, stats, deadline)
            await phone.pull(http, stats, deadline)

        await asyncio.gather(*(come_online(p, i) for i, p in enumerate(phones)))
        elapsed = time.perf_counter() - started
        stop.set()
        desk_note = (await asyncio.gather(*desks))[0] if desks else "no desk users"
        # evening: a last pull picks up what partners pushed after our pull
        await asyncio.gather(*(p.pull(http, Stats(), deadline) for p in phones))
    return stats, elapsed, desk_note


@contextmanager
def database(engine: str, pg_url: str, folder: Path) -> Iterator[dict[str, str]]:
    """Environment for a fresh database of ``engine`` (dropped afterwards on PostgreSQL)."""
    if engine == "sqlite":
        yield {"STEWARDSYNC_DATA_DIR": str(folder)}
        return
    import asyncpg

    name = f"ss_load_{os.getpid()}"
    admin = pg_url

    async def sql(statement: str) -> None:
        conn = await asyncpg.connect(admin)
        try:
            await conn.execute(statement)
        finally:
            await conn.close()

    asyncio.run(sql(f"CREATE DATABASE {name}"))
    try:
        yield {"STEWARDSYNC_DATA_DIR": str(folder),
               "STEWARDSYNC_DATABASE_URL": admin.rsplit("/", 1)[0] + "/" + name}
    finally:
        asyncio.run(sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


async def prepare(env: dict[str, str]) -> tuple[list[Steward], list[str]]:
    from server import db
    from server.settings import load_settings

    settings = load_settings({**env, "STEWARDSYNC_SECRET_KEY": "load"})
    engine = await db.connect(settings)
    try:
        await db.migrate()
        return await seed(ARGS.phones, desk_users=ARGS.desk_users)
    finally:
        await db.disconnect(engine)


async def check(env: dict[str, str], phones: list[Phone]) -> tuple[list[str], list[str]]:
    from server import db
    from server.settings import load_settings

    settings = load_settings({**env, "STEWARDSYNC_SECRET_KEY": "load"})
    engine = await db.connect(settings)
    try:
        return await verify(phones), [*await footprint(), await backup_rate(settings)]
    finally:
        await db.disconnect(engine)


async def backup_rate(settings: Any) -> str:
    """``stewardsync backup`` of the run's database, timed: seconds per GB of database."""
    from server.ops.backup import backup

    target = Path(settings.data_dir) / "footprint-backup"
    info = await asyncio.to_thread(backup, settings, target)
    target.unlink()
    return (f"backup {info.bytes / 1e6:,.1f} MB written in {info.seconds:.2f} s "
            f"({info.bytes / 1e6 / max(info.seconds, 1e-9):,.0f} MB/s of backup file)")


FOOTPRINT = ("change_log", "applied_batch", "attachment_blob")  # applied_batch: one row per push


async def footprint() -> list[str]:
    """The database's bytes per row (table + indexes + TOAST) of the tables that grow with
    every sync, and in all: the per-unit costs of docs/scale.md."""
    from server.tables import ChangeLog

    db = ChangeLog._meta.db
    if db.engine_type == "postgres":
        sizes = {r["name"]: int(r["bytes"]) for r in await ChangeLog.raw(
            "SELECT c.relname AS name, pg_total_relation_size(c.oid) AS bytes FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'")}
    else:  # SQLite's dbstat: every page of each table and of its indexes
        pages = await ChangeLog.raw("SELECT tbl_name AS tbl, name FROM sqlite_schema WHERE type IN ('table', 'index')")
        owner = {r["name"]: r["tbl"] for r in pages}
        sizes = {}
        for r in await ChangeLog.raw("SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name"):
            table = owner.get(r["name"], r["name"])
            sizes[table] = sizes.get(table, 0) + int(r["bytes"])
    lines = []
    for table in FOOTPRINT:
        rows = (await ChangeLog.raw(f"SELECT COUNT(*) AS n FROM {table}"))[0]["n"]
        lines.append(f"{table} {sizes.get(table, 0) / max(rows, 1):,.0f} bytes/row ({rows:,} rows)")
    mutations = (await ChangeLog.raw("SELECT COUNT(*) AS n FROM applied_mutation"))[0]["n"]
    lines.append(f"applied_batch {sizes.get('applied_batch', 0) / max(mutations, 1):,.0f} bytes per mutation")
    photos = sizes.get("attachment_blob", 0)
    lines.append(f"whole database {sum(sizes.values()) / 1e6:,.1f} MB, "
                 f"{(sum(sizes.values()) - photos) / max(mutations, 1):,.0f} bytes per mutation without the photos")
    from server.store import photo_store  # photos kept as files (STEWARDSYNC_PHOTO_STORE=files) are outside the database

    on_disk = [path.stat().st_size for path in photo_store.files().files()]
    if on_disk:
        lines.append(f"photo files {sum(on_disk) / 1e6:,.1f} MB in {len(on_disk):,} files")
    return lines


def logged_errors(log: Path) -> "Counter[str]":
    """The last line of each unhandled error's traceback in the server's JSON log, counted."""
    import json
    from collections import Counter

    found: Counter[str] = Counter()
    for line in log.read_text(errors="replace").splitlines() if log.exists() else []:
        if '"level":"error"' in line:
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            found[(entry.get("exc") or entry.get("msg") or "").strip().splitlines()[-1][:200]] += 1
    return found


def postgres_cpu() -> dict[int, float]:
    """CPU seconds (user + system) of each PostgreSQL process on this machine, by pid, from
    /proc: the database's share of a run, which the server's own figure leaves out."""
    tick = os.sysconf("SC_CLK_TCK")
    found: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name, rest = text[text.index("(") + 1:text.rindex(")")], text[text.rindex(")") + 2:].split()
        if name.startswith("postgres"):
            found[int(stat.parent.name)] = (int(rest[11]) + int(rest[12])) / tick
    return found


def cpu_since(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def calibration() -> float:
    """Seconds for a 1M-iteration Python loop (~0.06 s on an idle core of this class)."""
    started = time.perf_counter()
    for _ in range(1_000_000):
        pass
    return time.perf_counter() - started


def main() -> int:
    import resource

    started = time.monotonic()
    load_before, loop = os.getloadavg()[0], calibration()
    with tempfile.TemporaryDirectory(prefix="ss_load_") as tmp, database(ARGS.engine, ARGS.pg_url, Path(tmp)) as env:
        env = {**env, "STEWARDSYNC_SECRET_KEY": "load-secret", "STEWARDSYNC_DB_POOL_SIZE": str(ARGS.pool)}
        stewards, sessions = asyncio.run(prepare(env))
        server = ServerProcess(env, Path(tmp) / "server.log", workers=ARGS.workers)
        database_before = postgres_cpu()
        server.start()
        try:
            phones = [Phone(s, server.url) for s in stewards]
            own_cpu = resource.getrusage(resource.RUSAGE_SELF)
            stats, elapsed, desk_note = asyncio.run(
                run_phones(phones, server.url, sessions, ARGS.seconds - (time.monotonic() - started)))
            own = resource.getrusage(resource.RUSAGE_SELF)
            generator_cpu = own.ru_utime + own.ru_stime - own_cpu.ru_utime - own_cpu.ru_stime
            database_cpu = cpu_since(database_before, postgres_cpu())
        finally:
            server.stop()
        server_errors = logged_errors(server.log)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        server_cpu = children.ru_utime + children.ru_stime
        problems, sizes = asyncio.run(check(env, phones))
    sent = sum(len(p.outbox) for p in phones)
    print(f"engine {ARGS.engine}, {ARGS.workers} server process(es), {len(phones)} phones × "
          f"{ARGS.mutations} mutations (+{ARGS.photos} photos each) = {sent} mutations")
    print(f"machine: load average {load_before:.1f} before / {os.getloadavg()[0]:.1f} after, "
          f"1M-iteration loop {loop:.3f} s; CPU used: load generator {generator_cpu:.1f} s, "
          f"server processes {server_cpu:.1f} s"
          + (f", PostgreSQL {database_cpu:.1f} s" if ARGS.engine == "postgres" else ""))
    if ARGS.arrive_over:
        print(f"open loop: {len(phones)} phones arriving evenly over {ARGS.arrive_over:.0f} s "
              f"(one every {ARGS.arrive_over / len(phones) * 1000:.0f} ms); last sync done after "
              f"{elapsed:.2f} s; CPU per phone sync (push + photos + pulls, desk paging "
              f"included): server {server_cpu / len(phones) * 1000:.0f} ms"
              + (f" + PostgreSQL {database_cpu / len(phones) * 1000:.0f} ms" if ARGS.engine == "postgres" else ""))
    else:
        print(f"burst: {elapsed:.2f} s wall, {sent / elapsed:.0f} mutations/s end to end "
              f"(push + photos + pull of every phone); all pushes answered after {stats.pushed_at:.2f} s "
              f"({sent / max(stats.pushed_at, 1e-9):.0f} mutations/s)")
    for what in ("push", "pull", "photo", "desk"):
        print(f"{what:>5}: {percentiles(stats.latency[what])}")
    print(f"errors: {sum(stats.errors.values())} {stats.errors or ''}, retries: {stats.retries}")
    for line, count in server_errors.most_common(3):
        print(f"  server logged {count}x: {line}")
    print(desk_note)
    print("verified: exactly once, convergence, integrity check: "
          + ("OK" if not problems else f"{len(problems)} PROBLEM(S)")
          + f" (the integrity check took {getattr(verify, 'check_seconds', 0):.2f} s)")
    for problem in problems[:20]:
        print("  " + problem)
    print("storage: " + "; ".join(sizes))
    return 0 if not problems and not stats.errors else 1


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--pg-url", default=os.environ.get("STEWARDSYNC_TEST_PG_URL",
                                                           "postgresql://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--workers", type=int, default=1, help="server processes")
    parser.add_argument("--pool", type=int, default=10, help="PostgreSQL connections per process")
    parser.add_argument("--phones", type=int, default=200)
    parser.add_argument("--mutations", type=int, default=50, help="backlog per phone")
    parser.add_argument("--photos", type=int, default=4, help="photos per phone")
    parser.add_argument("--desk-users", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=600, help="hard limit for the whole run")
    parser.add_argument("--arrive-over", type=float, default=0.0,
                        help="open loop: phones arrive evenly over this many seconds (0: all at once)")
    args = parser.parse_args(argv)
    if args.phones > 2000 or args.mutations > 1000:
        parser.error("bounded: at most 2,000 phones and 1,000 mutations each")
    return args


ARGS = parse([])

if __name__ == "__main__":
    ARGS = parse()
    raise SystemExit(main())
