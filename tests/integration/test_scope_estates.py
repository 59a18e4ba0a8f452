"""The estate in every scope (issue 11), on the query layer directly, on both engines.

Two estates, each with the same kinds of records (tickets, timeline, findings, rounds,
vacant checks, visits, conflicts, fee bills, stewards and their phones); every text an
estate's records carry starts with its tag (甲 / 乙), so "nothing of B" is "no 乙".
``seed_estate`` is shared with the route × role test (tests/integration/test_access_table.py).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import msgspec

from server.clock import iso, now_iso
from server.store import archive, conflicts, field_work, kpi, places, staff, tickets
from server.tables import (
    Conflict, FeeBill, Finding, Household, PatrolRound, SyncDevice, Ticket, VacantCheck, Visit,
)
from sync.scope import NOTHING, Scope, scope_of
from tests.factories import PASSWORD, SmallEstate, make_estate, new_id
from tests.integration.test_desk_helpers import ago, ago_today, seed_event, seed_ticket

TZ = ZoneInfo("Asia/Shanghai")


class Seeded(msgspec.Struct, kw_only=True):
    """One estate's records, by what the tests ask about."""

    tag: str
    estate: SmallEstate
    building_id: str
    unit_id: str  # occupied, with a household
    vacant_unit_id: str
    household_id: str
    stewards: list[str]
    device_id: str
    open_ticket: str  # received, overdue, not escalated; a timeline line, a finding, a conflict
    escalated_ticket: str
    callback_ticket: str  # repair done yesterday, waiting for its callback
    complaint_ticket: str  # called back this month, rated 5
    findings: list[str]  # two unlinked findings of two stewards: a duplicate group
    linked_finding: str
    conflict_id: str


def iso_week(moment: datetime) -> str:
    year, week, _ = moment.astimezone(TZ).isocalendar()
    return f"{year}-W{week:02d}"


async def seed_estate(tag: str, *, office: bool = True) -> Seeded:
    """An estate with one of everything the desk shows, every text starting with ``tag``.
    With ``office=False`` the estate's office is not the existing office accounts'."""
    estate = await make_estate(buildings=2, units_per_building=4, office=office)
    b1 = estate.building_ids[0]
    unit, vacant = estate.unit_ids[b1][0], estate.unit_ids[b1][3]
    e = estate.estate_id
    phone_prefix = {"甲": "1381111", "乙": "1392222"}.get(tag, "1370000")
    for i, (unit_id, household_id) in enumerate(estate.household_ids.items()):
        await Household.update({Household.owner_name: f"{tag}方业主{i}",
                                Household.owner_phone: f"{phone_prefix}{i:04d}"}).where(
            Household.id == household_id)
    stewards = []
    for n in (1, 2):
        steward = await staff.add_user(f"steward_{new_id()[-8:]}", PASSWORD, f"{tag}方管家{n}", "steward")
        await staff.assign_buildings(steward, [b1])
        stewards.append(steward)
    device_id = new_id()
    await SyncDevice.insert(SyncDevice(id=device_id, user_id=stewards[0], label=f"{tag}方手机",
                                       credential_hash=new_id() + new_id()[:28], last_push_at=ago(minutes=3),
                                       last_pull_at=ago(minutes=3), reported_pending=3))
    at = now_iso()
    open_ticket = await seed_ticket(b1, title=f"{tag}方报修标记", unit_id=unit, created_at=ago(hours=30))
    escalated = await seed_ticket(b1, title=f"{tag}方升级标记", status="dispatched", escalated=True)
    done_yesterday = iso(datetime.now(TZ).replace(hour=10) - timedelta(days=1))
    callback = await seed_ticket(b1, title=f"{tag}方回访标记", status="done", unit_id=unit,
                                 done_at=done_yesterday, reporter_phone=f"{phone_prefix}9999")
    complaint = await seed_ticket(b1, kind="complaint", title=f"{tag}方投诉标记", status="called_back",
                                  satisfaction=5, done_at=ago(hours=3), called_back_at=ago(hours=2))
    await seed_event(open_ticket["id"], "note", body=f"{tag}方备注标记")
    round_id = new_id()
    await PatrolRound.insert(PatrolRound(
        id=round_id, version=1, estate_id=e, created_by=stewards[0], steward_id=stewards[0],
        started_at=ago_today(50), ended_at=ago_today(5), status="ended",
        covered_building_ids=[b1], notes=f"{tag}方巡查", created_at=at))
    findings = []
    for steward, minutes in zip(stewards, (40, 20), strict=True):
        finding_id = new_id()
        await Finding.insert(Finding(
            id=finding_id, version=1, building_id=b1, estate_id=e, round_id=round_id, floor="5",
            kind="public_damage", severity="high", description=f"{tag}方发现标记{minutes}",
            occurred_at=ago_today(minutes), steward_id=steward, created_at=at))
        findings.append(finding_id)
    linked = new_id()
    await Finding.insert(Finding(
        id=linked, version=1, building_id=b1, estate_id=e, floor="2", kind="safety_hazard",
        description=f"{tag}方关联发现", occurred_at=ago_today(30), steward_id=stewards[1],
        ticket_id=open_ticket["id"], created_at=at))
    await VacantCheck.insert(VacantCheck(
        id=new_id(), version=1, building_id=b1, estate_id=e, unit_id=vacant,
        week=iso_week(datetime.now(UTC) - timedelta(weeks=1)), checked_at=ago(days=7), steward_id=stewards[0],
        results={"leaks": "defect"}, water_reading=10.0, electric_reading=100.0, notes=f"{tag}方空置",
        created_at=at))
    await Visit.insert(Visit(
        id=new_id(), version=1, building_id=b1, estate_id=e, unit_id=unit, purpose="routine", status="done",
        visited_at=ago(days=1), steward_id=stewards[0], satisfaction=5, owner_words=f"{tag}方原话",
        created_at=at))
    conflict_id = new_id()
    await Conflict.insert(Conflict(
        id=conflict_id, version=1, building_id=b1, estate_id=e, collection="ticket",
        record_id=open_ticket["id"], field="assignee", kind="field",
        kept_value=json.dumps(f"{tag}方冲突保留"), lost_value=json.dumps(f"{tag}方冲突丢失"),
        kept_source="desk", lost_source=f"device:{device_id}#1", rule="first_sync_wins",
        status="open", created_at=at))
    month = datetime.now(TZ).strftime("%Y-%m")
    await FeeBill.insert(FeeBill(unit_id=unit, building_id=b1, estate_id=e, month=month,
                                 amount_due=300.0, amount_paid=300.0 if tag == "甲" else 0.0))
    return Seeded(tag=tag, estate=estate, building_id=b1, unit_id=unit, vacant_unit_id=vacant,
                  household_id=estate.household_ids[unit], stewards=stewards, device_id=device_id,
                  open_ticket=open_ticket["id"], escalated_ticket=escalated["id"],
                  callback_ticket=callback["id"], complaint_ticket=complaint["id"],
                  findings=findings, linked_finding=linked, conflict_id=conflict_id)


def office_scope(*estates: Seeded) -> Scope:
    return scope_of("desk", "clerk", estate_ids=[s.estate.estate_id for s in estates])


def text_of(value: Any) -> str:
    """Everything a result holds, as one string to look for the other estate's tag in."""
    return msgspec.json.encode(value, enc_hook=str).decode()


def day_bounds(day: datetime) -> tuple[str, str]:
    start = datetime(day.year, day.month, day.day, tzinfo=TZ)
    return iso(start.astimezone(UTC)), iso((start + timedelta(days=1)).astimezone(UTC))


async def everything(scope: Scope, b: Seeded | None = None) -> dict[str, Any]:
    """Every list and count of the query layer under ``scope`` (``b``: ids to fetch by id)."""
    now = now_iso()
    today = datetime.now(TZ)
    this_week, last_week = iso_week(today), iso_week(today - timedelta(days=7))
    start, end = day_bounds(today)
    y_start, _ = day_bounds(today - timedelta(days=1))
    month_start = iso(datetime(today.year, today.month, 1, tzinfo=TZ).astimezone(UTC))
    found: dict[str, Any] = {
        "queue": await tickets.queue(tickets.QueueFilter(), now, scope=scope),
        "overdue": await tickets.queue(tickets.QueueFilter(overdue=True), now, scope=scope),
        "buildings": await places.buildings(scope=scope),
        "codes": await places.building_codes(scope=scope),
        "escalated": await tickets.escalated(now, scope=scope),
        "to_escalate": await tickets.overdue_to_escalate(now, scope=scope),
        "callbacks": await tickets.callbacks_due(y_start, scope=scope),
        "owners_phone": await tickets.find_owners("139", scope=scope),
        "owners_code": await tickets.find_owners("1-", scope=scope),
        "archive": await archive.search("乙方", "desk", scope=scope),
        "archive_code": await archive.search("1-", "desk", scope=scope),
        "vacant": await field_work.vacant_units(this_week, last_week, scope=scope),
        "patrols": await field_work.patrol_day(start, end, scope=scope),
        "stewards": await field_work.stewards(scope=scope),
        "duplicates": await field_work.duplicate_groups(ago(days=7), 24, scope=scope),
        "conflicts": await conflicts.inbox(scope=scope, include_resolved=True),
        "kpis": [msgspec.structs.asdict(k) for k in await kpi.month_kpis(
            month_start, end, today.strftime("%Y-%m"), None, scope=scope)],
    }
    if b is not None:
        found["by_id"] = {
            "ticket": await tickets.ticket(b.open_ticket, scope=scope),
            "timeline": await tickets.timeline(b.open_ticket, scope=scope),
            "phone_edits": await tickets.phone_edits_of(b.open_ticket, scope=scope),
            "conflicts_of": await tickets.conflicts_of(b.open_ticket, scope=scope),
            "findings_of": await tickets.findings_of(b.open_ticket, scope=scope),
            "unit": await tickets.unit(b.unit_id, scope=scope),
            "unit_page": await archive.unit_page(b.unit_id, "desk", scope=scope),
            "findings": await field_work.findings_by_id(b.findings, scope=scope),
            "conflict": await conflicts.conflict(b.conflict_id, scope=scope),
            "record": await conflicts.record("ticket", b.open_ticket, scope=scope),
            "kpi_building": [msgspec.structs.asdict(k) for k in await kpi.month_kpis(
                month_start, end, today.strftime("%Y-%m"), b.building_id, scope=scope)],
        }
    return found


async def test_an_office_of_one_estate_sees_nothing_of_another(db) -> None:
    a = await seed_estate("甲")
    b = await seed_estate("乙", office=False)
    seen = await everything(office_scope(a), b)
    assert "乙" not in text_of(seen)
    by_id = seen["by_id"]
    assert by_id["ticket"] is None and by_id["unit"] is None and by_id["unit_page"] is None
    assert by_id["conflict"] is None and by_id["record"] is None and by_id["findings"] == []
    assert by_id["timeline"] == by_id["conflicts_of"] == by_id["findings_of"] == []
    # and A's own records are all there
    assert {r["id"] for r in seen["queue"].rows} == {a.open_ticket, a.escalated_ticket, a.callback_ticket,
                                                     a.complaint_ticket}
    assert [r["id"] for r in seen["to_escalate"]] == [a.open_ticket]
    assert [r["id"] for r in seen["escalated"]] == [a.escalated_ticket]
    assert [r["id"] for r in seen["callbacks"]] == [a.callback_ticket]
    assert {x["id"] for x in seen["buildings"]} == set(a.estate.building_ids)
    assert {u["id"] for u in seen["archive_code"]} == set(a.estate.unit_ids[a.building_id])
    assert seen["archive"] == [] and seen["owners_phone"] == []
    assert {u["id"] for u in seen["vacant"]} == {
        u for bid in a.estate.building_ids for u in a.estate.unit_ids[bid] if u not in a.estate.household_ids}
    assert len(seen["patrols"]["rounds"]) == 1 and seen["patrols"]["finding_count"] == 3
    assert {s["id"] for s in seen["stewards"]} == set(a.stewards)
    assert [{f["id"] for f in g} for g in seen["duplicates"]] == [set(a.findings)]
    assert [c["id"] for c in seen["conflicts"]] == [a.conflict_id]
    fees = next(k for k in seen["kpis"] if k["key"] == "fee_collection")
    assert (fees["numerator"], fees["denominator"]) == (300.0, 300.0)  # B's unpaid bill is not A's
    assert all(k["denominator"] == 0 for k in by_id["kpi_building"])  # B's building: no data
    counts = seen["queue"].counts
    assert counts["received"] == 1 and counts["dispatched"] == 1 and counts["done"] == 1


async def test_an_office_of_both_estates_sees_both(db) -> None:
    a = await seed_estate("甲")
    b = await seed_estate("乙", office=False)
    seen = await everything(office_scope(a, b), b)
    assert seen["by_id"]["ticket"]["id"] == b.open_ticket and seen["by_id"]["unit_page"] is not None
    assert len(seen["queue"].rows) == 8 and len(seen["duplicates"]) == 2 and len(seen["conflicts"]) == 2
    assert {s["id"] for s in seen["stewards"]} == set(a.stewards + b.stewards)
    fees = next(k for k in seen["kpis"] if k["key"] == "fee_collection")
    assert (fees["numerator"], fees["denominator"]) == (300.0, 600.0)


async def test_the_empty_scope_and_a_role_not_in_the_table_see_nothing(db) -> None:
    a = await seed_estate("甲")
    for scope in (NOTHING, scope_of("gardener", "x", estate_ids=[a.estate.estate_id],
                                    building_ids=[a.building_id])):
        seen = await everything(scope, a)
        assert "甲" not in text_of(seen), "an empty scope fails closed"
        assert seen["queue"].rows == [] and not any(seen["queue"].counts.values())
        assert seen["buildings"] == [] and seen["stewards"] == [] and seen["conflicts"] == []
        assert all(k["denominator"] == 0 for k in seen["kpis"])


async def test_a_stewards_scope_is_its_buildings(db) -> None:
    a = await seed_estate("甲")
    scope = scope_of("steward", a.stewards[0], estate_ids=[a.estate.estate_id], building_ids=[a.building_id])
    seen = await everything(scope, a)
    assert seen["by_id"]["ticket"]["id"] == a.open_ticket
    assert [x["id"] for x in seen["buildings"]] == [a.building_id]  # not the estate's second building
    other = a.estate.building_ids[1]
    assert all(u["building_id"] == a.building_id for u in seen["archive_code"])
    assert other not in seen["codes"]


async def test_the_system_sweep_escalates_every_estate_as_their_manager(db) -> None:
    from server import escalation

    a = await seed_estate("甲")
    b = await seed_estate("乙", office=False)
    assert await escalation.sweep(escalation.SYSTEM, now_iso()) == 2
    flagged = await Ticket.select(Ticket.id).where(Ticket.escalated == True)  # noqa: E712
    assert {a.open_ticket, b.open_ticket} <= {t["id"] for t in flagged}
    every = await places.all_estates_scope()
    assert every.estates == {a.estate.estate_id, b.estate.estate_id} and every.whole_estates


async def test_a_clerks_sweep_escalates_only_its_estate(db) -> None:
    from server import escalation
    from tests.factories import make_user

    a = await seed_estate("甲")
    b = await seed_estate("乙", office=False)
    clerk = await staff.principal_of(await make_user("desk", estate_ids=[a.estate.estate_id]))
    assert clerk is not None and await escalation.sweep(clerk, now_iso()) == 1
    left = await Ticket.select(Ticket.escalated).where(Ticket.id == b.open_ticket).first()
    assert left["escalated"] in (False, 0)
