"""KPI breakdowns per building and per steward, the 12-month trend and the records behind
each figure (issue 15), against a hand computation of a generated quarter of work.

The generator extends test_kpi_formulas' month: complaints (valid or not, handled or not,
called back or not), paid services, surveys by visit and by callback, fee bills and the
checks of the managers' 25th assessments (业主熟知率: finished ones count, an open one does
not; the owners they called and who rated are surveyed owners of 客户服务满意率), spread over
three months and beyond.
"""

from __future__ import annotations

import csv
import io
import random
import re
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from server.clock import iso
from server.store import kpi, kpi_breakdown, kpi_records
from server.tables import FamiliarityAssessment, FamiliarityCheck, FeeBill, Household
from sync.familiarity import QUIZ_FACTS
from sync.scope import Scope
from tests.factories import make_estate, make_user
from tests.integration.test_auth_session import desk_login
from tests.integration.test_desk_helpers import seed_ticket
from tests.integration.test_kpi_formulas import seed_visit



def bounds(month: str) -> tuple[str, str, str]:
    """A local month (Asia/Shanghai, the default setting) as its UTC bounds."""
    local = ZoneInfo("Asia/Shanghai")
    year, number = int(month[:4]), int(month[5:])
    start = datetime(year, number, 1, tzinfo=local)
    end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=local)
    return month, iso(start.astimezone(UTC)), iso(end.astimezone(UTC))


MONTHS = [bounds("2026-09"), bounds("2026-10"), bounds("2026-11")]
OUTSIDE = ["2026-08-20T02:00:00.000Z", "2026-12-02T02:00:00.000Z", "2026-08-31T15:59:00.000Z"]
TWELVE = [bounds(f"{y}-{m:02d}") for y, m in [(2025, 12)] + [(2026, n) for n in range(1, 12)]]


def month_of(when: str | None) -> str | None:
    for month, start, end in [*TWELVE, bounds("2026-12")]:
        if when is not None and start <= when < end:
            return month
    return None


def later(at: str, minutes: int) -> str:
    return iso(datetime.fromisoformat(at.replace("Z", "+00:00")) + timedelta(minutes=minutes))


def when(rng: random.Random) -> str:
    if rng.random() < 0.15:
        return rng.choice(OUTSIDE)
    month = rng.choice(["09", "10", "11"])
    return f"2026-{month}-{rng.randint(1, 28):02d}T{rng.randint(0, 15):02d}:{rng.randint(0, 59):02d}:00.000Z"


class Quarter:
    """What was generated, and the hand computation of every count per (month, building)."""

    def __init__(self) -> None:
        self.tickets: list[dict[str, Any]] = []
        self.visits: list[dict[str, Any]] = []
        self.bills: list[dict[str, Any]] = []
        self.checks: list[dict[str, Any]] = []  # the assessments' checks, with their month and status
        self.building_of: dict[str, str] = {}

    def counts(self, month: str, building: str) -> dict[str, float]:
        c: dict[str, float] = defaultdict(float)
        handled = ("done", "called_back", "closed")
        for t in (t for t in self.tickets if t["building_id"] == building):
            if t["kind"] == "complaint" and t["status"] in handled and month_of(t["done_at"]) == month:
                c["handled"] += 1
                c["called_back"] += t["called_back_at"] is not None
            if t["kind"] == "complaint" and month_of(t["created_at"]) == month:
                c["received"] += 1
                c["handled_of_received"] += t["status"] in handled
                c["valid"] += t["invalid_category"] is None
            if month_of(t["created_at"]) == month and t["response_due_at"] is not None:  # all are past due
                c["response_due"] += 1
                c["responded_on_time"] += bool(t["responded_at"]) and t["responded_at"] <= t["response_due_at"]
            if t["paid_service"] and t["status"] in handled and month_of(t["done_at"]) == month:
                c["paid_services"] += 1
                c["paid_satisfied"] += (t["satisfaction"] or 0) >= 4
        ratings = [(t["unit_id"], t["called_back_at"], 0, t["satisfaction"]) for t in self.tickets
                   if t["satisfaction"] is not None and month_of(t["called_back_at"]) == month]
        ratings += [(v["unit_id"], v["visited_at"], 1, v["satisfaction"]) for v in self.visits
                    if v["satisfaction"] is not None and v["purpose"] != "fee_reminder"
                    and month_of(v["visited_at"]) == month]
        ratings += [(ch["unit_id"], ch["finished_at"], 2, ch["rating"]) for ch in self.checks
                    if ch["done"] and ch["kind"] == "call" and ch["reached"] and ch["rating"] is not None
                    and month_of(ch["finished_at"]) == month]  # an owner the manager called on the 25th
        last: dict[str, int] = {}
        for unit, _, _, score in sorted(ratings, key=lambda r: (r[1], r[2])):
            last[unit] = score
        owners = [s for u, s in last.items() if self.building_of[u] == building]
        c["surveyed"], c["satisfied"] = len(owners), sum(1 for s in owners if s >= 4)
        for b in (b for b in self.bills if b["building_id"] == building and b["month"] == month):
            c["due"] += b["amount_due"]
            c["paid"] += min(b["amount_paid"], b["amount_due"])
        c["households"] = sum(1 for b in self.building_of.values() if b == building)
        for ch in (ch for ch in self.checks if ch["building_id"] == building and ch["month"] == month and ch["done"]):
            if ch["kind"] == "quiz":
                marked = [ch[f] for f in QUIZ_FACTS if ch[f] is not None]
                c["familiar"] += sum(1 for v in marked if v)
                c["familiarity_marks"] += len(marked)
            elif ch["reached"]:
                c["familiar"] += bool(ch["knows_steward"])
                c["familiarity_marks"] += 1
        return {name: c[name] for name in kpi.COUNTS}


async def generate(seed: int = 15) -> tuple[Any, list[str], Quarter]:
    """An estate of three buildings (two stewards: one for 1栋 and 2栋, one for 3栋) and a
    quarter of generated work."""
    rng = random.Random(seed)
    estate = await make_estate(buildings=3, units_per_building=5, vacant_every=0)
    b1, b2, b3 = estate.building_ids
    first = await make_user("steward", [b1, b2], username="zhang")
    second = await make_user("steward", [b3], username="li")
    q = Quarter()
    units = [(b, u) for b in estate.building_ids for u in estate.unit_ids[b]]
    for b, u in units:
        q.building_of[u] = b
    for n in range(240):
        building, unit = rng.choice(units)
        score = rng.choice([None, 1, 2, 3, 4, 5, 5, 5])
        at = when(rng)
        if n % 3 == 0:
            purpose = rng.choice(["routine", "complaint_callback", "repair_callback", "fee_reminder"])
            steward = first if building != b3 else second
            q.visits.append(await seed_visit(estate.estate_id, building, unit, steward, purpose=purpose,
                                             satisfaction=score, visited_at=at))
        else:
            status = rng.choice(["received", "done", "called_back", "closed", "in_progress"])
            done = status in ("done", "called_back", "closed")
            done_at = when(rng) if done else None
            response_due, responded = later(at, 120), rng.choice([None, later(at, 30), later(at, 300)])
            q.tickets.append(await seed_ticket(
                building, unit_id=unit, kind=rng.choice(["repair", "complaint", "complaint"]), status=status,
                created_at=at, paid_service=rng.random() < 0.3, done_at=done_at,
                response_due_at=response_due if rng.random() < 0.9 else None, responded_at=responded,
                called_back_at=done_at if done and score is not None else None, satisfaction=score if done else None,
                invalid_category=rng.choice([None, None, None, "outside_contract"])))
    for month, _, _ in MONTHS:
        for b, u in units:
            due = 175.3
            paid = rng.choice([0.0, due, due, due + 20.0, 50.0])
            q.bills.append({"unit_id": u, "building_id": b, "month": month, "amount_due": due, "amount_paid": paid})
    await FeeBill.insert(*[FeeBill(estate_id=estate.estate_id, **b) for b in q.bills])
    households = {h["unit_id"]: h["id"] for h in await Household.select(Household.id, Household.unit_id)}
    for steward, buildings in ((first, [b1, b2]), (second, [b3])):
        for month, _, _ in MONTHS:  # each steward's month assessed, the last one still open
            done = month != "2026-11" or steward == first
            assessment = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{steward}/{month}"))
            finished = f"{month}-25T06:00:00.000Z" if done else None
            await FamiliarityAssessment.insert(FamiliarityAssessment(
                id=assessment, estate_id=estate.estate_id, steward_id=steward, month=month,
                status="done" if done else "open", started_by=steward, finished_at=finished))
            drawn = [(b, u) for b, u in units if b in buildings]
            for n, (b, u) in enumerate(rng.sample(drawn, min(len(drawn), 8))):
                kind = "quiz" if n < 5 else "call"
                marks = {f: rng.choice([True, False, None]) if kind == "quiz" else None for f in QUIZ_FACTS}
                reached = rng.choice([True, True, False]) if kind == "call" else None
                knows = rng.choice([True, False]) if reached else None
                rating = rng.choice([None, 2, 4, 5]) if reached else None
                check = {"building_id": b, "kind": kind, "reached": reached, "knows_steward": knows,
                         "rating": rating, **marks}
                q.checks.append({**check, "month": month, "done": done, "unit_id": u, "finished_at": finished})
                await FamiliarityCheck.insert(FamiliarityCheck(
                    id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{assessment}/{n}")), assessment_id=assessment, estate_id=estate.estate_id, position=n,
                    unit_id=u, household_id=households.get(u, ""), **check))
    return estate, [first, second], q


def scope_of(estate: Any) -> Scope:
    return Scope(estates=frozenset({estate.estate_id}), buildings=None)


def pairs(kpis: list[kpi.Kpi]) -> dict[str, tuple[float, float]]:
    return {k.key: (round(k.numerator, 2), round(k.denominator, 2)) for k in kpis}


async def test_each_breakdown_cell_equals_the_hand_computation_and_the_parts_add_up(db) -> None:
    estate, (first, second), q = await generate()
    b1, b2, b3 = estate.building_ids
    for month, start, end in MONTHS:
        found = await kpi_breakdown.breakdown(month, start, end, scope=scope_of(estate))
        assert [p.id for p in found.buildings] == [b1, b2, b3]
        for part in found.buildings:
            assert pairs(part.kpis) == pairs(kpi.kpis_of(q.counts(month, part.id))), (month, part.name)
        stewards = {p.id: p for p in found.stewards}
        assert set(stewards) == {first, second} and found.unassigned is None
        assert pairs(stewards[first].kpis) == pairs(kpi.kpis_of(kpi.total(
            [q.counts(month, b1), q.counts(month, b2)])))
        assert pairs(stewards[second].kpis) == pairs(kpi.kpis_of(q.counts(month, b3)))
        # every KPI is a ratio of sums: the buildings' numerators and denominators add up
        # to the estate's, and the estate's figure is the one the dashboard shows
        estate_figure = pairs(await kpi.month_kpis(start, end, month, None, scope=scope_of(estate)))
        for key, (numerator, denominator) in estate_figure.items():
            parts = [pairs(p.kpis)[key] for p in found.buildings]
            assert round(sum(n for n, _ in parts), 2) == numerator and round(sum(d for _, d in parts), 2) == denominator
        assert estate_figure == pairs(found.estate)
        one = pairs(await kpi.month_kpis(start, end, month, b2, scope=scope_of(estate)))
        assert one == pairs(kpi.kpis_of(q.counts(month, b2)))
    november = kpi.total(q.counts("2026-11", b) for b in estate.building_ids)  # the month has work in it
    assert november["surveyed"] > 2 and november["received"] > 2 and november["paid_services"] > 0
    assert 0 < november["responded_on_time"] < november["response_due"]


async def test_the_trend_months_equal_each_months_own_computation(db) -> None:
    estate, _, q = await generate(seed=7)
    months = TWELVE  # 2025-12 … 2026-11: the generated quarter is its last three months
    assert months[-3:] == MONTHS
    found = await kpi.trend(months, None, scope=scope_of(estate))
    assert [m for m, _ in found] == [m for m, _, _ in months]
    for (month, start, end), (_, kpis) in zip(months, found, strict=True):
        by_hand = kpi.kpis_of(kpi.total(q.counts(month, b) for b in estate.building_ids))
        assert pairs(kpis) == pairs(by_hand), month
        assert pairs(kpis) == pairs(await kpi.month_kpis(start, end, month, None, scope=scope_of(estate))), month
    assert pairs(found[-1][1])["satisfaction"][1] > 3  # the months have work in them


async def test_every_figures_records_are_as_many_as_the_figure(db) -> None:
    estate, (first, _), q = await generate(seed=3)
    scope = scope_of(estate)
    b1, b2, _ = estate.building_ids
    month, start, end = MONTHS[2]
    for buildings, building_id in ((None, None), ([b2], b2), ([b1, b2], None)):
        if buildings == [b1, b2]:
            figures = kpi.kpis_of(kpi.total([q.counts(month, b1), q.counts(month, b2)]))
        else:
            figures = await kpi.month_kpis(start, end, month, building_id, scope=scope)
        for figure in figures:
            for part in kpi_records.PARTS:
                found = await kpi_records.records(figure.key, part, start, end, month, buildings, scope=scope,
                                                  personal=True)
                expected = figure.numerator if part == "numerator" else figure.denominator
                if figure.key in ("fee_collection", "owner_familiarity"):  # amounts, or facts per check
                    column = {"fee_collection": ("paid", "due"), "owner_familiarity": ("right", "marks")}[
                        figure.key][part == "denominator"]
                    assert round(sum(r[column] for r in found.rows), 2) == round(expected, 2)
                else:
                    assert len(found.rows) == expected, (figure.key, part, buildings)
                if buildings is not None:
                    assert {r["building_id"] for r in found.rows} <= set(buildings)
    callbacks = await kpi_records.records("complaint_callback_rate", "denominator", start, end, month, None,
                                          scope=scope, personal=True)
    assert all("callback_visit_at" in r for r in callbacks.rows)


async def test_a_visit_recording_a_callback_is_the_complaints_callback(db) -> None:
    estate = await make_estate(buildings=1, units_per_building=2, vacant_every=0)
    building, unit = estate.building_ids[0], estate.unit_ids[estate.building_ids[0]][0]
    steward = await make_user("steward", [building])
    month, start, end = MONTHS[2]
    ticket = await seed_ticket(building, unit_id=unit, kind="complaint", status="called_back", satisfaction=5,
                               created_at="2026-11-02T02:00:00.000Z", done_at="2026-11-03T02:00:00.000Z",
                               called_back_at="2026-11-04T02:00:00.000Z")
    await seed_visit(estate.estate_id, building, unit, steward, purpose="complaint_callback", ticket_id=ticket["id"],
                     satisfaction=5, visited_at="2026-11-04T03:00:00.000Z")
    found = await kpi_records.records("complaint_callback_rate", "numerator", start, end, month, None,
                                      scope=scope_of(estate), personal=False)
    assert [(r["number"], r["callback_visit_at"], r["unit"]) for r in found.rows] == [
        (None, "2026-11-04T03:00:00.000Z", "1-0101")]
    owners = await kpi_records.records("satisfaction", "denominator", start, end, month, None,
                                       scope=scope_of(estate), personal=False)
    assert len(owners.rows) == 1 and owners.rows[0]["owner"] is None  # one owner, no name without the right
    named = await kpi_records.records("satisfaction", "denominator", start, end, month, None,
                                      scope=scope_of(estate), personal=True)
    assert named.rows[0]["owner"] == "业主11"


async def test_the_dashboard_shows_the_trend_and_the_breakdown_and_a_figure_opens_its_records(client) -> None:
    estate, (first, _), q = await generate(seed=5)
    await make_user("manager", username="boss")
    await desk_login(client, "boss")
    page = await client.get("/desk/kpi", params={"month": "2026-11"})
    assert page.status_code == 200
    assert page.text.count("<svg") >= 7 and 'data-trend="satisfaction"' in page.text
    assert "近12个月走势" in page.text and "2025-12" in page.text  # the table alternative's first month
    assert 'data-breakdown="building_id"' in page.text and 'data-breakdown="steward_id"' in page.text
    assert f'data-part-id="{first}"' in page.text
    english = await client.get("/desk/kpi", params={"month": "2026-11", "lang": "en"})
    assert "The last 12 months" in english.text and "By steward" in english.text and "近12个月" not in english.text
    b2 = estate.building_ids[1]
    counts = q.counts("2026-11", b2)
    link = f"/desk/kpi/records?month=2026-11&amp;kpi=complaint_handling_rate&amp;part=denominator&amp;building_id={b2}"
    assert link in page.text
    records = await client.get(link.replace("&amp;", "&"))
    assert records.status_code == 200
    assert records.text.count("<tr data-record=") == counts["received"]
    assert "/desk/tickets/" in records.text  # a manager opens the tickets
    owners = await client.get("/desk/kpi/records", params={"month": "2026-11", "kpi": "owner_familiarity",
                                                           "part": "denominator", "steward_id": first})
    assert owners.status_code == 200
    counted = [c for c in q.checks if c["month"] == "2026-11" and c["done"] and c["building_id"] in estate.building_ids[:2]
               and (c["reached"] if c["kind"] == "call" else any(c[f] is not None for f in QUIZ_FACTS))]
    assert counted and owners.text.count("<tr data-record=") == len(counted)
    assert re.search(r"业主\d", owners.text) and "/desk/archive/units/" in owners.text
    assert "Room-number quiz" in owners.text  # (the page above chose English)
    export = await client.get("/desk/export/kpi_records.csv", params={
        "month": "2026-11", "kpi": "complaint_handling_rate", "part": "denominator", "building_id": b2})
    assert export.status_code == 200
    assert len(list(csv.reader(io.StringIO(export.text.lstrip("\ufeff"))))) == counts["received"] + 1
    breakdown = await client.get("/desk/export/kpi_breakdown.csv", params={"month": "2026-11"})
    rows = list(csv.reader(io.StringIO(breakdown.text.lstrip("\ufeff"))))
    assert breakdown.status_code == 200 and len(rows) == 1 + (3 + 2) * len(kpi.DEFINITIONS)


async def test_bad_figures_are_refused_and_other_estates_stay_out(client) -> None:
    estate, _, _ = await generate(seed=9)
    other = await make_estate(buildings=1, office=False)
    await make_user("manager", username="boss2", estate_ids=[estate.estate_id])
    await desk_login(client, "boss2")
    for params, status, code in (({"kpi": "nothing", "part": "numerator"}, 422, "invalid_kpi"),
                                 ({"kpi": "satisfaction", "part": "half"}, 422, "invalid_kpi"),
                                 ({"kpi": "satisfaction", "part": "numerator", "month": "2026-13"}, 422,
                                  "invalid_month"),
                                 ({"kpi": "satisfaction", "part": "numerator", "building_id": other.building_ids[0]},
                                  404, "building_not_found"),
                                 ({"kpi": "satisfaction", "part": "numerator", "steward_id": "nobody"}, 404,
                                  "steward_not_found"),
                                 ({"kpi": "satisfaction", "part": "numerator", "estate_id": other.estate_id}, 404,
                                  "estate_not_found")):
        answer = await client.get("/desk/kpi/records", params=params, headers={"accept": "application/json"})
        assert answer.status_code == status, params
        assert code in answer.text, params


async def test_a_steward_is_refused_and_the_company_sees_no_personal_data(client) -> None:
    estate, (first, _), q = await generate(seed=11)
    await desk_login(client, "zhang")
    for path in ("/desk/kpi", "/desk/kpi/records?kpi=satisfaction&part=denominator&month=2026-11",
                 "/desk/export/kpi_records.csv?kpi=satisfaction&part=denominator&month=2026-11",
                 "/desk/export/kpi_breakdown.csv?month=2026-11"):
        assert (await client.get(path)).status_code == 403, path
    client.cookies.clear()
    await make_user("company", username="quality2")
    await desk_login(client, "quality2")
    for key in ("satisfaction", "owner_familiarity", "complaint_callback_rate"):
        page = await client.get("/desk/kpi/records", params={"month": "2026-11", "kpi": key, "part": "denominator"})
        assert page.status_code == 200
        assert not re.search(r"业主\d", page.text), key  # no owner's name
        assert "/desk/tickets/" not in page.text and "/desk/archive/units/" not in page.text
        assert page.text.count("<tr data-record=") > 0
    export = await client.get("/desk/export/kpi_records.csv", params={
        "month": "2026-11", "kpi": "owner_familiarity", "part": "denominator"})
    assert export.status_code == 403  # the company exports nothing (desk.export is the office's)
    dashboard = await client.get("/desk/kpi", params={"month": "2026-11"})
    assert dashboard.status_code == 200 and 'data-breakdown="steward_id"' in dashboard.text
    # the estates side by side: each estate's figure opens that estate's records
    side = await client.get("/desk/kpi/estates", params={"month": "2026-11"})
    link = (f"/desk/kpi/records?month=2026-11&amp;kpi=complaint_handling_rate&amp;part=denominator"
            f"&amp;estate_id={estate.estate_id}")
    assert link in side.text
    one = await client.get(link.replace("&amp;", "&"))
    received = sum(q.counts("2026-11", b)["received"] for b in estate.building_ids)
    assert one.status_code == 200 and one.text.count("<tr data-record=") == received > 0


async def test_the_management_fee_rate_counts_the_property_fee_only(db) -> None:
    """管理费收缴率 is the 物业费's: a parking bill (车位费) changes neither side of it."""
    estate, _, q = await generate(seed=9)
    month, start, end = MONTHS[2]
    before = pairs(await kpi.month_kpis(start, end, month, None, scope=scope_of(estate)))["fee_collection"]
    b1 = estate.building_ids[0]
    await FeeBill.insert(FeeBill(estate_id=estate.estate_id, unit_id=estate.unit_ids[b1][0], building_id=b1,
                                 month=month, item="parking", amount_due=300.0, amount_paid=100.0))
    after = pairs(await kpi.month_kpis(start, end, month, None, scope=scope_of(estate)))["fee_collection"]
    assert after == before
    found = await kpi_records.records("fee_collection", "denominator", start, end, month, None,
                                      scope=scope_of(estate), personal=True)
    assert round(sum(r["due"] for r in found.rows), 2) == before[1]
