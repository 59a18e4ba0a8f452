"""The ASGI entry point of ``stewardsync serve``'s workers: settings from the environment,
no migrations (the parent process ran them once before starting the workers)."""

from __future__ import annotations

from litestar import Litestar

from server.app import create_app
from server.settings import load_settings


def create() -> Litestar:
    return create_app(load_settings(), migrate=False)
