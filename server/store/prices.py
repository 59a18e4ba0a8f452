"""An estate's price list of paid special services (有偿特约服务收费标准, 应知 18):
``estate.prices``, set by the manager on the 有偿服务价目 page, each change audited. An estate
without its own keeps the handbook's list (``sync.pricing.SEED_PRICES``).

A column of its own beside ``estate.terms``, not part of the terms: the merge never reads
prices (the desk prices a service and the ticket keeps that price), so a change of the list
needs no sync write lock and is audited apart from the time limits."""

from __future__ import annotations

import msgspec

from server.store.terms import keep_own, own_or_seeded
from server.tables import Estate
from sync.pricing import SEED_PRICES, PriceList


async def of_estate(estate_id: str) -> tuple[PriceList, bool]:
    """The estate's list and whether it is its own (False: the handbook's)."""
    return await own_or_seeded(estate_id, Estate.prices, PriceList, SEED_PRICES)


async def set_prices(estate_id: str, prices: PriceList, *, user_id: str, ip: str) -> None:
    """Keep ``prices`` as the estate's own and audit the change: before and after."""
    before, _ = await of_estate(estate_id)
    await keep_own(estate_id, Estate.prices, prices, action="prices_change", user_id=user_id, ip=ip,
                   before=msgspec.to_builtins(before.items), after=msgspec.to_builtins(prices.items))
