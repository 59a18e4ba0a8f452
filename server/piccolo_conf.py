"""Piccolo's configuration module (``PICCOLO_CONF=server.piccolo_conf``).

``DB`` is looked up on each use, so Piccolo's migrations always run on the engine
``server.db.use_engine`` bound last; when Piccolo's own CLI imports this module outside
the app, the engine is built once from the settings (``server.db.bound_engine``).
"""

from piccolo.conf.apps import AppRegistry
from piccolo.engine.base import Engine

from server import db

APP_REGISTRY = AppRegistry(apps=["server.piccolo_app"])


def __getattr__(name: str) -> Engine:
    """``DB`` (module attribute looked up lazily, PEP 562)."""
    if name == "DB":
        return db.bound_engine()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
