"""``stewardsync user add``: create a staff account (or reset its password and role);
``stewardsync user password``: set the password of an account only;
``stewardsync user unlock``: lift an account's login locks.

A new password (``add`` of an existing account, ``password``) ends the account's desk
sessions and phone credentials and lifts its login locks."""

from __future__ import annotations

import argparse
import getpass
import sys

from schemas.vocab import Role, codes
from server.commands import CommandError, add_command, with_database
from server.commands.ledger import estate_id_of
from server.auth import throttle
from server.settings import Settings
from server.store import staff
from sync.scope import by_building

MIN_PASSWORD = 8


def register(subparsers: argparse._SubParsersAction) -> None:
    group = add_command(subparsers, "user", "staff accounts")
    actions = group.add_subparsers(dest="user_action", required=True, metavar="ACTION")
    add = add_command(actions, "add", "create an account, or reset the password and role of an existing one")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=codes(Role))
    add.add_argument("--name", help="display name (default: the username)")
    add.add_argument("--phone")
    secret = add.add_mutually_exclusive_group()
    secret.add_argument("--password", help="the password (visible in the shell history; "
                                            "prefer --password-stdin or the prompt)")
    secret.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    add.add_argument("--buildings", metavar="CODES",
                     help="a steward's assigned buildings, comma-separated codes (3栋,4栋 or 3,4)")
    add.add_argument("--estate", metavar="CODE", help="the estate an office account works in, and "
                     "where --buildings are (needed when there are several: stewardsync estate list)")
    add.set_defaults(run=run_add)
    password = add_command(actions, "password", "set the password of an existing account "
                           "(e.g. one brought in by stewardsync import); nothing else changes")
    password.add_argument("username")
    secret = password.add_mutually_exclusive_group()
    secret.add_argument("--password")
    secret.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    password.set_defaults(run=run_password)
    unlock = add_command(actions, "unlock", "lift the login locks of an account, from every address "
                         "(its failed logins are forgotten; written to the audit log)")
    unlock.add_argument("username")
    unlock.set_defaults(run=run_unlock)


def run_add(args: argparse.Namespace, settings: Settings) -> int:
    codes_wanted = _codes(args.buildings)
    if codes_wanted and not by_building(args.role):
        raise CommandError("--buildings is for stewards only")
    password = _password(args)

    async def add() -> str:
        estate_id = await estate_id_of(args.estate) if args.estate else None
        building_ids = await _building_ids(codes_wanted, estate_id)
        user_id = await staff.add_user(args.username, password, args.name or args.username, args.role,
                                       phone=args.phone,
                                       estate_ids=[estate_id] if estate_id and not by_building(args.role) else None)
        if by_building(args.role):
            await staff.assign_buildings(user_id, building_ids)
        return user_id

    user_id = with_database(settings, add)
    assigned = f", buildings {', '.join(codes_wanted)}" if codes_wanted else ""
    print(f"user {args.username} ({args.role}) saved, id {user_id}{assigned}")
    return 0


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif args.password is not None:
        password = args.password
    elif sys.stdin.isatty():
        password = getpass.getpass("password: ")
        if getpass.getpass("again: ") != password:
            raise CommandError("the two passwords differ")
    else:
        raise CommandError("no password: give --password-stdin, --password, or run in a terminal")
    if len(password) < MIN_PASSWORD:
        raise CommandError(f"password too short: at least {MIN_PASSWORD} characters")
    return password


def _codes(text: str | None) -> list[str]:
    if not text:
        return []
    return [c if c.endswith("栋") else f"{c}栋" for c in (part.strip() for part in text.split(",")) if c]


def run_password(args: argparse.Namespace, settings: Settings) -> int:
    password = _password(args)

    async def change() -> None:
        user = await staff.user_by_username(args.username)
        if user is None:
            raise CommandError(f"no user {args.username}")
        await staff.reset_password(user["id"], password)

    with_database(settings, change)
    print(f"password of {args.username} set")
    return 0


def run_unlock(args: argparse.Namespace, settings: Settings) -> int:
    async def lift() -> int:
        if await staff.user_by_username(args.username) is None:
            raise CommandError(f"no user {args.username}")
        return await throttle.lift(args.username, by=None)

    forgotten = with_database(settings, lift)
    print(f"{staff.canonical_username(args.username)} unlocked ({forgotten} failed login(s) forgotten)")
    return 0


async def _building_ids(wanted: list[str], estate_id: str | None = None) -> list[str]:
    found = await staff.building_ids_by_code(wanted, estate_id)
    unknown = [c for c in wanted if c not in found]
    if unknown:
        raise CommandError(f"unknown building code(s): {', '.join(unknown)}")
    return [found[c] for c in wanted]
