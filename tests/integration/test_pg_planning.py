"""A push's load by ``id = ANY($1)`` reads the primary key on a fresh database too
(``server.db.PLANNER_SETTINGS``).

What hurt: the load ran its first executions while ``finding`` was empty; at PostgreSQL's
default page costs the sixth kept a generic plan made for the empty table, a scan comparing
every row with every id (a generic plan cannot hash the array), and kept it while pushes grew
the table (570 ms per 1,000-row push at 20,000 rows) until autovacuum analyzed it."""

from __future__ import annotations

import pytest

from server.store.sync_storage import Conn, columns_of, write_transaction

WIDE = "3楼走廊灯不亮，墙面渗水，地面积水，已通知工程部 " * 8  # a finding as wide as a real one


def ids(first: int, count: int) -> list[str]:
    return [f"00000000-0000-7000-8000-{n:012d}" for n in range(first, first + count)]


def literal(keys: list[str]) -> str:
    return "'{" + ",".join(keys) + "}'"  # EXECUTE takes no parameters; these keys need no quoting


async def add_findings(conn: Conn, first: int, count: int) -> None:
    await conn.raw.execute(
        "INSERT INTO finding (id, version, kind, steward_id, description, building_id, estate_id) "
        "SELECT i, v, 'public_damage', 's', $3, 'b', 'e' FROM unnest($1::text[], $2::int8[]) AS t(i, v)",
        ids(first, count), list(range(first, first + count)), WIDE)


@pytest.mark.parametrize("engine_kind", ["postgres"])
async def test_a_load_planned_on_the_empty_table_reads_the_index_once_it_has_grown(db):
    select = ", ".join(f'"{n}"' for n in columns_of("finding").names)
    async with write_transaction() as conn:
        await add_findings(conn, 1, 20)
        await conn.raw.execute(f'PREPARE load_findings(text[]) AS SELECT {select} FROM finding WHERE "id" = ANY($1)')
        for _ in range(6):  # past the five executions after which a generic plan may be kept
            assert len(await conn.raw.fetch(f"EXECUTE load_findings({literal(ids(1, 20))})")) == 20
        await add_findings(conn, 21, 19_980)
        wanted = literal(ids(5001, 1000))
        assert len(await conn.raw.fetch(f"EXECUTE load_findings({wanted})")) == 1000
        plan = "\n".join(r[0] for r in await conn.raw.fetch(f"EXPLAIN EXECUTE load_findings({wanted})"))
        await conn.raw.execute("DEALLOCATE load_findings")
    assert "finding_pkey" in plan and "Seq Scan" not in plan, plan[:160]
