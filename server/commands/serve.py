"""``stewardsync serve``: migrate once (and load the demo), then run uvicorn workers."""

from __future__ import annotations

import argparse
import dataclasses
import os

import uvicorn

from server.commands import add_command, with_database
from server.commands.demo import load_and_report, logins_text
from server.logs import configure_logging
from server.settings import PREFIX, Settings


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(subparsers, "serve", "run the server (migrates the database first)")
    parser.add_argument("--demo", action="store_true", help="load the demo estate first (idempotent)")
    parser.add_argument("--host", help="address to bind (STEWARDSYNC_HOST)")
    parser.add_argument("--port", type=int, help="port (STEWARDSYNC_PORT)")
    parser.add_argument("--workers", type=int, help="server processes (STEWARDSYNC_WORKERS)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    flags = {name: getattr(args, name) for name in ("host", "port", "workers")}
    settings = settings.with_(**{k: v for k, v in flags.items() if v is not None})
    if args.demo:
        load_and_report(settings)  # migrates first
    else:
        with_database(settings, _nothing)  # migrations run here, once, before any worker starts
    _export(settings)
    configure_logging(settings.log_level)
    shown = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
    print(f"StewardSync on http://{shown}:{settings.port}/  (desk /desk, phone app /app/)")
    if args.demo:
        print(logins_text())
    print("", flush=True)
    uvicorn.run("server.asgi:create", factory=True, host=settings.host, port=settings.port,
                workers=settings.workers, log_config=None, access_log=False,
                proxy_headers=True, forwarded_allow_ips=settings.trusted_proxies)
    return 0


async def _nothing() -> None:
    return None


def _export(settings: Settings) -> None:
    """Hand the resolved settings to the workers through their environment (the secret
    key stays in its file in the data folder unless it was given in the environment)."""
    for field in dataclasses.fields(Settings):
        if field.name == "secret_key":
            continue
        value = getattr(settings, field.name)
        text = str(value).lower() if isinstance(value, bool) else str(value)
        os.environ[PREFIX + field.name.upper()] = text
