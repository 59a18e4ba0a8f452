"""有偿特约服务收费标准 (应知 18): an estate's price list as data, and what one paid service costs.

The handbook's table (``SEED_PRICES``) gives each item a member price (客户优惠价) and a
market price (市场价) per unit; letting a flat (房屋租赁) is priced as a share of the rent.
Money is integer fen (分), never float: 10 元 is ``1000``; a share of the rent is a whole
percentage. Pure: the desk reads the estate's list and passes it in; the ticket keeps the
price it was charged, so a later change of the list leaves old tickets as they were.
"""

from __future__ import annotations

import re
from decimal import Decimal
import msgspec

from schemas.limits import MAX_FEN
from schemas.vocab import PaidPrice as PriceKind
MAX_QUANTITY = 999
_YUAN = re.compile(r"^[0-9]{1,7}(\.[0-9]{1,2})?$")


class PricingError(ValueError):
    """A price or amount that cannot be: ``code`` is what the desk answers with."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class PriceItem(msgspec.Struct, frozen=True, kw_only=True):
    """One line of the list: ``member`` and ``market`` are fen per ``unit``, or, when
    ``rent_percent``, whole percentages of the month's rent (房屋租赁: 40 / 50)."""

    code: str
    name: str
    unit: str
    member: int
    market: int
    rent_percent: bool = False

    def rate(self, price: PriceKind) -> int:
        return self.member if price == "member" else self.market


class PriceList(msgspec.Struct, frozen=True, kw_only=True):
    """An estate's paid special services, in the order the desk shows them."""

    items: tuple[PriceItem, ...]

    def item(self, code: str) -> PriceItem | None:
        return next((i for i in self.items if i.code == code), None)


SEED_PRICES = PriceList(items=(
    PriceItem(code="letting", name="房屋租赁", unit="套", member=40, market=50, rent_percent=True),
    PriceItem(code="lamp", name="装灯", unit="个", member=1000, market=1500),
    PriceItem(code="drain", name="疏通下水", unit="次", member=3000, market=5000),
    PriceItem(code="breaker", name="换空开", unit="个", member=1000, market=1500),
    PriceItem(code="basin_waste", name="换面盆落水", unit="个", member=1000, market=1500),
    PriceItem(code="tap", name="换水龙头", unit="个", member=500, market=1000),
))
"""The handbook's table (应知 18), every estate's list until the manager sets its own."""


def amount(item: PriceItem, price: PriceKind, quantity: int, rent_fen: int | None = None) -> int:
    """The list's amount in fen: rate × quantity, or the rent's share (rounded half up to
    the fen) × quantity for an item priced on the rent, which needs the rent."""
    if not 1 <= quantity <= MAX_QUANTITY:
        raise PricingError("invalid_quantity")
    rate = item.rate(price)
    if not item.rent_percent:
        return _checked(rate * quantity)
    if rent_fen is None or not 0 < rent_fen <= MAX_FEN:
        raise PricingError("rent_required")
    return _checked((rent_fen * rate * quantity + 50) // 100)


def _checked(fen: int) -> int:
    if fen > MAX_FEN:
        raise PricingError("amount_too_large")
    return fen


def fen_of(text: str) -> int:
    """Yuan as typed (``12``, ``12.5``, ``12.50``) in fen; anything else (a sign, a third
    decimal, letters, more than ``MAX_FEN``) is refused with ``invalid_money``."""
    raw = text.strip()
    if not _YUAN.match(raw):
        raise PricingError("invalid_money")
    fen = int(Decimal(raw) * 100)
    if fen > MAX_FEN:
        raise PricingError("invalid_money")
    return fen


def yuan(fen: int) -> str:
    """Fen as yuan text with two decimals (``1050`` → ``10.50``)."""
    return f"{fen // 100}.{fen % 100:02d}"


PAID_FIELDS = ("paid_item", "paid_item_name", "paid_unit", "paid_price", "paid_rate", "paid_quantity",
               "paid_rent_fen", "paid_amount_fen", "paid_adjust_reason")
"""A ticket's fields that hold the service and its price (the payment is ``paid_method``
and ``paid_at``)."""


def line(prices: PriceList, code: str, price: PriceKind, quantity: int, *, rent_fen: int | None = None,
         amount_fen: int | None = None, reason: str = "") -> dict[str, object]:
    """A ticket's paid service (``PAID_FIELDS``) from the estate's list: the item's name,
    unit and rate as they are today, and the amount charged: the list's, or another one
    (``amount_fen``) only with the reason it differs."""
    item = prices.item(code)
    if item is None:
        raise PricingError("unknown_paid_item")
    listed = amount(item, price, quantity, rent_fen)
    charged = listed if amount_fen is None else amount_fen
    if not 0 <= charged <= MAX_FEN:
        raise PricingError("invalid_money")
    reason = reason.strip()
    if charged != listed and not reason:
        raise PricingError("adjust_reason_required")
    return {"paid_item": item.code, "paid_item_name": item.name, "paid_unit": item.unit,
            "paid_price": price, "paid_rate": item.rate(price), "paid_quantity": quantity,
            "paid_rent_fen": rent_fen if item.rent_percent else None, "paid_amount_fen": charged,
            "paid_adjust_reason": reason if charged != listed else ""}


REASONS: dict[str, tuple[str, str]] = {
    "unknown_paid_item": ("价目表中没有该服务项目", "the price list has no such item"),
    "invalid_quantity": (f"数量应为 1 到 {MAX_QUANTITY} 的整数", f"the quantity is a whole number from 1 to {MAX_QUANTITY}"),
    "rent_required": ("按房租比例收费的项目须填写月租金", "an item priced on the rent needs the month's rent"),
    "invalid_money": ("金额应为不超过十万元的非负数，最多两位小数",
                      "an amount is a non-negative number of yuan up to 100,000, at most two decimals"),
    "amount_too_large": ("金额超过十万元，请检查数量和单价", "the amount exceeds 100,000 yuan: check the quantity and price"),
    "adjust_reason_required": ("收费金额与价目不同，请写明调整原因",
                               "the amount differs from the price list: give the reason"),
}
"""Why the desk refuses a price or a paid service: each code with Chinese and English."""


def refusal_text(code: str) -> str:
    zh, en = REASONS[code]
    return f"{zh} / {en}"
