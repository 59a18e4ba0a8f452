"""Issue 14, finding 4: reads of ID numbers that the audit missed.

(a) An office role's phone pulled every household with its whole ``owner_id_number``; only the
enrolment was audited. Now a phone receives ID numbers masked as the desk's pages show them,
may not write them, and every pull page carrying households is audited as an archive read.
(b) A conflict record holding a household showed its ID number on /desk/conflicts and in
conflicts.csv/xlsx, unaudited (and the exports were logged as not personal). Now conflict
values are cut to what the viewer's role may read and masked like the archive, and the page
and the exports are audited as reads of personal data.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from server.store import archive, audit
from server.store import conflicts as conflict_store
from server.tables import Conflict, Household
from sync import policy
from sync.scope import Scope
from tests.factories import SmallEstate, enrol, make_estate, make_user, new_id
from tests.integration.test_desk_helpers import HX, login
from tests.integration.test_sync_support import Phone, steward_phone


async def office_phone(client, role: str) -> Phone:
    user_id = await make_user(role)
    from server.store.staff import principal_of

    principal = await principal_of(user_id)
    assert principal is not None
    return Phone(client, await enrol(client, principal.username), user_id)


async def id_numbers(estate: SmallEstate) -> dict[str, str]:
    """household id -> its whole ID number, as stored."""
    rows = await Household.select(Household.id, Household.owner_id_number).where(
        Household.estate_id == estate.estate_id)
    return {r["id"]: r["owner_id_number"] for r in rows}


# --- (a) the phone pull -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["desk", "manager", "admin"])
async def test_an_office_phone_pulls_id_numbers_masked_and_the_pull_is_audited(client, role: str) -> None:
    estate = await make_estate(buildings=2)
    stored = await id_numbers(estate)
    phone = await office_phone(client, role)
    response = await client.post("/api/v1/sync/pull", headers=phone.headers, json={
        "protocol": 2, "device_id": phone.device_id, "cursor": None, "limit": 1000})
    assert response.status_code == 200
    for whole in stored.values():
        assert whole not in response.text  # nowhere in the page, in no form
    households = response.json()["records"]["household"]
    assert {h["id"]: h["owner_id_number"] for h in households} == {
        k: archive.mask(v) for k, v in stored.items()}
    assert all(h["owner_name"] for h in households)  # the rest of the archive as before
    [entry] = (await audit.page(action="archive_read", user_id=phone.user_id)).entries
    assert entry.target == "sync_pull"
    assert entry.detail == {"device": phone.device_id, "households": len(stored)}


async def test_a_stewards_pull_still_holds_no_id_number_and_is_audited(client) -> None:
    estate = await make_estate(buildings=2)
    phone = await steward_phone(client, estate.building_ids[:1])
    await phone.pull()
    households = phone.live("household")
    assert households and all("owner_id_number" not in h for h in households.values())
    [entry] = (await audit.page(action="archive_read", user_id=phone.user_id)).entries
    assert entry.detail["households"] == len(households)


async def test_a_pull_without_households_is_not_an_archive_read(client) -> None:
    estate = await make_estate(buildings=1)
    phone = await steward_phone(client, estate.building_ids)
    await phone.pull()
    await audit.record("login", user_id=phone.user_id)  # a marker: nothing after it
    await phone.pull()  # up to date: an empty page
    actions = [e.action for e in (await audit.page(user_id=phone.user_id)).entries]  # newest first
    assert actions == ["login", "archive_read", "device_enrol"]


async def test_a_phone_cannot_write_an_id_number_and_the_mask_never_overwrites_it(client) -> None:
    estate = await make_estate(buildings=1)
    stored = await id_numbers(estate)
    household_id, whole = next(iter(stored.items()))
    phone = await office_phone(client, "desk")
    await phone.pull()
    shown = phone.replica[("household", household_id)]["owner_id_number"]
    assert shown == archive.mask(whole)
    # the masked value sent back (a form that resends every field), and a new number
    phone.update("household", household_id, {"owner_id_number": shown, "notes": "门口有狗"})
    phone.update("household", household_id, {"owner_id_number": "110105199001011234"})
    results = await phone.push()
    assert [(r["status"], r["code"]) for r in results] == [("rejected", "field_not_writable")] * 2
    # a phone edit of the other fields goes through and leaves the ID number alone
    phone.update("household", household_id, {"notes": "门口有狗"})
    [result] = await phone.push()
    assert result["status"] == "applied"
    row = await Household.select().where(Household.id == household_id).first()
    assert row["owner_id_number"] == whole and row["notes"] == "门口有狗"
    assert await Conflict.count() == 0  # no conflict record holds the number either
    # a new household from a phone may not carry one either
    unit = estate.unit_ids[estate.building_ids[0]][3]  # the vacant one
    phone.create("household", {"unit_id": unit, "owner_name": "新业主", "owner_id_number": "110105199001015678"})
    [created] = await phone.push()
    assert (created["status"], created["code"]) == ("rejected", "field_not_writable")


async def test_the_desk_still_edits_the_id_number(client) -> None:
    """The mask applies to phones: the desk's page edits the number (an audited reveal shows it)."""
    estate = await make_estate(buildings=1)
    household_id = next(iter(await id_numbers(estate)))
    from server import writes
    from server.store.staff import principal_of

    desk = await principal_of(await make_user("desk"))
    assert desk is not None
    row = await Household.select().where(Household.id == household_id).first()
    outcome = await writes.apply(desk, [writes.update(
        "household", household_id, row["version"], {"owner_id_number": row["owner_id_number"]},
        {"owner_id_number": "110105199001019999"})])
    assert not outcome.conflicts
    assert (await Household.select().where(Household.id == household_id).first())["owner_id_number"] \
        == "110105199001019999"


# --- (b) conflict records -----------------------------------------------------------------------


async def household_conflict(client, estate: SmallEstate) -> tuple[str, str, Phone]:
    """A conflict holding a whole household, made as it happens: an admin's phone deletes a
    household that the desk's phone changed meanwhile (delete_edited keeps the values)."""
    household_id, whole = next(iter((await id_numbers(estate)).items()))
    admin = await office_phone(client, "admin")
    desk = await office_phone(client, "desk")
    await admin.pull()
    await desk.pull()
    desk.update("household", household_id, {"notes": "业主要求回电"})
    assert (await desk.push())[0]["status"] == "applied"
    admin.delete("household", household_id)
    [result] = await admin.push()
    assert result["status"] == "conflict"
    [conflict] = await Conflict.select().where(Conflict.record_id == household_id)
    assert whole in str(conflict["lost_value"])  # the record holds it: only what is shown changes
    return household_id, whole, desk


async def test_the_conflicts_page_masks_a_households_id_number_and_is_audited(client) -> None:
    estate = await make_estate(buildings=1)
    household_id, whole, desk = await household_conflict(client, estate)
    viewer = await login(client, "desk")
    page = await client.get("/desk/conflicts")
    assert page.status_code == 200
    assert whole not in page.text and archive.mask(whole) in page.text
    partial = await client.get("/desk/conflicts", headers=HX)
    assert whole not in partial.text
    reads = (await audit.page(action="archive_read", user_id=viewer)).entries
    assert len(reads) == 2 and {e.target for e in reads} == {"conflicts"}
    assert reads[0].detail["households"] == [household_id]
    # the conflict pulled by the desk's phone is masked too
    await desk.pull()
    pulled = [c for c in desk.live("conflict").values() if c["record_id"] == household_id]
    assert pulled and whole not in str(pulled) and archive.mask(whole) in str(pulled)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
async def test_the_conflicts_export_masks_it_and_is_logged_as_personal(client, fmt: str) -> None:
    estate = await make_estate(buildings=1)
    household_id, whole, _ = await household_conflict(client, estate)
    viewer = await login(client, "manager")
    response = await client.get(f"/desk/export/conflicts.{fmt}")
    assert response.status_code == 200
    if fmt == "csv":
        text = response.content.decode("utf-8-sig")
    else:
        sheet = load_workbook(io.BytesIO(response.content)).active
        text = " ".join(str(cell.value) for row in sheet.iter_rows() for cell in row)
    assert whole not in text and archive.mask(whole) in text
    [export] = (await audit.page(action="export", user_id=viewer)).entries
    assert export.target == "conflicts" and export.detail["personal"] is True
    [read] = (await audit.page(action="archive_read", user_id=viewer)).entries
    assert read.target == "conflicts_export" and read.detail["households"] == [household_id]


async def test_a_field_conflict_on_the_id_number_shows_both_values_masked(client) -> None:
    estate = await make_estate(buildings=1)
    household_id = next(iter(await id_numbers(estate)))
    building = estate.building_ids[0]
    await Conflict.insert(Conflict(
        id=new_id(), version=1, building_id=building, estate_id=estate.estate_id,
        collection="household", record_id=household_id, field="owner_id_number", kind="field",
        kept_value="110105198001011111", lost_value="110105198001012222", rule="first_sync_wins"))
    await login(client, "desk")
    page = await client.get("/desk/conflicts")
    assert "110105198001011111" not in page.text and "110105198001012222" not in page.text
    assert archive.mask("110105198001011111") in page.text and archive.mask("110105198001012222") in page.text


def conflict_row(**values: Any) -> dict[str, Any]:
    return {"id": "c", "collection": "household", "record_id": "h", "kind": "delete_edited",
            "field": None, "rule": "delete_wins_values_kept", "status": "open", **values}


async def test_conflicts_are_cut_to_what_the_viewing_role_may_read(client) -> None:
    """Every role: a field the role may not read is gone from both values (a steward and the
    ID number), a masked one is masked, a collection it may not read shows no values."""
    estate = await make_estate(buildings=1)
    household_id = next(iter(await id_numbers(estate)))
    whole = {"owner_name": "王业主", "owner_id_number": "110105198001011111", "notes": "x"}
    await Conflict.insert(Conflict(
        id=new_id(), version=1, building_id=estate.building_ids[0], estate_id=estate.estate_id,
        collection="household", record_id=household_id, kind="delete_edited", kept_value={"deleted": True},
        lost_value=whole, rule="delete_wins_values_kept"))
    scope = Scope(estates=frozenset({estate.estate_id}), buildings=None)
    for role in policy.ROLES:
        rows = await conflict_store.inbox_as(role, scope=scope)
        if policy.readable_fields(role, "conflict") is None:  # the company's role: no conflicts
            assert rows == [], role
            continue
        lost = rows[0]["lost_value"]
        if policy.readable_fields(role, "household") is None:
            assert lost is None, role
        elif "owner_id_number" in (policy.readable_fields(role, "household") or ()):
            assert lost["owner_id_number"] == archive.mask(whole["owner_id_number"]), role
        else:
            assert "owner_id_number" not in lost, role
    # the raw record is what "take the other" writes back (the desk's action reads it whole)
    [raw] = await Conflict.select().where(Conflict.record_id == household_id)
    assert "110105198001011111" in str(raw["lost_value"])


def test_the_phone_mask_is_the_desks_mask() -> None:
    """One list of masked fields: what the archive pages mask is what phones get masked."""
    assert policy.masked_fields("household") == frozenset(archive.MASKED)
    for value in ("330106198001011234", "1234", "", None, "12"):
        assert policy.mask(value) == archive.mask(value)
    redacted = policy.masked_view("desk", "conflict", conflict_row(
        field="owner_id_number", kept_value="330106198001011234", lost_value="330106198001015678"))
    assert (redacted["kept_value"], redacted["lost_value"]) == ("**************1234", "**************5678")
