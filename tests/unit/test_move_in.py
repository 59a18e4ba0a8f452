"""入住办理 (应会 2) in the pure core: a year's 物业费 from the estate's rates (应知 17), what
each step needs, and the merge refusing a step out of order or one entered without what it
needs; a warranty ticket is repair work (its time limits, its dispatch, its signature)."""

from __future__ import annotations

from typing import Any

import pytest

from schemas.sync import Update
from sync import merge
from sync.dispatch import DISPATCHED_KINDS
from sync.lifecycle import TICKET
from sync.merge import Context, Decision
from sync.move_in import SEED_FEES, FeeError, PropertyFees, fen_of_rate, step_refusal, year_fee
from sync.sla import TICKET_RULES
from sync.storage import Actor
from tests.unit.memory_storage import B1, E1, NOW, U1, estate, snapshot

DESK = Actor(user_id="user-desk", role="desk", estate_ids=frozenset({E1}))
AGREED = ["covenant", "service", "renovation"]


def test_the_seed_rates_are_the_handbooks_and_a_year_is_twelve_months() -> None:
    assert SEED_FEES.rates == {"yangfang": 178, "diejia": 230, "lianpai": 290}
    assert year_fee(SEED_FEES, "yangfang", 98.5) == 210396  # 1.78 × 98.5 × 12 = 2103.96 元
    assert year_fee(SEED_FEES, "lianpai", 210.0) == 730800
    assert year_fee(PropertyFees(rates={"yangfang": 200}), "yangfang", 98.5) == 236400
    for args, code in (((SEED_FEES, "villa", 90.0), "no_fee_rate"), ((SEED_FEES, "yangfang", 0.0), "no_unit_area")):
        with pytest.raises(FeeError) as refused:
            year_fee(*args)  # type: ignore[arg-type]
        assert refused.value.code == code


@pytest.mark.parametrize(("text", "fen"), [("1.78", 178), ("2.3", 230), ("2", 200), ("0.05", 5)])
def test_rates_typed_in_yuan(text: str, fen: int) -> None:
    assert fen_of_rate(text) == fen


def test_each_step_needs_what_the_handbook_asks() -> None:
    assert step_refusal("agreements_signed", {"agreements": ["covenant", "service"]}) == "agreements_missing"
    assert step_refusal("agreements_signed", {"agreements": AGREED}) is None
    assert step_refusal("fee_paid", {"fee_fen": 210396, "fee_receipt": " "}) == "fee_not_recorded"
    assert step_refusal("fee_paid", {"fee_fen": 210396, "fee_receipt": "A1"}) is None
    assert step_refusal("handed_over", {"keys_handed": 3, "gifts_handed": True}) == "handover_items_missing"
    assert step_refusal("handed_over", {"keys_handed": 3, "gifts_handed": True, "manuals_handed": True}) is None


def decide(step: str, changes: dict[str, Any]) -> Decision:
    storage = estate()
    storage.put("move_in", {"id": "m-1", "building_id": B1, "estate_id": E1, "unit_id": U1, "owner_name": "王建国",
                            "step": step, "agreements": [], "fee_fen": None, "fee_receipt": "", "keys_handed": 0,
                            "gifts_handed": False, "manuals_handed": False, "created_by": "user-desk"})
    base = {k: {"step": step, "agreements": [], "fee_fen": None, "fee_receipt": "", "keys_handed": 0,
                "gifts_handed": False, "manuals_handed": False}[k] for k in changes}
    mutation = Update(seq=1, collection="move_in", id="m-1", base_version=1, base=base, changes=changes)
    return merge.decide(mutation, snapshot(storage), Context(actor=DESK, seq=1, now=NOW, version=100))


@pytest.mark.parametrize(("step", "changes", "code"), [
    ("identity_checked", {"step": "fee_paid", "fee_fen": 1, "fee_receipt": "A"}, "forbidden_transition"),
    ("identity_checked", {"step": "handed_over"}, "forbidden_transition"),
    ("identity_checked", {"step": "agreements_signed", "agreements": ["covenant"]}, "agreements_missing"),
    ("agreements_signed", {"step": "fee_paid"}, "fee_not_recorded"),
    ("fee_paid", {"step": "handed_over", "keys_handed": 3}, "handover_items_missing"),
])
def test_a_step_out_of_order_or_without_its_papers_is_refused(step: str, changes: dict[str, Any], code: str) -> None:
    decision = decide(step, changes)
    assert (decision.status, decision.code) == ("rejected", code)


def test_the_steps_in_order_are_applied_and_stamped() -> None:
    signed = decide("identity_checked", {"step": "agreements_signed", "agreements": AGREED})
    assert signed.status == "applied" and signed.row["step"] == "agreements_signed"
    paid = decide("agreements_signed", {"step": "fee_paid", "fee_fen": 210396, "fee_receipt": "A1"})
    assert paid.status == "applied" and paid.row["fee_paid_at"] == NOW
    done = decide("fee_paid", {"step": "handed_over", "keys_handed": 3, "gifts_handed": True, "manuals_handed": True})
    assert done.status == "applied" and done.row["handed_over_at"] == NOW


def test_a_warranty_ticket_is_repair_work() -> None:
    assert "warranty" in DISPATCHED_KINDS
    assert TICKET_RULES.minutes("warranty", "normal") == TICKET_RULES.minutes("repair", "normal")
    before, after = {"status": "in_progress", "kind": "warranty"}, {"status": "done", "kind": "warranty"}
    assert TICKET.refusal(before, after) == "owner_signature_required"
    assert TICKET.refusal({"status": "done", "kind": "warranty"}, {"status": "closed", "kind": "warranty"}) == "callback_required"
