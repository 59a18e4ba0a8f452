"""The integrity check: the change log, the applied-mutation records and the tables agree.

What must hold after any crash, restore or purge (each failure is one ``Problem``):

- ``clock``: at most one ``sync_clock`` row (id 1); ``0 <= purged_through <= version``.
- ``record_above_clock`` / ``record_without_change``: every synced record's version is at
  most the clock, and a record with a version above 0 has the change-log row of that
  version for that record (version 0 marks rows that never went through sync).
- ``change_log_duplicate`` / ``change_log_above_clock`` / ``change_log_collection``:
  change-log versions are unique, at most the clock, and name a synced collection.
- ``mutation_duplicate`` / ``mutation_without_change`` / ``mutation_above_clock`` /
  ``mutation_unknown_device``: (device, seq) is unique; an applied or conflicting mutation
  that reached a version has a change-log row from that device and seq (or, when it was
  answered without a write, its version is a change of that same record); no mutation's
  version is above the clock; every mutation belongs to an enrolled device.
- ``conflict_missing``: every conflict record a mutation's stored result names exists.
- ``device_seq``: a device's ``last_seq`` equals its highest processed seq, and its seqs
  run 1…last_seq without gaps.
- ``photo_missing`` / ``photo_size`` / ``photo_damaged``: every stored photo
  (``attachment_blob`` row) has its bytes in the database or in the files store
  (``DATA_DIR/photos``), of the row's size; with ``verify_photos`` every byte is read and
  checked against its sha256. Files no row names (an upload whose transaction failed,
  swept by ``stewardsync purge``) are counted, not a problem.

Queries are set-based (joins and GROUP BY), so the check reads each table a few times
whatever its size, and reports at most ``EXAMPLES`` rows per kind of problem.
"""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec

from server.store import photo_store
from server.tables import SYNCED_TABLES, ChangeLog

EXAMPLES = 20


class Problem(msgspec.Struct, frozen=True):
    code: str
    message: str

    def line(self) -> str:
        return f"{self.code}: {self.message}"


class Report(msgspec.Struct):
    problems: list[Problem]
    counts: dict[str, int]

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        counted = ", ".join(f"{value} {name}" for name, value in self.counts.items())
        verdict = "ok" if self.ok else f"{len(self.problems)} problem(s)"
        return f"integrity check: {verdict} ({counted})"


async def _rows(sql: str, *args: Any) -> list[dict[str, Any]]:
    return await ChangeLog.raw(sql, *args)


async def _scalar(sql: str) -> int:
    rows = await _rows(sql)
    value = next(iter(rows[0].values())) if rows else 0
    return int(value or 0)


async def check_clock(problems: list[Problem]) -> tuple[int, int]:
    rows = await _rows("SELECT id, version, purged_through FROM sync_clock ORDER BY id")
    if len(rows) > 1 or (rows and rows[0]["id"] != 1):
        problems.append(Problem("clock", f"expected one sync_clock row with id 1, found ids {[r['id'] for r in rows]}"))
    if not rows:
        return 0, 0
    clock, purged = int(rows[0]["version"] or 0), int(rows[0]["purged_through"] or 0)
    if not 0 <= purged <= clock:
        problems.append(Problem("clock", f"purged_through {purged} outside 0…{clock} (the clock)"))
    return clock, purged


async def check_records(problems: list[Problem], clock: int) -> int:
    total = 0
    for collection, table in SYNCED_TABLES.items():
        name = table._meta.tablename
        total += await _scalar(f"SELECT COUNT(*) AS n FROM {name}")
        for row in await _rows(f"SELECT id, version FROM {name} WHERE version > {{}} "
                               f"ORDER BY version LIMIT {EXAMPLES}", clock):
            problems.append(Problem("record_above_clock",
                                    f"{collection} {row['id']} has version {row['version']} above the clock {clock}"))
        missing = await _rows(
            f"SELECT t.id, t.version FROM {name} t LEFT JOIN change_log c "
            f"ON c.version = t.version AND c.record_id = t.id AND c.collection = {{}} "
            f"WHERE t.version > 0 AND c.version IS NULL ORDER BY t.version LIMIT {EXAMPLES}", collection)
        for row in missing:
            problems.append(Problem("record_without_change",
                                    f"{collection} {row['id']} version {row['version']} has no change_log row"))
    return total


async def check_change_log(problems: list[Problem], clock: int) -> int:
    total = await _scalar("SELECT COUNT(*) AS n FROM change_log")
    for row in await _rows(f"SELECT version, COUNT(*) AS n FROM change_log GROUP BY version "
                           f"HAVING COUNT(*) > 1 ORDER BY version LIMIT {EXAMPLES}"):
        problems.append(Problem("change_log_duplicate", f"version {row['version']} appears {row['n']} times"))
    for row in await _rows(f"SELECT version, collection, record_id FROM change_log WHERE version > {{}} "
                           f"ORDER BY version LIMIT {EXAMPLES}", clock):
        problems.append(Problem("change_log_above_clock",
                                f"version {row['version']} ({row['collection']} {row['record_id']}) "
                                f"is above the clock {clock}"))
    known = ", ".join(f"'{name}'" for name in SYNCED_TABLES)
    for row in await _rows(f"SELECT collection, COUNT(*) AS n FROM change_log "
                           f"WHERE collection NOT IN ({known}) GROUP BY collection"):
        problems.append(Problem("change_log_collection",
                                f"{row['n']} change_log row(s) name unknown collection {row['collection']!r}"))
    return total


async def check_mutations(problems: list[Problem], clock: int) -> int:
    total = await _scalar("SELECT COUNT(*) AS n FROM applied_mutation")
    for row in await _rows(f"SELECT device_id, seq, COUNT(*) AS n FROM applied_mutation "
                           f"GROUP BY device_id, seq HAVING COUNT(*) > 1 LIMIT {EXAMPLES}"):
        problems.append(Problem("mutation_duplicate",
                                f"device {row['device_id']} seq {row['seq']} recorded {row['n']} times"))
    # A mutation that wrote has change-log rows from its device and seq; one answered
    # without a write (a create identical to the existing record) names a version that is
    # a real change of that same record.
    orphans = await _rows(
        "SELECT a.device_id, a.seq, a.version FROM applied_mutation a "
        "LEFT JOIN (SELECT DISTINCT device_id, seq FROM change_log WHERE device_id IS NOT NULL) c "
        "ON c.device_id = a.device_id AND c.seq = a.seq "
        "LEFT JOIN change_log v ON v.version = a.version "
        "AND v.collection = a.collection AND v.record_id = a.record_id "
        "WHERE a.version IS NOT NULL AND a.status IN ('applied', 'conflict') "
        f"AND c.seq IS NULL AND v.version IS NULL ORDER BY a.device_id, a.seq LIMIT {EXAMPLES}")
    for row in orphans:
        problems.append(Problem("mutation_without_change",
                                f"device {row['device_id']} seq {row['seq']} reached version "
                                f"{row['version']} but no change_log row comes from it"))
    for row in await _rows(f"SELECT device_id, seq, version FROM applied_mutation WHERE version > {{}} "
                           f"LIMIT {EXAMPLES}", clock):
        problems.append(Problem("mutation_above_clock",
                                f"device {row['device_id']} seq {row['seq']} version {row['version']} "
                                f"is above the clock {clock}"))
    for row in await _rows("SELECT a.device_id, COUNT(*) AS n FROM applied_mutation a "
                           "LEFT JOIN sync_device d ON d.id = a.device_id WHERE d.id IS NULL "
                           f"GROUP BY a.device_id LIMIT {EXAMPLES}"):
        problems.append(Problem("mutation_unknown_device",
                                f"{row['n']} mutation(s) of device {row['device_id']}, which is not enrolled"))
    return total


async def check_conflicts(problems: list[Problem]) -> int:
    """Every conflict record a mutation's stored result names exists (the losing value is
    kept, as the protocol promises)."""
    named: dict[str, tuple[str, int]] = {}
    for row in await _rows("SELECT device_id, seq, result FROM applied_mutation WHERE status = 'conflict'"):
        result = row["result"]
        result = msgspec.json.decode(result) if isinstance(result, (str, bytes)) else result
        for conflict_id in result.get("conflict_ids") or []:
            named[conflict_id] = (row["device_id"], row["seq"])
    ids, found = list(named), set()
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ", ".join("{}" for _ in chunk)
        found |= {r["id"] for r in await _rows(f"SELECT id FROM conflict WHERE id IN ({marks})", *chunk)}
    for conflict_id in [i for i in ids if i not in found][:EXAMPLES]:
        device_id, seq = named[conflict_id]
        problems.append(Problem("conflict_missing", f"device {device_id} seq {seq} names conflict "
                                                    f"{conflict_id}, which does not exist"))
    return len(ids)


async def check_devices(problems: list[Problem]) -> int:
    rows = await _rows(
        "SELECT d.id, d.last_seq, COUNT(DISTINCT a.seq) AS n, MIN(a.seq) AS low, MAX(a.seq) AS high "
        "FROM sync_device d LEFT JOIN applied_mutation a ON a.device_id = d.id "
        "GROUP BY d.id, d.last_seq")
    shown = 0
    for row in rows:
        last, count = int(row["last_seq"] or 0), int(row["n"] or 0)
        high, low = int(row["high"] or 0), int(row["low"] or 0)
        if last == high and count == high and (count == 0 or low == 1):
            continue
        shown += 1
        if shown > EXAMPLES:
            continue
        problems.append(Problem("device_seq",
                                f"device {row['id']} last_seq {last}, processed seqs {low}…{high} "
                                f"({count} distinct; expected 1…{last} without gaps)"))
    return len(rows)


async def check_photos(problems: list[Problem], counts: dict[str, int], *, verify: bool) -> None:
    files = photo_store.files()
    length = "octet_length" if ChangeLog._meta.db.engine_type == "postgres" else "length"
    rows = await _rows(f"SELECT sha256, size, {length}(content) AS held FROM attachment_blob ORDER BY sha256")
    names = set(await asyncio.to_thread(lambda: set(files.names())))
    found: dict[str, list[str]] = {"photo_missing": [], "photo_size": [], "photo_damaged": []}
    for row in rows:
        sha, size, held = row["sha256"], int(row["size"] or 0), int(row["held"] or 0)
        on_disk = files.path(sha).stat().st_size if sha in names else None
        if not held and on_disk is None:
            found["photo_missing"].append(f"photo {sha} ({size} bytes) is in neither the database nor {files.root}")
        elif (held or on_disk) != size:
            found["photo_size"].append(f"photo {sha} holds {held or on_disk} bytes, its row says {size}")
        elif verify and await _damaged(sha, held > 0):
            found["photo_damaged"].append(f"photo {sha}: its bytes do not match its sha256")
    for code, messages in found.items():
        problems.extend(Problem(code, message) for message in messages[:EXAMPLES])
    counts["photos"] = len(rows)
    counts["photos in files"] = len(names & {row["sha256"] for row in rows})
    counts["photo files no row names"] = len(names - {row["sha256"] for row in rows})


async def _damaged(sha256: str, in_database: bool) -> bool:
    if in_database:
        rows = await _rows("SELECT content FROM attachment_blob WHERE sha256 = {}", sha256)
        return photo_store.sha256_of(bytes(rows[0]["content"])) != sha256
    return await asyncio.to_thread(photo_store.files().read, sha256) is None


async def run_check(*, verify_photos: bool = False) -> Report:
    """Run every check on the bound database (``server.db.connect`` first)."""
    problems: list[Problem] = []
    clock, _purged = await check_clock(problems)
    counts = {
        "records": await check_records(problems, clock),
        "change_log rows": await check_change_log(problems, clock),
        "mutations": await check_mutations(problems, clock),
        "devices": await check_devices(problems),
        "conflicts named": await check_conflicts(problems),
        "clock": clock,
    }
    await check_photos(problems, counts, verify=verify_photos)
    return Report(problems=problems, counts=counts)
