"""入住办理流程 (must-know-handbook 应会 2) as pure rules: the property fee a move-in pays
(a year of 物业费, 应知 17: the estate's rate per m² a month by unit type × the unit's area ×
12) and what each step needs before the move-in may enter it. The estate's rates are passed
in (``PropertyFees``, kept on ``estate.property_fees``); nothing here reads a database."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from schemas.vocab import Agreement, codes

AGREEMENTS: tuple[str, ...] = codes(Agreement)
MONTHS_PAID_AT_MOVE_IN = 12  # 应会 2.3: 交纳一年的物业管理费


class PropertyFees(msgspec.Struct, frozen=True, kw_only=True):
    """物业费 in fen per m² a month, by unit type (``schemas.vocab.UnitType``)."""

    rates: dict[str, int]


SEED_FEES = PropertyFees(rates={"yangfang": 178, "diejia": 230, "lianpai": 290})
"""应知 17: 洋房 1.78, 叠加 2.3, 联排 2.9 元/㎡/月 (the seeds' figures)."""


class FeeError(ValueError):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def year_fee(fees: PropertyFees, unit_type: str, area_m2: float) -> int:
    """A year's 物业费 in fen for a unit: rate × area × 12, rounded to the fen."""
    rate = fees.rates.get(unit_type)
    if rate is None:
        raise FeeError("no_fee_rate")
    if area_m2 <= 0:
        raise FeeError("no_unit_area")
    return round(rate * area_m2 * MONTHS_PAID_AT_MOVE_IN)


def fen_of_rate(text: str) -> int:
    """A rate typed in yuan with at most two decimals ("1.78") in fen (178)."""
    whole, _, cents = text.partition(".")
    return int(whole or "0") * 100 + int((cents + "00")[:2])


def step_refusal(step: str, row: Mapping[str, Any]) -> str | None:
    """Why a move-in may not enter ``step`` with what it holds (None: it may). The order of
    the steps is the lifecycle's (``sync.specs.move_in.MOVE_IN_STEPS``)."""
    if step == "agreements_signed" and not set(AGREEMENTS) <= set(row.get("agreements") or ()):
        return "agreements_missing"
    if step == "fee_paid" and (not row.get("fee_fen") or not str(row.get("fee_receipt") or "").strip()):
        return "fee_not_recorded"
    if step == "handed_over" and not (row.get("keys_handed") and row.get("gifts_handed")
                                      and row.get("manuals_handed")):
        return "handover_items_missing"
    return None
