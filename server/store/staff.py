"""Staff users, assignments, desk sessions and device credentials."""

from __future__ import annotations

import uuid
from datetime import timedelta

from server.auth.passwords import hash_password
from server.auth.principal import Principal
from server.auth.tokens import new_token, token_hash
from server.clock import iso_in, now_iso
from server.tables import BuildingAssignment, StaffSession, StaffUser, SyncDevice


async def building_ids_of(user_id: str) -> frozenset[str]:
    rows = await BuildingAssignment.select(BuildingAssignment.building_id).where(
        BuildingAssignment.user_id == user_id)
    return frozenset(r["building_id"] for r in rows)


async def principal_of(user_id: str, *, device_id: str | None = None,
                       csrf_token: str | None = None) -> Principal | None:
    user = await StaffUser.select().where(
        (StaffUser.id == user_id) & (StaffUser.active == True)  # noqa: E712
    ).first()
    if user is None:
        return None
    buildings = await building_ids_of(user_id) if user["role"] == "steward" else frozenset()
    return Principal(user_id=user["id"], username=user["username"], display_name=user["display_name"],
                     role=user["role"], building_ids=buildings, device_id=device_id, csrf_token=csrf_token)


async def user_by_username(username: str) -> dict | None:
    return await StaffUser.select().where(StaffUser.username == username).first()


async def add_user(username: str, password: str, display_name: str, role: str,
                   *, user_id: str | None = None, phone: str | None = None) -> str:
    """Create a staff account (or reset the password and role of an existing one)."""
    existing = await user_by_username(username)
    values = {
        StaffUser.display_name: display_name, StaffUser.role: role,
        StaffUser.password_hash: hash_password(password), StaffUser.phone: phone,
        StaffUser.active: True,
    }
    if existing:
        await StaffUser.update(values).where(StaffUser.id == existing["id"])
        return existing["id"]
    new_id = user_id or str(uuid.uuid4())
    await StaffUser.insert(StaffUser(
        id=new_id, username=username, display_name=display_name, role=role,
        password_hash=values[StaffUser.password_hash], phone=phone, created_at=now_iso(),
    ))
    return new_id


async def assign_buildings(user_id: str, building_ids: list[str]) -> None:
    """Replace a steward's assigned buildings."""
    await BuildingAssignment.delete().where(BuildingAssignment.user_id == user_id)
    if building_ids:
        at = now_iso()
        await BuildingAssignment.insert(*[
            BuildingAssignment(user_id=user_id, building_id=b, assigned_at=at) for b in building_ids
        ])


async def open_session(user_id: str, hours: int = 12) -> tuple[str, str]:
    """A new desk session: (cookie token, csrf token)."""
    token, csrf = new_token(), new_token()
    await StaffSession.insert(StaffSession(
        token_hash=token_hash(token), user_id=user_id, csrf_token=csrf,
        created_at=now_iso(), expires_at=iso_in(timedelta(hours=hours)),
    ))
    return token, csrf


async def session_user(token: str) -> tuple[str, str] | None:
    """(user id, csrf token) of a live session."""
    row = await StaffSession.select().where(
        (StaffSession.token_hash == token_hash(token)) & (StaffSession.expires_at > now_iso())
    ).first()
    return (row["user_id"], row["csrf_token"]) if row else None


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


async def device_by_credential(token: str) -> dict | None:
    return await SyncDevice.select(
        SyncDevice.id, SyncDevice.user_id, SyncDevice.expires_at, SyncDevice.revoked_at,
    ).where(SyncDevice.credential_hash == token_hash(token)).first()


async def revoke_device(device_id: str) -> bool:
    rows = await SyncDevice.update({SyncDevice.revoked_at: now_iso()}).where(
        (SyncDevice.id == device_id) & SyncDevice.revoked_at.is_null()).returning(SyncDevice.id)
    return bool(rows)


async def device_owner(device_id: str) -> str | None:
    row = await SyncDevice.select(SyncDevice.user_id).where(SyncDevice.id == device_id).first()
    return row["user_id"] if row else None
