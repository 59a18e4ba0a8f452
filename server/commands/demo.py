"""``stewardsync demo load``: load the demo estate (idempotent)."""

from __future__ import annotations

import argparse
from datetime import date

from server.commands import add_command, with_database
from server.demo import DEFAULT_SEED, DEMO_LOGINS, DEMO_PASSWORD, DemoLoad, load_demo
from server.settings import Settings


def register(subparsers: argparse._SubParsersAction) -> None:
    group = add_command(subparsers, "demo", "the demo estate")
    actions = group.add_subparsers(dest="demo_action", required=True, metavar="ACTION")
    load = add_command(actions, "load", "load the demo estate 锦绣华庭 (skipped when already there)")
    load.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    load.add_argument("--today", type=_day, default=None, metavar="YYYY-MM-DD",
                      help="the demo's today (default: the current date in the estate's time zone)")
    load.set_defaults(run=run_load)


def run_load(args: argparse.Namespace, settings: Settings) -> int:
    load_and_report(settings, seed=args.seed, today=args.today)
    print(logins_text())
    return 0


def load_and_report(settings: Settings, *, seed: int = DEFAULT_SEED, today: date | None = None) -> DemoLoad:
    """Migrate, load the demo and print one line about it (shared with ``serve --demo``)."""
    result = with_database(settings, lambda: load_demo(seed, today, settings.timezone))
    if result.loaded:
        print(f"demo estate loaded: {sum(result.counts.values())} rows "
              f"(versions {result.versions[0]}–{result.versions[1]}) in {result.seconds:.1f} s")
    else:
        print("demo estate already loaded: nothing written")
    return result


def logins_text() -> str:
    names = ", ".join(f"{username} ({role})" for username, role in DEMO_LOGINS)
    return f"demo logins (password {DEMO_PASSWORD}): {names}"


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from None
