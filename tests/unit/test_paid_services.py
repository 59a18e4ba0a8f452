"""有偿特约服务 (应知 18) in the pure core: the handbook's price list, what a service costs
(integer fen, a share of the rent for letting), and the merge's rules on a ticket's paid
service: repairs only (``paid_not_repair``), the office's to write, ``paid_service``
following the item."""

from __future__ import annotations

from typing import Any

import pytest

from schemas.sync import Create, Update
from sync import merge
from sync.merge import Context, Decision
from sync.pricing import SEED_PRICES, PriceItem, PriceList, PricingError, amount, fen_of, line, yuan
from sync.storage import Actor
from tests.unit.memory_storage import B1, E1, NOW, STEWARD, U1, estate, snapshot

DESK = Actor(user_id="user-desk", role="desk", estate_ids=frozenset({E1}))
STEWARD_PHONE = Actor(user_id=STEWARD, role="steward", building_ids=frozenset({B1}), device_id="dev-1")
TAP = line(SEED_PRICES, "tap", "member", 1)
NONE = {k: "" if k in ("paid_item_name", "paid_unit", "paid_adjust_reason") else None for k in TAP}  # a new ticket's


def test_the_seed_list_is_the_handbooks_table() -> None:
    table = {i.name: (i.unit, i.member, i.market, i.rent_percent) for i in SEED_PRICES.items}
    assert table == {"房屋租赁": ("套", 40, 50, True), "装灯": ("个", 1000, 1500, False),
                     "疏通下水": ("次", 3000, 5000, False), "换空开": ("个", 1000, 1500, False),
                     "换面盆落水": ("个", 1000, 1500, False), "换水龙头": ("个", 500, 1000, False)}


@pytest.mark.parametrize(("code", "price", "quantity", "rent", "fen"), [
    ("tap", "member", 1, None, 500), ("tap", "market", 3, None, 3000), ("drain", "market", 2, None, 10000),
    ("letting", "member", 1, 250000, 100000), ("letting", "market", 1, 333333, 166667),  # half up to the fen
])
def test_amounts_are_whole_fen(code: str, price: str, quantity: int, rent: int | None, fen: int) -> None:
    item = SEED_PRICES.item(code)
    assert item is not None and amount(item, price, quantity, rent) == fen  # type: ignore[arg-type]


@pytest.mark.parametrize(("args", "code"), [
    (("tap", "member", 0), "invalid_quantity"), (("tap", "member", -2), "invalid_quantity"),
    (("letting", "member", 1), "rent_required"), (("nothing", "member", 1), "unknown_paid_item"),
])
def test_what_cannot_be_priced_is_refused_with_its_code(args: tuple, code: str) -> None:
    with pytest.raises(PricingError) as refused:
        line(SEED_PRICES, *args)
    assert refused.value.code == code


def test_an_amount_that_differs_from_the_list_needs_its_reason() -> None:
    with pytest.raises(PricingError, match="adjust_reason_required"):
        line(SEED_PRICES, "drain", "member", 1, amount_fen=2000)
    adjusted = line(SEED_PRICES, "drain", "member", 1, amount_fen=2000, reason=" 老客户减免 ")
    assert (adjusted["paid_amount_fen"], adjusted["paid_adjust_reason"], adjusted["paid_rate"]) == (2000, "老客户减免", 3000)
    same = line(SEED_PRICES, "drain", "member", 1, amount_fen=3000, reason="多余的原因")
    assert same["paid_adjust_reason"] == ""  # the list's amount needs none and keeps none


def test_a_huge_amount_is_refused() -> None:
    gold = PriceList(items=(PriceItem(code="gold", name="金水龙头", unit="个", member=9_000_000, market=9_000_000),))
    with pytest.raises(PricingError, match="amount_too_large"):
        line(gold, "gold", "member", 2)


@pytest.mark.parametrize(("text", "fen"), [("10", 1000), ("12.5", 1250), ("0.05", 5), (" 30.00 ", 3000)])
def test_yuan_as_typed_becomes_fen(text: str, fen: int) -> None:
    assert fen_of(text) == fen and yuan(fen) == f"{fen // 100}.{fen % 100:02d}"


@pytest.mark.parametrize("text", ["-5", "+5", "1.005", "abc", "", "1e3", "NaN", "100000.01"])
def test_money_that_is_not_yuan_is_refused(text: str) -> None:
    with pytest.raises(PricingError, match="invalid_money"):
        fen_of(text)


def decide(mutation: Create | Update, actor: Actor, **tickets: dict[str, Any]) -> Decision:
    storage = estate()
    for ticket_id, fields in tickets.items():
        storage.put("ticket", {"id": ticket_id, "building_id": B1, "unit_id": U1, "title": "维修",
                               "number": "E-1-000001", "created_by": "user-desk", "updated_by": "user-desk",
                               **fields})
    return merge.decide(mutation, snapshot(storage), Context(actor=DESK if actor is None else actor, seq=1,
                                                             now=NOW, version=100))


def update(base: dict[str, Any], changes: dict[str, Any]) -> Update:
    return Update(seq=1, collection="ticket", id="t-1", base_version=1, base=base, changes=changes)


def test_the_office_records_a_paid_service_on_a_repair_and_the_flag_follows() -> None:
    decision = decide(update(NONE, TAP), DESK, **{"t-1": {"kind": "repair"}})
    assert decision.status == "applied" and decision.row is not None
    assert decision.row["paid_service"] is True and decision.row["paid_amount_fen"] == 500
    cleared = decide(update({"paid_item": "tap"}, {"paid_item": None}), DESK,
                     **{"t-1": {"kind": "repair", **TAP, "paid_service": True}})
    assert cleared.row is not None and cleared.row["paid_service"] is False


def test_intake_with_an_item_is_a_paid_service() -> None:
    made = decide(Create(seq=1, collection="ticket", id="t-new",
                         fields={"kind": "repair", "title": "换水龙头", "unit_id": U1, **TAP}), DESK)
    assert made.status == "applied" and made.row is not None and made.row["paid_service"] is True


@pytest.mark.parametrize("kind", ["inquiry", "complaint"])
def test_a_paid_service_belongs_to_repairs_only(kind: str) -> None:
    on_other = decide(update(NONE, TAP), DESK, **{"t-1": {"kind": kind}})
    assert on_other.status == "rejected" and on_other.code == "paid_not_repair"
    made = decide(Create(seq=1, collection="ticket", id="t-new",
                         fields={"kind": kind, "title": "咨询", "unit_id": U1, **TAP}), DESK)
    assert made.status == "rejected" and made.code == "paid_not_repair"
    away = decide(update({"kind": "repair"}, {"kind": kind}), DESK,
                  **{"t-1": {"kind": "repair", **TAP, "paid_service": True}})
    assert away.status == "rejected" and away.code == "paid_not_repair"


def test_a_steward_cannot_sell_a_paid_service() -> None:
    """应知 9: staff do not sell paid services on their own; the phone reads, never writes."""
    decision = decide(update({"paid_item": None}, {"paid_item": "tap"}), STEWARD_PHONE, **{"t-1": {"kind": "repair"}})
    assert decision.status == "rejected" and decision.code == "field_not_writable"
    amount_only = decide(update({"paid_amount_fen": 500}, {"paid_amount_fen": 0}), STEWARD_PHONE,
                         **{"t-1": {"kind": "repair", **TAP, "paid_service": True}})
    assert amount_only.status == "rejected" and amount_only.code == "field_not_writable"
