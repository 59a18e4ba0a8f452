"""Command groups of the ``stewardsync`` command line: one module per group, each exporting
``register(subparsers)``; ``server.cli.COMMANDS`` lists them.

A command's handler is ``run(args, settings) -> int`` (the exit status). Refusals raise
``CommandError``: the command line prints its message as one line and exits non-zero.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from server import db as database
from server.settings import Settings

T = TypeVar("T")


class CommandError(RuntimeError):
    """A refusal for people: printed as one line, exit status 1."""


def common_options() -> argparse.ArgumentParser:
    """Options every command takes (they override the STEWARDSYNC_* environment)."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS,
                        help="data folder (STEWARDSYNC_DATA_DIR)")
    parent.add_argument("--database-url", metavar="URL", default=argparse.SUPPRESS,
                        help="database URL (STEWARDSYNC_DATABASE_URL)")
    return parent


def add_command(subparsers: argparse._SubParsersAction, name: str, help: str,
                **kwargs: object) -> argparse.ArgumentParser:
    """A sub-command with the common options."""
    return subparsers.add_parser(name, help=help, description=help, parents=[common_options()], **kwargs)


def with_database(settings: Settings, work: Callable[[], Awaitable[T]], *, migrate: bool = True) -> T:
    """Connect (and migrate), run ``work``, disconnect: one event loop for the command."""

    async def run() -> T:
        engine = await database.connect(settings)
        try:
            if migrate:
                await database.migrate()
            return await work()
        finally:
            await database.disconnect(engine)

    return asyncio.run(run())
