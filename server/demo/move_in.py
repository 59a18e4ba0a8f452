"""The key register (应知 19: the estate's public keys where the handbook keeps them, and the
keys of vacant units at the desk; one signed out to a steward) and one move-in at the desk
whose 验房 the steward began this morning (identity, agreements and a year's fee done; one
room with a defect, its warranty ticket raised)."""

from __future__ import annotations

from datetime import timedelta

from server.clock import iso
from server.demo.context import DemoContext, UnitInfo, stable_id
from server.demo.tickets import TicketSpec, add_ticket
from sync.move_in import AGREEMENTS, SEED_FEES, year_fee

# 应知 19 小区公共区域钥匙配备及存放情况: key, where it is kept and who keeps it
PUBLIC_KEYS = (("楼道竖井钥匙", "客服前台", "前台接待"), ("信报箱钥匙", "客服前台", "前台接待"),
               ("水泵房钥匙", "维修办公室", "维修主管"), ("电梯间钥匙", "客服前台", "前台接待"),
               ("档案柜钥匙", "客服前台", "前台接待"), ("消防监控室控制柜钥匙", "监控中心", "监控值班"))
UNIT_KEYS = 4  # vacant units whose door keys the desk keeps


def keys_and_move_in(ctx: DemoContext) -> None:
    desk = ctx.by_role("desk")[0]
    at = ctx.local(ctx.days_ago(60), 9)
    for label, place, keeper in PUBLIC_KEYS:
        ctx.add_synced("estate_key", {"id": stable_id("estate_key", label), "kind": "public", "label": label,
                                      "unit_id": None, "place": place, "keeper": keeper, "copies": 1,
                                      "holder": "", "out_since": None}, at=at, by=desk.id, building_id=None)
    vacant = [u for u in ctx.units if u.occupancy == "vacant"]
    for n, unit in enumerate(vacant[:UNIT_KEYS]):
        key_id = stable_id("estate_key", unit.code)
        steward = ctx.steward_of.get(unit.building_id)
        out = n == 0 and steward is not None
        out_at = ctx.now - timedelta(hours=2)
        ctx.add_synced("estate_key", {"id": key_id, "kind": "unit", "label": "进户门钥匙", "unit_id": unit.id,
                                      "place": "客服前台", "keeper": "前台接待", "copies": 2,
                                      "holder": steward.display_name if out and steward else "",
                                      "out_since": iso(out_at) if out else None},
                       at=at, by=desk.id, building_id=unit.building_id, updated=out_at if out else None)
        if out and steward:
            ctx.add_synced("key_loan", {"id": stable_id("key_loan", unit.code), "key_id": key_id,
                                        "borrower": steward.display_name, "reason": "空置房巡检", "out_at": iso(out_at),
                                        "back_at": None, "notes": ""}, at=out_at, by=desk.id,
                           building_id=unit.building_id)
    if len(vacant) > UNIT_KEYS:
        _move_in(ctx, vacant[UNIT_KEYS], desk.id)


def _move_in(ctx: DemoContext, unit: UnitInfo, desk_id: str) -> None:
    """A new owner registered this morning; the steward has walked the living room and found
    a crack (a warranty ticket); the rest of the 验房 and the signature are still to do."""
    at = ctx.now - timedelta(hours=2)
    move_in_id = stable_id("move_in", unit.code)
    ctx.add_synced("move_in", {
        "id": move_in_id, "unit_id": unit.id, "household_id": unit.household_id,
        "owner_name": unit.owner_name, "owner_phone": unit.owner_phone, "owner_id_number": None,
        "work_unit": None, "family_structure": None, "step": "fee_paid", "agreements": list(AGREEMENTS),
        "fee_fen": year_fee(SEED_FEES, unit.unit_type, unit.area_m2), "fee_receipt": "SF-20001",
        "fee_paid_at": iso(at), "keys_handed": 0, "gifts_handed": False, "manuals_handed": False,
        "handed_over_at": None}, at=at, by=desk_id, building_id=unit.building_id)
    steward = ctx.steward_of.get(unit.building_id)
    if steward is None:
        return
    started = ctx.now - timedelta(minutes=40)
    handover_id = stable_id("handover", unit.code)
    ctx.add_synced("handover", {
        "id": handover_id, "move_in_id": move_in_id, "unit_id": unit.id, "steward_id": steward.id,
        "rooms": {"entrance": {"walls_ceiling": "ok", "floor": "ok", "doors_windows": "ok"},
                  "living": {"walls_ceiling": "defect", "floor": "ok", "doors_windows": "ok"}},
        "keys_counted": None, "status": "open", "owner_signed": False, "signed_at": None, "notes": ""},
        at=started, by=steward.id, building_id=unit.building_id)
    add_ticket(ctx, TicketSpec(
        kind="warranty", created=started + timedelta(minutes=10), title=f"工程质量维修：{unit.code} 客厅墙面、顶棚",
        priority="normal", first_responder=steward, building_id=unit.building_id, place=f"{unit.code} 客厅",
        assignee="工程部", channel="handover", system="civil", part="墙面、顶棚", damage="顶棚裂缝", unit=unit,
        description="客厅顶棚有一道约 40 厘米的裂缝", sources={"handover": handover_id}))
