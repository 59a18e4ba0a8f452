"""Piccolo's configuration module (``PICCOLO_CONF=server.piccolo_conf``).

The engine is the one ``server.db.use_engine`` bound; when this module is imported by
Piccolo's own CLI, it is built from the settings.
"""

from piccolo.conf.apps import AppRegistry
from piccolo.engine.base import Engine

from server.settings import load_settings

APP_REGISTRY = AppRegistry(apps=["server.piccolo_app"])


def _default_engine() -> Engine:
    from server.db import make_engine

    settings = load_settings()
    return make_engine(settings.resolved_database_url)


DB: Engine = _default_engine()
