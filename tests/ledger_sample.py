"""A generated owner ledger (业户台账) of any size, as an office's Excel holds it: the cells of
each sheet in the template's column order (``server.ledger.sheets``). Shared by the import
tests and bench/bench_import.py."""

from __future__ import annotations

import random
from typing import Any

from server.ledger.sheets import BILLS, BUILDINGS, HOUSEHOLDS, STAFF, UNITS
from server.ledger.workbook import write_book

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
UNITS_PER_BUILDING = 200  # 20 floors × 2 entrances × 5 units… near enough: 10 floors × 20


def sample_rows(households: int, *, seed: int = 7, month: str = "2026-11") -> dict[str, list[list[Any]]]:
    """Cells per sheet: ``households`` units each with its household and one bill, in
    buildings of 200 units, a steward per four buildings, a desk clerk and a manager."""
    rng = random.Random(seed)
    buildings = max(1, -(-households // UNITS_PER_BUILDING))
    rows: dict[str, list[list[Any]]] = {s.name: [] for s in (BUILDINGS, UNITS, HOUSEHOLDS, STAFF, BILLS)}
    for b in range(1, buildings + 1):
        rows[BUILDINGS.name].append([f"{b}栋", f"{b}号楼", 10, 2])
    for n in range(households):
        b, k = divmod(n, UNITS_PER_BUILDING)
        floor, slot = divmod(k, 20)
        entrance, number = divmod(slot, 10)
        building = f"{b + 1}栋"
        unit = f"{b + 1}-{entrance + 1}-{floor + 1:02d}{number + 1:02d}"
        occupancy = rng.choices(["已入住", "空置", "装修中"], [85, 12, 3])[0]
        rows[UNITS.name].append([building, unit, floor + 1, rng.choice(["洋房", "叠加", "联排"]),
                                 round(rng.uniform(70, 180), 1), occupancy])
        owner = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        phone = f"13{rng.randrange(10**9):09d}"
        spouse = rng.choice(SURNAMES) + rng.choice(GIVEN)
        rows[HOUSEHOLDS.name].append([
            building, unit, owner, phone, f"3301{rng.randrange(10**13):013d}X",
            f"{spouse}(配偶,{rng.randrange(28, 70)},13{rng.randrange(10**9):09d})", "三口之家",
            "自住", None, None, f"2020-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}", None,
            None, None, None, None, "普通业主", "否",
        ])
        due = round(rng.uniform(150, 600), 2)
        paid = rng.random() < 0.8
        rows[BILLS.name].append([building, unit, month, due, due if paid else 0,
                                 f"{month}-{rng.randrange(1, 28):02d}" if paid else None])
    for s in range(0, buildings, 4):
        codes = "、".join(f"{b + 1}栋" for b in range(s, min(s + 4, buildings)))
        rows[STAFF.name].append([f"steward{s // 4 + 1}", f"管家{s // 4 + 1}", "管家",
                                 f"136{rng.randrange(10**8):08d}", codes])
    rows[STAFF.name].append(["desk1", "前台小李", "前台", "13600000001", None])
    rows[STAFF.name].append(["manager1", "客服经理老周", "客服经理", "13600000002", None])
    return rows


def workbook(rows: dict[str, list[list[Any]]]) -> bytes:
    """The rows as an XLSX, header on row 1 and data from row 2."""
    return write_book({name: [(cells, None) for cells in sheet] for name, sheet in rows.items()})
