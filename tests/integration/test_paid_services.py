"""有偿特约服务 (应知 18, 应知 9; issue 15) through the desk's HTTP routes: the estate's price
list (the handbook's until the manager sets its own, each change audited), a repair's paid
service recorded on its ticket at that day's price, bad input refused with nothing changed,
and 有偿服务满意率 counting the services recorded this way."""

from __future__ import annotations

import json
import re
from typing import Any

from server.tables import AuditLog, Conflict, Estate, Ticket, TicketEvent
from sync.pricing import SEED_PRICES
from tests.factories import make_estate
from tests.integration.test_desk_helpers import csrf, login
from tests.integration.test_desk_ticket_flow import intake, post_action, version_of

PAID = ("paid_item", "paid_item_name", "paid_unit", "paid_price", "paid_rate", "paid_quantity", "paid_rent_fen",
        "paid_amount_fen", "paid_adjust_reason", "paid_method", "paid_at")


def list_form(estate_id: str, **changes: object) -> dict[str, object]:
    """The price list page's form as shown for the handbook's list (plus an empty new row)."""
    values: dict[str, object] = {"estate_id": estate_id, "rows": len(SEED_PRICES.items) + 1}
    for n, item in enumerate(SEED_PRICES.items):
        values |= {f"code_{n}": item.code, f"name_{n}": item.name, f"unit_{n}": item.unit,
                   f"member_{n}": item.member if item.rent_percent else f"{item.member / 100:.2f}",
                   f"market_{n}": item.market if item.rent_percent else f"{item.market / 100:.2f}"}
        if item.rent_percent:
            values[f"rent_percent_{n}"] = "true"
    return values | changes


async def ticket(ticket_id: str) -> dict[str, Any]:
    return await Ticket.select().where(Ticket.id == ticket_id).first()


async def record(client, ticket_id: str, htmx: bool = True, **data: object):
    """Post the ticket page's paid-service form, with the base the page shows."""
    row = await ticket(ticket_id)
    base = json.dumps({f: row[f] for f in PAID})
    return await post_action(client, ticket_id, "paid-service", htmx, version=row["version"], base_line=base,
                             **data)


async def test_the_price_list_starts_as_the_handbooks_and_the_manager_changes_it(client) -> None:
    estate = await make_estate(buildings=1)
    await login(client, "manager")
    page = await client.get("/desk/settings/paid-services")
    assert page.status_code == 200 and "有偿特约服务价目" in page.text and "《应知》第18条" in page.text
    assert all(i.name in page.text for i in SEED_PRICES.items) and 'value="5.00"' in page.text
    assert "Market price" not in page.text  # a Chinese screen
    n = len(SEED_PRICES.items)
    saved = await client.post("/desk/settings/paid-services", headers=csrf(client, True), data=list_form(
        estate.estate_id, member_5="6", remove_1="true",  # 换水龙头 6 元; 装灯 leaves the list
        **{f"code_{n}": "lock", f"name_{n}": "换门锁", f"unit_{n}": "把", f"member_{n}": "80", f"market_{n}": "120.5"}))
    assert saved.status_code == 200 and "价目已保存" in saved.text and "换门锁" in saved.text
    own = json.loads((await Estate.select(Estate.prices).where(Estate.id == estate.estate_id).first())["prices"])
    items = {i["code"]: i for i in own["items"]}
    assert "lamp" not in items and items["tap"]["member"] == 600 and items["lock"]["market"] == 12050
    assert items["letting"] == {"code": "letting", "name": "房屋租赁", "unit": "套", "member": 40, "market": 50,
                                "rent_percent": True}
    entry = await AuditLog.select().where(AuditLog.action == "prices_change").first()
    detail = json.loads(entry["detail"]) if isinstance(entry["detail"], str) else entry["detail"]
    assert entry["target"] == estate.estate_id and len(detail["before"]) == n and len(detail["after"]) == n
    english = await client.get("/desk/settings/paid-services?lang=en")
    assert "Member price" in english.text and "本项目" not in english.text


async def test_a_bad_price_list_is_refused_and_changes_nothing(client) -> None:
    estate = await make_estate(buildings=1)
    await login(client, "manager")
    n = len(SEED_PRICES.items)
    for changes, code in (({"member_1": "-10"}, "invalid_price"), ({"market_2": "abc"}, "invalid_price"),
                          ({"member_0": "120"}, "invalid_price"), ({"name_3": "  "}, "invalid_form"),
                          ({f"code_{n}": "Lock!", f"name_{n}": "换门锁"}, "invalid_item_code"),
                          ({f"code_{n}": "tap", f"name_{n}": "又一个", f"unit_{n}": "个", f"member_{n}": "1",
                            f"market_{n}": "2"}, "duplicate_item"), ({"rows": ""}, "empty_price_list"),
                          ({f"remove_{i}": "true" for i in range(n)}, "empty_price_list")):
        answer = await client.post("/desk/settings/paid-services", headers=csrf(client),
                                   data=list_form(estate.estate_id, **changes))
        assert (answer.status_code, answer.json()["code"]) == (422, code), (changes, answer.text)
    assert (await Estate.select(Estate.prices).where(Estate.id == estate.estate_id).first())["prices"] is None
    assert await AuditLog.count().where(AuditLog.action == "prices_change") == 0


async def test_only_the_manager_changes_prices(client) -> None:
    estate = await make_estate(buildings=1)
    await login(client, "desk")
    assert (await client.get("/desk/settings/paid-services")).status_code == 403
    answer = await client.post("/desk/settings/paid-services", headers=csrf(client, True), data=list_form(estate.estate_id))
    assert answer.status_code == 403


async def test_the_desk_records_a_paid_service_at_that_days_price(client) -> None:
    estate = await make_estate(buildings=1)
    await login(client, "manager")
    ticket_id = await intake(client, estate.unit_ids[estate.building_ids[0]][0])
    page = (await client.get(f"/desk/tickets/{ticket_id}")).text
    assert "登记有偿特约服务" in page and "换水龙头（优惠价 5.00 元 / 市场价 10.00 元 每个）" in page
    answer = await record(client, ticket_id, paid_item="tap", paid_price="market", paid_quantity=2)
    assert answer.status_code == 200 and "20.00 元" in answer.text and "未收款" in answer.text
    row = await ticket(ticket_id)
    assert row["paid_service"] and (row["paid_item"], row["paid_item_name"], row["paid_price"], row["paid_rate"],
                                    row["paid_quantity"], row["paid_amount_fen"]) == ("tap", "换水龙头", "market", 1000, 2, 2000)
    assert row["paid_method"] is None and row["paid_at"] is None
    line = await TicketEvent.select().where((TicketEvent.ticket_id == ticket_id) & (TicketEvent.type == "paid_service")).first()
    assert line["body"] == "换水龙头 ×2 = 20.00"

    # the price list changes: the ticket keeps the price it was charged
    await client.post("/desk/settings/paid-services", headers=csrf(client), data=list_form(estate.estate_id, market_5="12"))
    assert (await ticket(ticket_id))["paid_amount_fen"] == 2000
    # the owner pays, less by the manager's word: an adjusted amount with its reason
    paid = await record(client, ticket_id, htmx=False, paid_item="tap", paid_price="market", paid_quantity=2,
                        paid_amount="18", paid_adjust_reason="老业主优惠", paid="true", paid_method="wechat")
    assert paid.status_code == 303
    row = await ticket(ticket_id)
    assert (row["paid_rate"], row["paid_amount_fen"], row["paid_adjust_reason"], row["paid_method"]) == \
        (1200, 1800, "老业主优惠", "wechat") and row["paid_at"]
    shown = (await client.get(f"/desk/tickets/{ticket_id}")).text
    assert "18.00 元" in shown and "已收款（微信）" in shown and "老业主优惠" in shown
    assert "换水龙头 ×2 = 18.00 · 已收款（微信）" in shown  # the timeline's line of the payment
    english = (await client.get(f"/desk/tickets/{ticket_id}?lang=en")).text
    assert "18.00 yuan" in english and "Paid (WeChat Pay)" in english and "已收款" not in english


async def test_letting_is_priced_on_the_rent(client) -> None:
    estate = await make_estate(buildings=1)
    await login(client, "desk")
    ticket_id = await intake(client, estate.unit_ids[estate.building_ids[0]][0])
    refused = await record(client, ticket_id, False, paid_item="letting", paid_price="member")
    assert (refused.status_code, refused.json()["code"]) == (422, "rent_required")
    answer = await record(client, ticket_id, paid_item="letting", paid_price="member", paid_rent="2500")
    assert answer.status_code == 200 and "房租 2500.00 元的 40%" in answer.text and "1000.00 元" in answer.text
    row = await ticket(ticket_id)
    assert (row["paid_rent_fen"], row["paid_rate"], row["paid_amount_fen"]) == (250000, 40, 100000)


async def test_bad_paid_services_are_refused_and_change_nothing(client) -> None:
    estate = await make_estate(buildings=1)
    unit_id = estate.unit_ids[estate.building_ids[0]][0]
    await login(client, "desk")
    repair = await intake(client, unit_id)
    before = await version_of(repair)
    for data, code in (({"paid_item": "massage"}, "unknown_paid_item"),
                       ({"paid_item": "tap", "paid_quantity": -1}, "invalid_quantity"),
                       ({"paid_item": "tap", "paid_quantity": 0}, "invalid_quantity"),
                       ({"paid_item": "tap", "paid_amount": "-5", "paid_adjust_reason": "退款"}, "invalid_money"),
                       ({"paid_item": "tap", "paid_amount": "3"}, "adjust_reason_required"),
                       ({"paid_item": "tap", "paid": "true"}, "payment_method_required"),
                       ({"paid_item": "tap", "paid_price": "vip"}, "invalid_form")):
        answer = await record(client, repair, False, **data)
        assert (answer.status_code, answer.json()["code"]) == (422, code), (data, answer.text)
    assert await version_of(repair) == before and not (await ticket(repair))["paid_service"]
    for kind in ("inquiry", "complaint"):
        other = await intake(client, unit_id, kind=kind)
        answer = await record(client, other, False, paid_item="tap")
        assert (answer.status_code, answer.json()["code"]) == (422, "paid_not_repair"), answer.text
        row = await ticket(other)
        assert row["paid_item"] is None and not row["paid_service"] and row["version"] == await version_of(other)
        assert 'data-paid-form' not in (await client.get(f"/desk/tickets/{other}")).text
    assert await TicketEvent.count().where(TicketEvent.type == "paid_service") == 0


async def test_intake_marks_a_repair_as_a_paid_service(client) -> None:
    estate = await make_estate(buildings=1)
    unit_id = estate.unit_ids[estate.building_ids[0]][0]
    await login(client, "desk")
    form = (await client.get("/desk/intake")).text
    assert 'name="paid_item"' in form and "疏通下水" in form and "否（普通报修）" in form
    ticket_id = await intake(client, unit_id, paid_item="drain")
    row = await ticket(ticket_id)
    assert row["paid_service"] and (row["paid_item"], row["paid_price"], row["paid_quantity"], row["paid_amount_fen"]) == \
        ("drain", "member", 1, 3000)
    plain = await ticket(await intake(client, unit_id, paid_item=""))
    assert plain["paid_item"] is None and not plain["paid_service"]
    count = await Ticket.count()
    for extra, code in (({"kind": "inquiry", "paid_item": "drain"}, "paid_not_repair"),
                        ({"paid_item": "massage"}, "unknown_paid_item"), ({"paid_item": "letting"}, "rent_required")):
        answer = await client.post("/desk/intake", headers=csrf(client), data={
            "kind": "repair", "unit_id": unit_id, "description": "有偿服务", **extra})
        assert (answer.status_code, answer.json()["code"]) == (422, code), answer.text
    assert await Ticket.count() == count


async def finish(client, ticket_id: str, rating: int | None) -> None:
    """Dispatch, work, finish with the owner's signature, and (when rated) call back."""
    steps: list[tuple[str, dict[str, object]]] = [
        ("transition", {"base_status": "received", "to_status": "dispatched", "assignee": "工程部"}),
        ("transition", {"base_status": "dispatched", "to_status": "in_progress"}),
        ("transition", {"base_status": "in_progress", "to_status": "done", "owner_signed": "true"})]
    if rating is not None:
        steps.append(("callback", {"base_status": "done", "satisfaction": rating}))
    for action, data in steps:
        answer = await post_action(client, ticket_id, action, True, version=await version_of(ticket_id), **data)
        assert answer.status_code == 200, answer.text


async def test_paid_service_satisfaction_counts_the_services_the_desk_recorded(client) -> None:
    """有偿服务满意率 = satisfied paid services / paid services done in the month, from desk
    actions only: paid services recorded on tickets, finished and called back."""
    estate = await make_estate(buildings=1, units_per_building=8, vacant_every=100)
    units = estate.unit_ids[estate.building_ids[0]]
    await login(client, "manager")
    # (paid?, rating after the work is done; None: done, no callback yet)
    plan = [(True, 5), (True, 4), (True, 2), (True, None), (False, 5), (False, 1)]
    for n, (paid, rating) in enumerate(plan):
        ticket_id = await intake(client, units[n])
        if paid:
            assert (await record(client, ticket_id, paid_item="drain", paid_quantity=1)).status_code == 200
        await finish(client, ticket_id, rating)
    unfinished = await intake(client, units[6])  # a paid service not done yet: not counted
    assert (await record(client, unfinished, paid_item="tap")).status_code == 200
    done_paid = [r for p, r in plan if p]
    expected = (sum(1 for r in done_paid if r is not None and r >= 4), len(done_paid))
    assert expected == (2, 4)
    page = (await client.get("/desk/kpi")).text
    hint = re.search(r'<div class="kpi-card[^"]*" data-kpi="paid_service_satisfaction">.*?<p class="hint">(.*?)</p>',
                     page, re.S)
    assert hint is not None
    card = re.fullmatch(r"\s*([\d.]+) / ([\d.]+)\s*", re.sub(r"<[^>]+>", "", hint[1]))  # each figure links its list
    assert card is not None and (int(card[1]), int(card[2])) == expected


async def test_two_clerks_recording_at_once_make_a_conflict_not_a_silent_loss(client) -> None:
    estate = await make_estate(buildings=1)
    await login(client, "desk")
    ticket_id = await intake(client, estate.unit_ids[estate.building_ids[0]][0])
    shown = await ticket(ticket_id)
    base = json.dumps({f: shown[f] for f in PAID})  # both forms show the ticket before either saves
    first = await post_action(client, ticket_id, "paid-service", True, version=shown["version"], base_line=base,
                              paid_item="tap", paid_quantity=1)
    assert first.status_code == 200
    second = await post_action(client, ticket_id, "paid-service", True, version=shown["version"], base_line=base,
                               paid_item="lamp", paid_quantity=3)
    assert second.status_code == 200 and "有人先修改了同一项" in second.text
    row = await ticket(ticket_id)
    assert (row["paid_item"], row["paid_amount_fen"]) == ("tap", 500)
    assert await Conflict.count().where(Conflict.record_id == ticket_id) > 0
