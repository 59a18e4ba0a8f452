"""Password checks with rate limiting and lockout, shared by desk login and phone enrolment.

All state is in the database (``login_attempt`` rows, ``staff_user.failed_logins`` and
``locked_until``), so the limits hold across several server processes:

- an address with ``IP_MAX_FAILURES`` failed attempts in ``WINDOW`` gets 429 ``too_many_attempts``;
- an account with ``MAX_FAILURES`` failures in a row is locked for ``LOCK`` (423 ``account_locked``);
  an unknown username behaves the same (counted from ``login_attempt``), so the answer does
  not reveal which usernames exist.

Every outcome is written to the audit log.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from server.auth.passwords import verify_password
from server.clock import iso_in, now_iso, parse_iso
from server.errors import ApiError
from server.store import audit, staff

MAX_FAILURES = 5
LOCK = timedelta(minutes=15)
WINDOW = timedelta(minutes=15)
IP_MAX_FAILURES = 20
KEEP_ATTEMPTS = timedelta(days=1)


def _seconds_until(moment: str) -> int:
    return max(1, int((parse_iso(moment) - parse_iso(now_iso())).total_seconds()) + 1)


def _locked(until: str) -> ApiError:
    return ApiError(423, "account_locked",
                    "登录失败次数过多，账号已临时锁定，请稍后再试 / "
                    "too many failed logins: account locked, try again later",
                    {"locked_until": until, "retry_after_s": _seconds_until(until)})


async def check_login(username: str, password: str, ip: str) -> dict[str, Any]:
    """The user row for a right password of an active account, else an ApiError
    (401 bad_credentials, 423 account_locked, 429 too_many_attempts)."""
    username = staff.canonical_username(username)
    window_start = iso_in(-WINDOW)
    if await staff.failures_since(window_start, ip=ip) >= IP_MAX_FAILURES:
        await audit.record("rate_limited", target=username, ip=ip)
        raise ApiError(429, "too_many_attempts",
                       "尝试次数过多，请稍后再试 / too many login attempts from this address, try later",
                       {"retry_after_s": int(WINDOW.total_seconds())})
    user = await staff.user_by_username(username)
    now = now_iso()
    if user and user["locked_until"] and user["locked_until"] > now:
        raise _locked(user["locked_until"])
    if user is None and await staff.failures_since(window_start, username=username) >= MAX_FAILURES:
        raise _locked(iso_in(LOCK))
    ok = verify_password(user["password_hash"] if user else None, password)
    if ok and user and user["active"]:
        await staff.record_login_attempt(username, ip, True)
        await staff.clear_login_failures(user["id"])
        return user
    await _count_failure(username, ip, user)
    raise ApiError(401, "bad_credentials", "用户名或密码错误 / wrong username or password")


async def _count_failure(username: str, ip: str, user: dict[str, Any] | None) -> None:
    await staff.record_login_attempt(username, ip, False)
    await staff.prune_login_attempts(iso_in(-KEEP_ATTEMPTS))
    user_id = user["id"] if user else None
    await audit.record("login_failed", user_id=user_id, target=username, ip=ip)
    if user is None:
        if await staff.failures_since(iso_in(-WINDOW), username=username) >= MAX_FAILURES:
            raise _locked(iso_in(LOCK))
        return
    if await staff.add_login_failure(user["id"]) >= MAX_FAILURES:
        until = iso_in(LOCK)
        await staff.lock_user(user["id"], until)
        await audit.record("lockout", user_id=user_id, target=username, ip=ip,
                           detail={"minutes": int(LOCK.total_seconds() // 60)})
        raise _locked(until)
