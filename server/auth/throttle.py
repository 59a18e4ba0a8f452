"""Password checks with login throttling that a stranger cannot turn against an account's
owner; shared by the desk login and phone enrolment.

Three rules, all counted from the ``login_attempt`` rows, so that every server process sees
the same state (a refused attempt checks no password and is not counted):

- **this account from this address** (``ACCOUNT_AT_ADDRESS``): 5 failures since the
  account's last login from that address lock the pair for 15 minutes (423
  ``account_locked``), twice as long for each further failure, at most 4 hours. Failures
  from other addresses never lock the owner out of their own address.
- **this address** (``ADDRESS``): 20 failures in an hour, whatever the usernames, hold the
  address back (429 ``too_many_attempts``) for 15 minutes, doubling, at most an hour;
  not for an account at one of its known places.
- **this account from new places** (``ACCOUNT``): 10 failures in a day from anywhere slow
  down attempts at the account from places it never logged in from (429), a minute,
  doubling, at most 15 minutes: guessing one password from many addresses stays slow, and
  the owner is never held back at a known place.

A known place is an address the account logged in from within ``KNOWN_FOR``, or, for
phone enrolment, a phone the account enrolled before. An unknown username is counted the
same way, so the answers do not tell which usernames exist. A lock ends by itself, with a
password reset, or when an admin lifts it (解除锁定 on the accounts page,
``stewardsync user unlock``). Failures, locks, refusals and lifts go to the audit log.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import msgspec

from server.auth.passwords import verify_password
from server.clock import iso, iso_in, now_iso, parse_iso
from server.errors import ApiError
from server.store import audit, staff


class Hold(msgspec.Struct, frozen=True, kw_only=True):
    """A rule holding a login back: why, until when, for how long, after how many failures
    (and where, for the admin's list)."""
    reason: str
    until: str
    minutes: int
    failures: int
    ip: str = ""

    def detail(self) -> dict[str, Any]:
        return {"reason": self.reason, "minutes": self.minutes, "failures": self.failures}


@dataclass(frozen=True)
class Rule:
    """From ``threshold`` failures of one key within ``window``, the key waits ``first``
    after its latest failure, twice as long for each failure more, at most ``longest``."""

    reason: str
    threshold: int
    window: timedelta
    first: timedelta
    longest: timedelta

    def wait(self, count: int) -> timedelta:
        """How long ``count`` failures (at least ``threshold``) hold the key back."""
        return min(self.longest, self.first * 2 ** min(count - self.threshold, 16))

    def until(self, failures: staff.Failures) -> str | None:
        """When the key may try again (None: it is not held back now)."""
        if failures.count < self.threshold or failures.last is None:
            return None
        moment = iso(parse_iso(failures.last) + self.wait(failures.count))
        return moment if moment > now_iso() else None

    def hold(self, failures: staff.Failures, ip: str = "") -> Hold | None:
        until = self.until(failures)
        if until is None:
            return None
        minutes = int(self.wait(failures.count).total_seconds() // 60)
        return Hold(reason=self.reason, until=until, minutes=minutes, failures=failures.count, ip=ip)


ACCOUNT_AT_ADDRESS = Rule("account_at_address", threshold=5, window=timedelta(days=1),
                          first=timedelta(minutes=15), longest=timedelta(hours=4))
ADDRESS = Rule("address", threshold=20, window=timedelta(hours=1),
               first=timedelta(minutes=15), longest=timedelta(hours=1))
ACCOUNT = Rule("account", threshold=10, window=timedelta(days=1),
               first=timedelta(minutes=1), longest=timedelta(minutes=15))
KNOWN_FOR = timedelta(days=90)  # an address the account logged in from within this is a known place
MAX_FAILURES = ACCOUNT_AT_ADDRESS.threshold
IP_MAX_FAILURES = ADDRESS.threshold


class Place(msgspec.Struct, frozen=True, kw_only=True):
    last_login: str | None  # when the account last logged in from this address
    known: bool  # the address, or the phone, is one the account used before


async def check_login(username: str, password: str, ip: str, *,
                      device_id: str | None = None) -> dict[str, Any]:
    """The user row for a right password of an active account, else an ApiError
    (401 bad_credentials, 423 account_locked, 429 too_many_attempts). ``device_id`` is the
    phone's, when a phone enrols."""
    username = staff.canonical_username(username)
    user = await staff.user_by_username(username)
    user_id = user["id"] if user else None
    place = await _place(username, ip, user_id, device_id)
    if held := await _holds(username, ip, place):
        await audit.record("rate_limited", user_id=user_id, target=username, ip=ip,
                           detail=_longest(held).detail())
        raise _refusal(held)
    right = verify_password(user["password_hash"] if user else None, password)
    if right and user and user["active"]:
        await staff.record_login_attempt(username, ip, True)
        return user
    await staff.record_login_attempt(username, ip, False)
    await staff.prune_login_attempts(iso_in(-ACCOUNT_AT_ADDRESS.window), iso_in(-KNOWN_FOR))
    await audit.record("login_failed", user_id=user_id, target=username, ip=ip)
    held = await _holds(username, ip, place)
    for hold in held:  # this failure started (or lengthened) each of them
        await audit.record("lockout", user_id=user_id, target=username, ip=ip, detail=hold.detail())
    if any(h.reason == ACCOUNT_AT_ADDRESS.reason for h in held):
        raise _refusal(held)
    raise ApiError(401, "bad_credentials", "用户名或密码错误 / wrong username or password")


async def lift(username: str, *, by: str | None, ip: str = "") -> int:
    """Lift every lock of an account (its failed logins are forgotten), audited as
    ``unlock`` by ``by`` (None: the command line); returns how many failures were forgotten."""
    username = staff.canonical_username(username)
    forgotten = await staff.forget_login_failures(username)
    user = await staff.user_by_username(username)
    await audit.record("unlock", user_id=by, target=user["id"] if user else username, ip=ip,
                       detail={"failures": forgotten})
    return forgotten


async def locks(usernames: list[str]) -> dict[str, list[Hold]]:
    """The accounts' current locks (at an address, or from new places) by the usernames
    given, for the admin."""
    names = {staff.canonical_username(name): name for name in usernames}
    found: dict[str, list[Hold]] = {}
    for pair in await staff.failing_pairs(iso_in(-ACCOUNT_AT_ADDRESS.window), list(names)):
        counted = staff.Failures(count=pair.count, last=pair.last)
        if hold := ACCOUNT_AT_ADDRESS.hold(counted, pair.ip):
            found.setdefault(names[pair.username], []).append(hold)
    accounts = await staff.failing_accounts(iso_in(-ACCOUNT.window), list(names))
    for name, failures in accounts.items():
        if hold := ACCOUNT.hold(failures):
            found.setdefault(names[name], []).append(hold)
    return found


async def _place(username: str, ip: str, user_id: str | None, device_id: str | None) -> Place:
    last = await staff.last_login(username, ip)
    known = last is not None and last >= iso_in(-KNOWN_FOR)
    if not known and user_id and device_id:
        known = await staff.owns_device(user_id, device_id)
    return Place(last_login=last, known=known)


async def _holds(username: str, ip: str, place: Place) -> list[Hold]:
    """The rules holding this attempt back now, the most specific first."""
    since_login = max(iso_in(-ACCOUNT_AT_ADDRESS.window), place.last_login or "")
    pair = await staff.login_failures(since_login, username=username, ip=ip)
    counted = [(ACCOUNT_AT_ADDRESS, pair)]
    if not place.known:
        address = await staff.login_failures(iso_in(-ADDRESS.window), ip=ip)
        account = await staff.login_failures(iso_in(-ACCOUNT.window), username=username)
        counted += [(ADDRESS, address), (ACCOUNT, account)]
    return [hold for rule, failures in counted if (hold := rule.hold(failures)) is not None]


def _longest(held: list[Hold]) -> Hold:
    return max(held, key=lambda h: h.until)


def _seconds_until(moment: str) -> int:
    return max(1, int((parse_iso(moment) - parse_iso(now_iso())).total_seconds()) + 1)


def _refusal(held: list[Hold]) -> ApiError:
    hold = _longest(held)
    seconds = _seconds_until(hold.until)
    minutes = math.ceil(seconds / 60)
    if any(h.reason == ACCOUNT_AT_ADDRESS.reason for h in held):
        return ApiError(423, "account_locked",
                        f"此账号在本地址登录失败次数过多，已暂时锁定，请 {minutes} 分钟后再试，或请管理员解除锁定 / "
                        "too many failed logins for this account from this address: "
                        f"locked for {minutes} min; try later or ask an admin to unlock it",
                        {"locked_until": hold.until, "retry_after_s": seconds})
    if hold.reason == ADDRESS.reason:
        message = (f"此地址登录失败次数过多，请 {minutes} 分钟后再试 / "
                   f"too many failed logins from this address: try again in {minutes} min")
    else:
        message = (f"此账号近期登录失败次数过多，从新的地址或设备登录需等候，请 {minutes} 分钟后再试 / "
                   f"too many failed logins for this account lately: from a new address or device, "
                   f"try again in {minutes} min")
    return ApiError(429, "too_many_attempts", message,
                    {"retry_after_s": seconds, "reason": hold.reason})
