"""Issue 14, findings 1, 3, 6, 7 and 10 (part): hostile text, ids and search input, and what
strangers learn from the edges (static files, libraries, error pages, headers, API docs).

Each finding has a test that failed before its fix (finding 1's fix came first: its test
covers every export route, so a new export cannot miss it)."""

from __future__ import annotations

import csv
import io
import re
import typing
import zipfile
from pathlib import Path
from typing import Any

import httpx
import msgspec
import openpyxl
import pytest

from schemas import limits
from server.desk.registry import export_lists
from server.store import exports
from server.tables import Household, Ticket
from server.vendor import SERVED
from sync.specs import SPECS
from tests.factories import make_estate
from tests.integration.test_desk_helpers import login, seed_ticket
from tests.integration.test_sync_support import (
    PROTOCOL, STATE_TABLES, estate_and_phone, table_counts, ticket_fields,
)

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"

NOT_TEXT = {  # refused in every text field
    "BEL": "\u0007", "ESC": "\u001b", "DEL": "\u007f", "C1 (NEL)": "\u0085",
    "RLO": "\u202e", "LRE": "\u202a", "RLI": "\u2067", "PDI": "\u2069",
    "zero-width space": "\u200b", "ZWJ": "\u200d", "word joiner": "\u2060", "BOM": "\ufeff",
}
LINE_BREAKS = {"LF": "\n", "CRLF": "\r\n", "tab": "\t"}  # free text only


# --- finding 3: text that is not text, refused at the edge ----------------------------------


@pytest.mark.parametrize("name", list(NOT_TEXT))
async def test_a_pushed_text_with_a_control_or_invisible_character_is_rejected(client, name: str) -> None:
    estate, phone = await estate_and_phone(client)
    unit = estate.unit_ids[estate.building_ids[0]][0]
    char = NOT_TEXT[name]
    phone.create("ticket", ticket_fields(unit, f"a{char}b"))
    phone.create("ticket", {**ticket_fields(unit), "description": f"漏水{char}了"})
    before = await table_counts("ticket", "ticket_event")
    results = await phone.push()
    assert [r["status"] for r in results] == ["rejected", "rejected"], results
    assert {r["code"] for r in results} == {"invalid"}
    assert "$.title" in results[0]["message"] and "$.description" in results[1]["message"]
    assert await table_counts("ticket", "ticket_event") == before


async def test_line_breaks_and_tabs_are_kept_in_free_text_only(client) -> None:
    estate, phone = await estate_and_phone(client)
    unit = estate.unit_ids[estate.building_ids[0]][0]
    for char in LINE_BREAKS.values():
        phone.create("ticket", {**ticket_fields(unit), "description": f"厨房{char}漏水"})
        phone.create("ticket", ticket_fields(unit, f"厨房{char}漏水"))
    results = await phone.push()
    assert [r["status"] for r in results] == ["applied", "rejected"] * len(LINE_BREAKS), results


async def test_a_desk_intake_with_a_control_character_is_refused(client) -> None:
    await make_estate(buildings=1, units_per_building=1)
    await login(client, "desk")
    headers = {"X-CSRFToken": client.cookies.get("csrftoken") or "", "Accept": "application/json"}
    before = await table_counts("ticket")
    for data, field, name in (({"kind": "repair", "title": "a\u0007b", "description": "漏水"}, "title", "摘要"),
                              ({"kind": "repair", "title": "楼道灯", "description": "灯\u202e坏了"},
                               "description", "详细描述")):
        answer = await client.post("/desk/intake", data=data, headers=headers)
        assert (answer.status_code, answer.json()["code"], answer.json()["detail"]["field"]) == \
            (422, "invalid_form", field), answer.text
        assert answer.json()["message"].startswith(f"“{name}”含有控制字符或不可见字符")
    assert await table_counts("ticket") == before


def _text_types(hint: Any) -> list[Any]:
    """The ``str`` types a field's type holds (through unions, lists and dicts)."""
    if hint is str:
        return [hint]
    if typing.get_origin(hint) is typing.Annotated:
        base = typing.get_args(hint)[0]
        if base is str:
            return [hint]
        return _text_types(base)
    if typing.get_origin(hint) is typing.Literal:
        return []
    return [t for arg in typing.get_args(hint) for t in _text_types(arg)]


@pytest.mark.parametrize("collection", sorted(SPECS))
def test_every_text_field_of_every_record_is_declared_as_text(collection: str) -> None:
    """One declaration (``schemas.limits``): no text field of a synced record may hold what
    is not text, so a new field cannot forget it."""
    allowed = {limits.LINE_PATTERN, limits.TEXT_PATTERN, *(m.pattern for t in (limits.Day, limits.Month, limits.Sha256)
                                                          for m in typing.get_args(t)[1:])}
    hints = typing.get_type_hints(SPECS[collection].record, include_extras=True)
    for name, hint in hints.items():
        for text in _text_types(hint):
            patterns = [m.pattern for m in typing.get_args(text)[1:] if isinstance(m, msgspec.Meta)]
            assert patterns and patterns[0] in allowed, f"{collection}.{name}: {text}"


def test_line_and_text_declarations() -> None:
    def fits(kind: Any, value: str) -> bool:
        try:
            msgspec.convert(value, kind)
            return True
        except msgspec.ValidationError:
            return False

    for char in NOT_TEXT.values():
        assert not fits(limits.Short[20], f"a{char}") and not fits(limits.LongText, f"a{char}")
    for char in LINE_BREAKS.values():
        assert not fits(limits.Short[20], f"a{char}b") and fits(limits.LongText, f"a{char}b")
    assert not fits(limits.Short[20], "trailing newline\n")  # "$" would have let it through
    assert fits(limits.Short[20], "3栋 2单元 5楼走廊 – ok") and fits(limits.LongText, "")


# --- findings 3 and 1: exports of old rows, on every export route ------------------------------

PLANTED = "=1+2\u0007\u202e\u200b"  # a formula, and what is not text, as rows stored before


def _xlsx_cells(body: bytes) -> list[openpyxl.cell.Cell]:
    with zipfile.ZipFile(io.BytesIO(body)) as book:
        sheets = [n for n in book.namelist() if n.startswith("xl/worksheets/")]
        assert not any(re.search(rb"<f[ >]", book.read(n)) for n in sheets), "a formula was written"
    book = openpyxl.load_workbook(io.BytesIO(body))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def _check_cells(texts: list[str]) -> None:
    for text in texts:
        assert not limits.NOT_TEXT.search(text), repr(text)


async def test_every_export_writes_planted_text_as_text_without_control_characters(client) -> None:
    from tests.integration.test_scope_estates import seed_estate

    seeded = await seed_estate(PLANTED)
    await login(client, "manager")
    planted_in: set[str] = set()
    for name in sorted(export_lists()):
        params = {"q": "=1+2"} if name == "archive" else {}  # the archive lists what is searched
        csv_answer = await client.get(f"/desk/export/{name}.csv", params=params)
        assert csv_answer.status_code == 200, (name, csv_answer.text[:200])
        assert csv_answer.headers["cache-control"] == "no-store", name
        rows = list(csv.reader(io.StringIO(csv_answer.content.decode("utf-8-sig"))))
        values = [v for row in rows for v in row]
        _check_cells(values)
        assert not [v for v in values if v.startswith(exports.RISKY)], name
        if any(v.startswith("'=1+2") for v in values):
            planted_in.add(name)

        xlsx_answer = await client.get(f"/desk/export/{name}.xlsx", params=params)
        assert xlsx_answer.status_code == 200, (name, xlsx_answer.text[:200])
        cells = _xlsx_cells(xlsx_answer.content)
        _check_cells([c.value for c in cells if isinstance(c.value, str)])
        risky = [c for c in cells if isinstance(c.value, str) and c.value.startswith(exports.RISKY)]
        assert all(c.data_type == "s" and c.quotePrefix for c in risky), name
        assert bool(risky) == (name in planted_in), name
    # every list that shows a text of the seeded records (kpi and vacant: numbers and codes;
    # conflicts: values as JSON, "\"=1+2…\""; reports: findings reported upward only, and
    # the seeded finding is not one; the seeded estate has no meters, assessments, survey
    # answers or arrears, yet each of those lists was still written through the same
    # escaping above, and checked for what is not text)
    assert planted_in == set(export_lists()) - {"kpi", "vacant", "conflicts", "reports", "meter_sheet",
                                                "assessments", "survey_results", "fee_arrears"}, planted_in
    ledger = await client.get("/admin/ledger/estate.xlsx", params={"estate": seeded.estate.estate_id})
    assert ledger.status_code == 200 and ledger.headers["cache-control"] == "no-store"
    cells = _xlsx_cells(ledger.content)
    _check_cells([c.value for c in cells if isinstance(c.value, str)])
    assert any(isinstance(c.value, str) and c.value.startswith("=1+2") and c.quotePrefix for c in cells)


@pytest.mark.parametrize("prefix", exports.RISKY)
def test_each_risky_beginning_is_written_as_text_in_csv_and_xlsx(prefix: str) -> None:
    value = f"{prefix}HYPERLINK(\"http://x\")"
    assert exports.csv_value(value) == "'" + value and exports.csv_value("\u202e" + value) == "'" + value
    cells = _xlsx_cells(exports.to_xlsx("t", ["h"], [[value], ["\u202e" + value]]))
    # (XML reads a CR back as a line feed)
    assert [(c.value.replace("\n", "\r") if prefix == "\r" else c.value, c.data_type, bool(c.quotePrefix))
            for c in cells[1:]] == [(value, "s", True)] * 2


# --- finding 6: record ids ------------------------------------------------------------------

BAD_IDS = ["", "../../admin/users", "<i>id</i>", "t1", "0190A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B",
           "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b\n", "0190a1b2c3d47e5f8a9b0c1d2e3f4a5b"]


@pytest.mark.parametrize("bad", BAD_IDS)
async def test_a_push_naming_an_id_not_in_the_documented_format_is_refused_whole(client, bad: str) -> None:
    estate, phone = await estate_and_phone(client)
    unit = estate.unit_ids[estate.building_ids[0]][0]
    phone.create("ticket", ticket_fields(unit, "好的工单"))
    phone.create("ticket", ticket_fields(unit, "坏编号"))
    phone.outbox[-1]["id"] = bad
    before = await table_counts(*STATE_TABLES)
    answer = await phone.post_push(phone.outbox)
    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert body["code"] == "invalid_id" and "UUID" in body["message"] and "记录编号" in body["message"]
    assert body["detail"]["invalid"] == [{"index": 1, "seq": 2, "field": "id", "id": bad}]
    assert await table_counts(*STATE_TABLES) == before


async def test_ids_in_fields_and_in_protocol_1_bodies_are_checked_too(client) -> None:
    """The ids a push would store: a new record's and its id fields' (an update's target is
    an existing record or none)."""
    estate, phone = await estate_and_phone(client)
    phone.create("ticket", ticket_fields("../unit"))
    answer = await phone.post_push(phone.outbox)
    assert answer.status_code == 400 and answer.json()["detail"]["invalid"][0]["field"] == "unit_id"
    old = {"protocol": 1, "device_id": phone.device_id, "mutations": [
        {"type": "create", "seq": 1, "collection": "ticket", "id": "<i>id</i>", "fields": {}}]}
    answer = await client.post("/api/v1/sync/push", json=old, headers=phone.headers)
    assert answer.status_code == 400 and answer.json()["code"] == "invalid_id"
    phone.outbox[0]["fields"]["unit_id"] = estate.unit_ids[estate.building_ids[0]][0]
    phone.update("ticket", "../../admin/users", {"title": "改"})  # names no record: stores nothing
    assert [(r["status"], r.get("code")) for r in await phone.push()] == [("applied", None),
                                                                           ("rejected", "unknown_record")]


async def test_links_built_from_ids_are_path_escaped(client) -> None:
    """Rows stored before the check: their links stay one path segment."""
    estate = await make_estate(buildings=1, units_per_building=1)
    building = estate.building_ids[0]
    for bad in ("../../admin/users", "<i>id</i>"):
        await seed_ticket(building, id=bad, title="旧编号")
    await login(client, "desk")
    page = await client.get("/desk/tickets")
    assert page.status_code == 200
    assert 'href="/desk/tickets/../../admin/users"' not in page.text
    assert 'href="/desk/tickets/..%2F..%2Fadmin%2Fusers"' in page.text
    assert 'href="/desk/tickets/%3Ci%3Eid%3C%2Fi%3E"' in page.text


# --- finding 7: LIKE wildcards ----------------------------------------------------------------


async def test_percent_and_underscore_in_a_search_are_characters(client) -> None:
    estate = await make_estate(buildings=1, units_per_building=4, vacant_every=0)
    names = {"王_明": None, "王明明": None, "满意100%业主": None, "满意1000业主": None}
    for (unit_id, household_id), name in zip(estate.household_ids.items(), names, strict=True):
        await Household.update({Household.owner_name: name}).where(Household.id == household_id)
        names[name] = unit_id
    await login(client, "desk")
    for q, wanted in (("王_", {"王_明"}), ("0%业", {"满意100%业主"}), ("王明", {"王明明"}),
                      ("%", {"满意100%业主"}), ("_", {"王_明"}), ("\\", set()), ("%%", set())):
        page = await client.get("/desk/archive", params={"q": q})
        assert page.status_code == 200
        found = {name for name, unit in names.items() if unit in page.text}
        assert found == wanted, (q, found)
    await seed_ticket(estate.building_ids[0], unit_id=names["王_明"], title="王_明家报修")
    await seed_ticket(estate.building_ids[0], unit_id=names["王明明"], title="王明明家报修")
    listed = await client.get("/desk/tickets", params={"q": "王_明"})
    assert listed.status_code == 200
    assert "王_明家报修" in listed.text and "王明明家报修" not in listed.text


# --- finding 10 (part): what strangers learn at the edges ---------------------------------------


@pytest.mark.parametrize("path", ["/static/.", "/static/app", "/vendor/.", "/vendor/idb/.", "/nope"])
async def test_not_found_names_no_folder_of_the_server(client, path: str) -> None:
    for accept in ("application/json", "text/html"):
        answer = await client.get(path, headers={"Accept": accept})
        assert answer.status_code == 404
        assert str(ROOT) not in answer.text and "node_modules" not in answer.text, answer.text


async def test_vendor_serves_only_the_files_the_pages_load(client) -> None:
    for name in sorted(SERVED):
        answer = await client.get(f"/vendor/{name}")
        assert answer.status_code == 200 and "javascript" in answer.headers["content-type"], name
    for other in (".package-lock.json", "htmx.org/package.json", "axe-core/axe.min.js", "axe-core/package.json",
                  "chart.js/dist/chart.js", "idb/build/index.cjs", "htmx.org/dist/../package.json"):
        assert (await client.get(f"/vendor/{other}")).status_code == 404, other
    used = set()
    for path in [*WEB.joinpath("templates").rglob("*.html"), *WEB.joinpath("static").rglob("*.js")]:
        if "tests" not in path.parts:
            used |= set(re.findall(r"/vendor/([\w.@/-]+\.js)", path.read_text(encoding="utf-8")))
    assert used and used <= SERVED, used - SERVED


EXPECTED_CSP = ("default-src 'self'", "script-src 'self'", "form-action 'self'", "frame-ancestors 'none'",
                "object-src 'none'", "base-uri 'self'")


def _secured(answer: httpx.Response) -> None:
    csp = answer.headers.get("content-security-policy", "")
    assert all(part in csp for part in EXPECTED_CSP), (answer.request.url, csp)
    assert answer.headers.get("x-content-type-options") == "nosniff"
    assert answer.headers.get("referrer-policy") == "same-origin"


async def test_error_pages_carry_the_security_headers(client, monkeypatch: pytest.MonkeyPatch) -> None:
    for accept in ("text/html", "application/json"):
        _secured(await client.get("/nope", headers={"Accept": accept}))
        _secured(await client.get("/desk/tickets/x", headers={"Accept": accept}))  # 401 → login
        _secured(await client.get("/static/missing.css", headers={"Accept": accept}))
    await login(client, "desk")

    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr("server.store.tickets.queue", broken)
    failed = await client.get("/desk/tickets", headers={"Accept": "text/html"})
    assert failed.status_code == 500
    _secured(failed)
    assert failed.headers["cache-control"] == "no-store"


async def test_pages_with_personal_data_are_not_stored(client) -> None:
    estate = await make_estate(buildings=1, units_per_building=1)
    unit = estate.unit_ids[estate.building_ids[0]][0]
    await login(client, "admin")
    for path in ("/desk/tickets", f"/desk/archive/units/{unit}", "/desk/archive?q=1-", "/admin/users",
                 "/admin/audit", "/desk/export/archive.csv", "/desk/export/tickets.xlsx"):
        answer = await client.get(path)
        assert answer.status_code == 200, path
        assert answer.headers.get("cache-control") == "no-store", path
        _secured(answer)
    _, phone = await estate_and_phone(client)
    pull = await client.post("/api/v1/sync/pull", headers=phone.headers,
                             json={"protocol": PROTOCOL, "device_id": phone.device_id})
    assert pull.status_code == 200 and pull.headers.get("cache-control") == "no-store"
    assert (await client.get("/static/desk.css")).headers.get("cache-control") != "no-store"


async def test_api_docs_load_nothing_from_another_site(client) -> None:
    for path in ("/api/docs", "/api/docs/scalar"):
        page = await client.get(path)
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        _secured(page)
        addresses = re.findall(r"""(?:src|href)=["']([^"']+)""", page.text)
        assert addresses and all(a.startswith("/") and not a.startswith("//") for a in addresses), addresses
        assert "<script" not in page.text
        assert "/api/v1/sync/push" in page.text and "/api/docs/openapi.json" in page.text
    schema = await client.get("/api/docs/openapi.json")
    assert schema.status_code == 200 and "/api/v1/sync/push" in schema.json()["paths"]


async def test_a_ticket_with_an_old_bad_title_can_still_be_exported_and_read(client) -> None:
    """Finding 3 as reported: a title with BEL made tickets.xlsx answer 500 for everyone."""
    estate = await make_estate(buildings=1, units_per_building=1)
    ticket = await seed_ticket(estate.building_ids[0], title="a\u0007b\u202ec")
    await login(client, "desk")
    answer = await client.get("/desk/export/tickets.xlsx")
    assert answer.status_code == 200
    titles = [c.value for c in _xlsx_cells(answer.content) if isinstance(c.value, str) and c.value.startswith("a")]
    assert "abc" in titles, titles
    page = await client.get(f"/desk/tickets/{ticket['id']}")
    assert page.status_code == 200 and await Ticket.count().where(Ticket.id == ticket["id"]) == 1
