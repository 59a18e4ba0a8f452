"""Migrations build the whole schema from nothing, and every table round-trips a row."""

from __future__ import annotations

import typing

import msgspec
import pytest
from piccolo.columns import JSON, BigInt, Boolean, Bytea, DoublePrecision, Integer, Serial, Text, Varchar

from sync.specs import SPECS
from server import db as database
from server.settings import Settings
from server.tables import ALL_TABLES, SYNCED_TABLES
from tests.conftest import pg_admin, pg_url_for


def sample_value(column: object, name: str) -> object:
    match column:
        case Serial():
            return None
        case Boolean():
            return True
        case BigInt():
            return 2**40 + 7
        case Integer():
            return 42
        case DoublePrecision():
            return 123.25
        case Bytea():
            return b"\x00\xffphoto"
        case JSON():
            return '{"楼栋": ["3栋"], "n": 1}'
        case Text():
            return "多行\n文本 <b>not html</b>"
        case Varchar():
            length = column._meta.params.get("length", 255)  # type: ignore[attr-defined]
            return ("值" + name)[: min(length, 30)]
    raise AssertionError(f"no sample for {type(column).__name__} {name}")


@pytest.mark.parametrize("table", ALL_TABLES, ids=lambda t: t._meta.tablename)
async def test_every_table_round_trips(db: Settings, table: type) -> None:
    values = {}
    for column in table._meta.columns:
        name = column._meta.name
        value = sample_value(column, name)
        if value is not None:
            values[name] = value
    await table.insert(table(**values))
    rows = await table.select()
    assert len(rows) == 1
    row = rows[0]
    for name, value in values.items():
        got = row[name]
        if isinstance(got, (dict, list)) or (isinstance(value, str) and value.startswith("{")):
            got = msgspec.json.decode(got) if isinstance(got, (str, bytes)) else got
            value = msgspec.json.decode(value)
        assert got == value, f"{table._meta.tablename}.{name}: {got!r} != {value!r}"


async def test_migrations_apply_from_empty_database(engine_kind: str, tmp_path, request) -> None:
    """Not from the template: an empty database, migrated twice (the second run is a no-op)."""
    if engine_kind == "sqlite":
        settings = Settings(data_dir=tmp_path / "empty", secret_key="x")
    else:
        request.getfixturevalue("pg_template")  # skips/fails like every PostgreSQL test
        name = f"ss_empty_{id(tmp_path) % 100000}"
        await pg_admin(f"DROP DATABASE IF EXISTS {name}")
        await pg_admin(f"CREATE DATABASE {name}")
        settings = Settings(database_url=pg_url_for(name), secret_key="x")
    engine = await database.connect(settings)
    try:
        applied = await database.migrate()
        assert len(applied) >= 2
        assert await database.migrate() == []
        for table in ALL_TABLES:
            assert await table.table_exists(), table._meta.tablename
    finally:
        await database.disconnect(engine)
        if engine_kind == "postgres":
            await pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.mark.parametrize("collection", sorted(SPECS))
def test_wire_records_mirror_tables(collection: str) -> None:
    """Every synced collection's Struct has exactly its table's columns."""
    struct_fields = set(SPECS[collection].record.__struct_fields__)
    table_columns = {c._meta.name for c in SYNCED_TABLES[collection]._meta.columns}
    assert struct_fields == table_columns


@pytest.mark.parametrize("collection", sorted(SPECS))
def test_wire_text_limits_equal_column_lengths(collection: str) -> None:
    """A text value the phone may send fits its column (PostgreSQL refuses longer ones)."""
    struct = SPECS[collection].record
    hints = typing.get_type_hints(struct, include_extras=True)
    for column in SYNCED_TABLES[collection]._meta.columns:
        if not isinstance(column, Varchar):
            continue
        hint = hints[column._meta.name]
        codes = _literal_codes(hint)
        if codes:  # a closed vocabulary: every code must fit
            assert max(map(len, codes)) <= column.length, f"{collection}.{column._meta.name}"
            continue
        limits = [m.max_length for m in _metas(hint) if m.max_length is not None]
        assert limits == [column.length], f"{collection}.{column._meta.name}: {limits} vs {column.length}"


def _literal_codes(hint: object) -> list[str]:
    if typing.get_origin(hint) is typing.Literal:
        return list(typing.get_args(hint))
    return [code for arg in typing.get_args(hint) for code in _literal_codes(arg)]


def _metas(hint: object) -> list[msgspec.Meta]:
    """Every msgspec.Meta on a type, looking through ``X | None`` and Literal-free unions."""
    if typing.get_origin(hint) is typing.Annotated:
        return [m for m in typing.get_args(hint)[1:] if isinstance(m, msgspec.Meta)]
    found: list[msgspec.Meta] = []
    for arg in typing.get_args(hint):
        found += _metas(arg)
    return found
