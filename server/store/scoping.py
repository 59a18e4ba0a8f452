"""A ``sync.scope.Scope`` as a query condition: the one way the query layer limits rows.

Every query-layer function that lists or counts records takes a ``Scope`` (from
``Principal.scope``) and limits its rows with one of these: ``scope_sql`` for the raw-SQL
paths, ``scope_where`` for Piccolo queries. Both fail closed: an empty scope matches no row.
Tables limited here carry ``estate_id`` and ``building_id`` (every synced table, fee bills).
"""

from __future__ import annotations

from typing import Any

from piccolo.table import Table

from sync.policy import row_filter
from sync.scope import Scope

NO_ROW = "1 = 0"


def scope_sql(scope: Scope, *, alias: str = "", mark: str = "?") -> tuple[str, list[Any]]:
    """``(condition, params)`` limiting rows to ``scope``; ``alias`` prefixes the columns
    (``"t."``), ``mark`` is the placeholder the caller's SQL uses."""
    if scope.buildings is None:
        keys, column = sorted(scope.estates), f"{alias}estate_id"
    else:
        keys, column = sorted(scope.buildings), f"{alias}building_id"
    parts: list[str] = []
    params: list[Any] = []
    if len(keys) == 1:  # one estate or building: an equality, so an index led by it is a range
        parts.append(f"{column} = {mark}")
        params.extend(keys)
    elif keys:
        parts.append(f"{column} IN ({', '.join([mark] * len(keys))})")
        params.extend(keys)
    if scope.buildings is not None and scope.own_user is not None:
        parts.append(f"({alias}building_id IS NULL AND {alias}created_by = {mark})")
        params.append(scope.own_user)
    if not parts:
        return NO_ROW, []
    return (parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"), params


def scope_where(table: type[Table], scope: Scope) -> Any:
    """A Piccolo ``where`` condition limiting ``table``'s rows to ``scope``."""
    estate_id = table._meta.get_column_by_name("estate_id")
    building_id = table._meta.get_column_by_name("building_id")
    if scope.buildings is None:
        keys, column = sorted(scope.estates), estate_id
    else:
        keys, column = sorted(scope.buildings), building_id
    condition: Any = (column == keys[0]) if len(keys) == 1 else column.is_in(keys) if keys else None
    if scope.buildings is not None and scope.own_user is not None and "created_by" in {
            c._meta.name for c in table._meta.columns}:
        own = building_id.is_null() & (table._meta.get_column_by_name("created_by")
                                       == scope.own_user)
        condition = own if condition is None else condition | own
    if condition is None:  # the empty scope: no row
        return estate_id.is_null() & estate_id.is_not_null()
    return condition


def with_row_filter(role: str, collection: str, where: str,
                    params: list[Any]) -> tuple[str, list[Any]]:
    """``where`` narrowed to the records the role reads in the collection
    (``sync.policy.row_filter``: an engineer's ticket photos)."""
    only = row_filter(role, collection)
    if only is None:
        return where, params
    field, values = only
    marks = ", ".join("?" * len(values))
    return f'{where} AND "{field}" IN ({marks})', [*params, *sorted(values)]
