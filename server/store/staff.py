"""Staff users, assignments, desk sessions and device credentials."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import msgspec
from piccolo.query.functions.aggregate import Count, Max

from server.auth.passwords import hash_password
from server.auth.principal import Principal
from server.auth.tokens import new_token, token_hash
from server.clock import iso_in, now_iso
from server.store.sync_storage import Conn, read_snapshot
from server.tables import (
    Building, BuildingAssignment, Estate, LoginAttempt, StaffEstate, StaffSession, StaffUser,
    SyncDevice,
)
from sync.scope import ESTATE_LIST_ROLES, by_building, rule_of


async def principal_of(user_id: str, *, device_id: str | None = None) -> Principal | None:
    """The principal of an active user (None otherwise), with their scope's buildings and
    estates."""
    async with read_snapshot() as conn:
        found = await conn.fetchrow(
            "SELECT " + _PRINCIPAL_COLUMNS + " FROM staff_user u WHERE u.id = ?", user_id)
        if found is None or not found[-1]:
            return None
        return await _principal(conn, found, device_id=device_id)


def canonical_username(username: str) -> str:
    """Usernames are case-insensitive: ``Admin`` is ``admin``, and ``ADMIN`` cannot be made
    beside it. Stored and looked up in lower case."""
    return username.strip().lower()


async def user_by_username(username: str) -> dict | None:
    """The account of a username in any case (accounts made before names were kept in lower
    case are found too)."""
    rows = await StaffUser.raw("SELECT * FROM staff_user WHERE lower(username) = {} ORDER BY created_at",
                               canonical_username(username))
    return rows[0] if rows else None


async def add_user(username: str, password: str, display_name: str, role: str,
                   *, user_id: str | None = None, phone: str | None = None,
                   estate_ids: list[str] | None = None) -> str:
    """Create a staff account (or reset the password and role of an existing one: its desk
    sessions and phone credentials end, as with ``reset_password``). An office role works in
    ``estate_ids``; when they are not given, in the deployment's estate if it has exactly one (one office on the embedded default), else in none until
    an admin gives it some (scopes fail closed)."""
    existing = await user_by_username(username)
    values = {
        StaffUser.display_name: display_name, StaffUser.role: role,
        StaffUser.password_hash: hash_password(password), StaffUser.phone: phone,
        StaffUser.active: True,
    }
    if existing:  # a new password (and maybe role): the old credentials end
        await StaffUser.update(values).where(StaffUser.id == existing["id"])
        new_id = existing["id"]
        await end_credentials(new_id)
    else:
        new_id = user_id or str(uuid.uuid4())
        await StaffUser.insert(StaffUser(
            id=new_id, username=canonical_username(username), display_name=display_name, role=role,
            password_hash=values[StaffUser.password_hash], phone=phone, created_at=now_iso(),
        ))
    if estate_ids is not None:
        await assign_estates(new_id, estate_ids)
    elif role in ESTATE_LIST_ROLES:
        await _default_estates(new_id)
    return new_id


async def assign_estates(user_id: str, estate_ids: list[str]) -> None:
    """Replace an office account's estates."""
    await StaffEstate.delete().where(StaffEstate.user_id == user_id)
    if estate_ids:
        await StaffEstate.insert(*[StaffEstate(user_id=user_id, estate_id=e)
                                   for e in dict.fromkeys(estate_ids)])


async def estate_ids_of(user_id: str) -> list[str]:
    rows = await StaffEstate.select(StaffEstate.estate_id).where(StaffEstate.user_id == user_id)
    return [r["estate_id"] for r in rows]


async def _default_estates(user_id: str) -> None:
    """An office account without estates gets the deployment's only estate, if one."""
    if await estate_ids_of(user_id):
        return
    estates = await Estate.select(Estate.id).limit(2)
    if len(estates) == 1:
        await assign_estates(user_id, [estates[0]["id"]])


async def assign_buildings(user_id: str, building_ids: list[str]) -> None:
    """Replace a steward's assigned buildings."""
    await BuildingAssignment.delete().where(BuildingAssignment.user_id == user_id)
    if building_ids:
        at = now_iso()
        await BuildingAssignment.insert(*[
            BuildingAssignment(user_id=user_id, building_id=b, assigned_at=at) for b in building_ids
        ])


async def open_session(user_id: str, hours: int = 12) -> str:
    """A new desk session: its cookie token (its forms' CSRF token derives from it:
    ``server.auth.csrf``)."""
    token = new_token()
    await StaffSession.insert(StaffSession(
        token_hash=token_hash(token), user_id=user_id,
        created_at=now_iso(), expires_at=iso_in(timedelta(hours=hours)),
    ))
    return token


async def close_session(token: str) -> None:
    await StaffSession.delete().where(StaffSession.token_hash == token_hash(token))


async def enrol_device(user_id: str, device_id: str, label: str, days: int) -> tuple[str, str]:
    """Bind a phone to a user: (credential, expiry). Re-enrolling keeps ``last_seq``."""
    token, expires = new_token(), iso_in(timedelta(days=days))
    existing = await SyncDevice.select(SyncDevice.id, SyncDevice.user_id).where(SyncDevice.id == device_id).first()
    if existing:
        await SyncDevice.update({
            SyncDevice.user_id: user_id, SyncDevice.label: label,
            SyncDevice.credential_hash: token_hash(token), SyncDevice.expires_at: expires,
            SyncDevice.revoked_at: None, SyncDevice.enrolled_at: now_iso(),
        }).where(SyncDevice.id == device_id)
    else:
        await SyncDevice.insert(SyncDevice(
            id=device_id, user_id=user_id, label=label, credential_hash=token_hash(token),
            enrolled_at=now_iso(), expires_at=expires,
        ))
    return token, expires


async def revoke_device(device_id: str) -> bool:
    rows = await SyncDevice.update({SyncDevice.revoked_at: now_iso()}).where(
        (SyncDevice.id == device_id) & SyncDevice.revoked_at.is_null()).returning(SyncDevice.id)
    return bool(rows)


async def device_owner(device_id: str) -> str | None:
    row = await SyncDevice.select(SyncDevice.user_id).where(SyncDevice.id == device_id).first()
    return row["user_id"] if row else None


# --- login attempts: the state of login throttling (``server.auth.throttle``), in the
# database so that every server process sees the same limits ---

class Failures(msgspec.Struct, frozen=True, kw_only=True):
    """Failed password checks of one key (an account, an address, or both) since a moment."""
    count: int
    last: str | None  # the latest one


class FailingPair(msgspec.Struct, frozen=True, kw_only=True):
    """An account's failed password checks from one address, since its last login there."""
    username: str
    ip: str
    count: int
    last: str


async def record_login_attempt(username: str, ip: str, ok: bool) -> None:
    """One password check. A success replaces the earlier successes of the same account and
    address: one row per address an account logged in from (its known addresses)."""
    username, ip = username[:50], ip[:45]
    if ok:
        await LoginAttempt.delete().where((LoginAttempt.username == username) & (LoginAttempt.ip == ip)
                                          & (LoginAttempt.ok == True))  # noqa: E712
    await LoginAttempt.insert(LoginAttempt(username=username, ip=ip, at=now_iso(), ok=ok))


async def login_failures(since: str, *, username: str | None = None, ip: str | None = None) -> Failures:
    """Failed password checks since ``since`` of one username, from one address, or both."""
    where = (LoginAttempt.at >= since) & (LoginAttempt.ok == False)  # noqa: E712
    if username is not None:
        where &= LoginAttempt.username == username
    if ip is not None:
        where &= LoginAttempt.ip == ip
    row = (await LoginAttempt.select(Count(alias="n"), Max(LoginAttempt.at, alias="last")).where(where))[0]
    return Failures(count=row["n"], last=row["last"])


async def failures_since(since: str, *, ip: str | None = None, username: str | None = None) -> int:
    """How many failed login attempts since ``since`` from one address or for one username."""
    return (await login_failures(since, username=username, ip=ip)).count


async def last_login(username: str, ip: str) -> str | None:
    """When ``username`` last logged in from ``ip`` (None: not within what is kept)."""
    row = await LoginAttempt.select(LoginAttempt.at).where(
        (LoginAttempt.username == username) & (LoginAttempt.ip == ip) & (LoginAttempt.ok == True)  # noqa: E712
    ).order_by(LoginAttempt.at, ascending=False).first()
    return row["at"] if row else None


async def owns_device(user_id: str, device_id: str) -> bool:
    """Whether the phone ``device_id`` was enrolled by ``user_id`` (revoked or not)."""
    return await SyncDevice.exists().where((SyncDevice.id == device_id) & (SyncDevice.user_id == user_id))


async def failing_pairs(since: str, usernames: Sequence[str]) -> list[FailingPair]:
    """Per account and address: the failed checks since ``since`` and since the account's
    last login from that address (for the admin's list of locks)."""
    if not usernames:
        return []
    names = ", ".join("{}" for _ in usernames)
    rows = await LoginAttempt.raw(
        "SELECT f.username, f.ip, COUNT(*) AS n, MAX(f.at) AS last FROM login_attempt f "
        f"WHERE f.ok = {{}} AND f.at >= {{}} AND f.username IN ({names}) "
        "AND f.at > COALESCE((SELECT MAX(s.at) FROM login_attempt s "
        "WHERE s.ok = {} AND s.username = f.username AND s.ip = f.ip), '') "
        "GROUP BY f.username, f.ip", False, since, *usernames, True)
    return [FailingPair(username=r["username"], ip=r["ip"], count=r["n"], last=r["last"]) for r in rows]


async def failing_accounts(since: str, usernames: Sequence[str]) -> dict[str, Failures]:
    """Per account: its failed checks since ``since`` from every address."""
    if not usernames:
        return {}
    rows = await LoginAttempt.select(
        LoginAttempt.username, Count(alias="n"), Max(LoginAttempt.at, alias="last"),
    ).where((LoginAttempt.at >= since) & (LoginAttempt.ok == False)  # noqa: E712
            & LoginAttempt.username.is_in(list(usernames))).group_by(LoginAttempt.username)
    return {r["username"]: Failures(count=r["n"], last=r["last"]) for r in rows}


async def prune_login_attempts(failures_before: str, logins_before: str) -> None:
    """Forget failures older than ``failures_before`` and logins older than ``logins_before``."""
    await LoginAttempt.delete().where(
        ((LoginAttempt.ok == False) & (LoginAttempt.at < failures_before))  # noqa: E712
        | ((LoginAttempt.ok == True) & (LoginAttempt.at < logins_before)))  # noqa: E712


async def forget_login_failures(username: str) -> int:
    """Forget every failed check of a username (its locks are lifted); returns how many."""
    where = (LoginAttempt.username == canonical_username(username)) & (LoginAttempt.ok == False)  # noqa: E712
    count = await LoginAttempt.count().where(where)
    await LoginAttempt.delete().where(where)
    return count


# --- accounts, for the admin pages ---

class StaffRow(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    username: str
    display_name: str
    role: str
    phone: str | None
    active: bool
    building_ids: list[str]
    team: str | None = None  # an engineer's team (schemas.vocab.EngineerTeam)


class DeviceRow(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    user_id: str
    username: str
    display_name: str
    role: str
    label: str
    enrolled_at: str | None
    expires_at: str | None
    revoked_at: str | None
    last_push_at: str | None
    last_pull_at: str | None
    last_seq: int
    reported_pending: int
    app_version: str


async def user_by_id(user_id: str) -> StaffRow | None:
    rows = await list_users(user_ids=[user_id])
    return rows[0] if rows else None


async def list_users(*, user_ids: list[str] | None = None, role: str | None = None) -> list[StaffRow]:
    query = StaffUser.select(
        StaffUser.id, StaffUser.username, StaffUser.display_name, StaffUser.role, StaffUser.phone,
        StaffUser.active, StaffUser.team,
    ).order_by(StaffUser.role).order_by(StaffUser.username)
    if user_ids is not None:
        query = query.where(StaffUser.id.is_in(user_ids or [""]))
    if role:
        query = query.where(StaffUser.role == role)
    users = await query
    assignments = await BuildingAssignment.select(
        BuildingAssignment.user_id, BuildingAssignment.building_id)
    by_user: dict[str, list[str]] = {}
    for a in assignments:
        by_user.setdefault(a["user_id"], []).append(a["building_id"])
    return [StaffRow(**u, building_ids=sorted(by_user.get(u["id"], []))) for u in users]


async def set_team(user_id: str, team: str | None) -> None:
    """An engineer's team (水电班, 土建…): dispatch sends a repair to its team's on-duty engineer."""
    await StaffUser.update({StaffUser.team: team}).where(StaffUser.id == user_id)


async def set_role(user_id: str, role: str) -> str | None:
    """Change a role; returns the previous one (None when the user does not exist)."""
    row = await StaffUser.select(StaffUser.role).where(StaffUser.id == user_id).first()
    if row is None:
        return None
    await StaffUser.update({StaffUser.role: role}).where(StaffUser.id == user_id)
    if role != row["role"]:  # a phone enrolled under the old role logs in again
        await revoke_devices_of(user_id)
    if not by_building(role):
        await BuildingAssignment.delete().where(BuildingAssignment.user_id == user_id)
    if role in ESTATE_LIST_ROLES:
        await _default_estates(user_id)
    else:
        await StaffEstate.delete().where(StaffEstate.user_id == user_id)
    return row["role"]


async def deactivate_user(user_id: str) -> int:
    """Disable an account: end its desk sessions and revoke its phones; returns phones revoked."""
    await StaffUser.update({StaffUser.active: False}).where(StaffUser.id == user_id)
    await StaffSession.delete().where(StaffSession.user_id == user_id)
    return await revoke_devices_of(user_id)


async def revoke_devices_of(user_id: str) -> int:
    """End every phone credential of a user; returns how many were live."""
    rows = await SyncDevice.update({SyncDevice.revoked_at: now_iso()}).where(
        (SyncDevice.user_id == user_id) & SyncDevice.revoked_at.is_null()).returning(SyncDevice.id)
    return len(rows)


async def reactivate_user(user_id: str) -> None:
    """Enable an account again; its login locks are lifted too."""
    await StaffUser.update({StaffUser.active: True}).where(StaffUser.id == user_id)
    if (username := await _username_of(user_id)) is not None:
        await forget_login_failures(username)


async def reset_password(user_id: str, password: str) -> None:
    """New password; ends the user's desk sessions and phone credentials (the phone logs in
    again with the new password and keeps its outbox) and lifts the login locks."""
    await StaffUser.update({StaffUser.password_hash: hash_password(password)}).where(StaffUser.id == user_id)
    await end_credentials(user_id)


async def end_credentials(user_id: str) -> int:
    """After a new password: the user's desk sessions end, every phone must log in again,
    and failed logins are forgotten (the locks they caused are lifted); returns the phones
    revoked."""
    await StaffSession.delete().where(StaffSession.user_id == user_id)
    if (username := await _username_of(user_id)) is not None:
        await forget_login_failures(username)
    return await revoke_devices_of(user_id)


async def _username_of(user_id: str) -> str | None:
    row = await StaffUser.select(StaffUser.username).where(StaffUser.id == user_id).first()
    return row["username"] if row else None


async def list_devices(*, user_id: str | None = None, device_id: str | None = None,
                       roles: tuple[str, ...] | None = None) -> list[DeviceRow]:
    """Phones with their owner and last sync, newest enrolment first."""
    query = SyncDevice.select(
        SyncDevice.id, SyncDevice.user_id, SyncDevice.label, SyncDevice.enrolled_at,
        SyncDevice.expires_at, SyncDevice.revoked_at, SyncDevice.last_push_at,
        SyncDevice.last_pull_at, SyncDevice.last_seq, SyncDevice.reported_pending,
        SyncDevice.app_version,
    ).order_by(SyncDevice.enrolled_at, ascending=False)
    if user_id:
        query = query.where(SyncDevice.user_id == user_id)
    if device_id:
        query = query.where(SyncDevice.id == device_id)
    devices = await query
    users = {u["id"]: u for u in await StaffUser.select(
        StaffUser.id, StaffUser.username, StaffUser.display_name, StaffUser.role)}
    result = []
    for d in devices:
        owner = users.get(d["user_id"], {"username": "?", "display_name": "?", "role": "?"})
        if roles is not None and owner["role"] not in roles:
            continue
        result.append(DeviceRow(**d, username=owner["username"], display_name=owner["display_name"],
                                role=owner["role"]))
    return result


async def device_row(device_id: str) -> DeviceRow | None:
    rows = await list_devices(device_id=device_id)
    return rows[0] if rows else None


async def device_seq(device_id: str) -> int | None:
    row = await SyncDevice.select(SyncDevice.last_seq).where(SyncDevice.id == device_id).first()
    return row["last_seq"] if row else None


# --- who is asking: one query per request on the hot path (plus assignments for stewards) ---

_PRINCIPAL_COLUMNS = "u.id, u.username, u.display_name, u.role, u.active"


async def device_principal(token: str) -> tuple[str | None, Principal | None]:
    """(problem, principal) for a phone's bearer credential; problem is one of
    invalid_credential / device_revoked / device_expired / user_inactive, or None.
    Asked on every phone request, so it reads on the sync paths' kept connections."""
    async with read_snapshot() as conn:
        found = await conn.fetchrow(
            "SELECT d.id, d.expires_at, d.revoked_at, " + _PRINCIPAL_COLUMNS +
            " FROM sync_device d LEFT JOIN staff_user u ON u.id = d.user_id WHERE d.credential_hash = ?",
            token_hash(token))
        if found is None:
            return "invalid_credential", None
        device_id, expires_at, revoked_at, user_id, *_, active = found
        if revoked_at:
            return "device_revoked", None
        if expires_at and expires_at < now_iso():
            return "device_expired", None
        if not user_id or not active:
            return "user_inactive", None
        return None, await _principal(conn, found[3:], device_id=device_id)


async def session_principal(token: str, chosen_estate: str | None = None) -> Principal | None:
    """The principal of a live desk session of an active user (None otherwise). Asked on
    every desk request, so it too reads on the kept connections. A user of several
    estates sees the one ``chosen_estate`` names (one of theirs; all of them otherwise)."""
    async with read_snapshot() as conn:
        found = await conn.fetchrow(
            "SELECT " + _PRINCIPAL_COLUMNS +
            " FROM staff_session s JOIN staff_user u ON u.id = s.user_id"
            " WHERE s.token_hash = ? AND s.expires_at > ?", token_hash(token), now_iso())
        if found is None or not found[-1]:
            return None
        principal = await _principal(conn, found)
        if len(principal.estate_ids) < 2:
            return principal
        where, params = conn.in_list("id", sorted(principal.estate_ids))
        choices = tuple((r[0], r[1]) for r in await conn.fetch(
            f"SELECT id, name FROM estate WHERE {where} ORDER BY code, name", *params))
        narrowed = frozenset({chosen_estate}) if chosen_estate in principal.estate_ids else principal.estate_ids
        return msgspec.structs.replace(principal, estate_ids=narrowed, estate_choices=choices)


async def _principal(conn: Conn, user: Sequence[Any], *, device_id: str | None = None) -> Principal:
    """A principal from the ``_PRINCIPAL_COLUMNS`` of a user, with what its role's scope
    needs (``sync.scope.ROLE_SCOPES``): a steward's buildings and their estates, an office
    role's estates; a role not in the table gets neither (it sees nothing)."""
    user_id, username, display_name, role, _active = user
    rule = rule_of(role)
    buildings: frozenset[str] = frozenset()
    estates: frozenset[str] = frozenset()
    if rule is not None and rule.kind == "buildings":
        rows = await conn.fetch(
            "SELECT a.building_id, b.estate_id FROM building_assignment a "
            "LEFT JOIN building b ON b.id = a.building_id WHERE a.user_id = ?", user_id)
        buildings = frozenset(r[0] for r in rows)
        estates = frozenset(r[1] for r in rows if r[1] is not None)
    elif rule is not None and rule.every_estate:
        estates = frozenset(r[0] for r in await conn.fetch("SELECT id FROM estate"))
    elif rule is not None:
        estates = frozenset(r[0] for r in await conn.fetch(
            "SELECT estate_id FROM staff_estate WHERE user_id = ?", user_id))
    return Principal(user_id=user_id, username=username, display_name=display_name, role=role,
                     estate_ids=estates, building_ids=buildings, device_id=device_id)


async def building_ids_by_code(codes: list[str], estate_id: str | None = None) -> dict[str, str]:
    """Live buildings' ids by their code ("3栋"), for the codes that exist (in the estate,
    when given: each estate numbers its own buildings)."""
    if not codes:
        return {}
    where = Building.code.is_in(codes) & (Building.deleted == False)  # noqa: E712
    if estate_id is not None:
        where = where & (Building.estate_id == estate_id)
    rows = await Building.select(Building.id, Building.code).where(where)
    return {r["code"]: r["id"] for r in rows}
