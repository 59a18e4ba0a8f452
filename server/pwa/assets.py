"""The files of the phone app, read from ``web/`` and the service worker's build stamp.

The worker's precache list is every file of ``web/static/app`` that the browser needs
(modules, styles, icons) plus the shell, the manifest, the messages, the schema and the pinned
libraries the modules import; its version is a hash of all of them, so the browser
installs a new worker (and a fresh cache) exactly when one of them changes.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

from server.i18n import catalogue
from server.pwa.schema import schema

WEB_DIR = Path(__file__).resolve().parents[2] / "web"
APP_DIR = WEB_DIR / "static" / "app"
SHELL = APP_DIR / "index.html"
WORKER = WEB_DIR / "static" / "sw.js"
MANIFEST = APP_DIR / "manifest.webmanifest"
SHIPPED = {".js", ".css", ".png", ".svg"}
VENDOR = {"/vendor/idb/build/index.js": WEB_DIR / "node_modules" / "idb" / "build" / "index.js"}
BUILD_LINE = 'const BUILD = { version: "dev", assets: [] };'


def app_files() -> dict[str, Path]:
    """URL → file of everything the service worker precaches."""
    files = {"/app/": SHELL, "/app/manifest.webmanifest": MANIFEST}
    for path in sorted(APP_DIR.rglob("*")):
        relative = path.relative_to(APP_DIR)
        if path.suffix in SHIPPED and relative.parts[0] != "tests":
            files["/static/app/" + relative.as_posix()] = path
    return {**files, **VENDOR}


@cache
def _stamped_worker(version_key: tuple[tuple[str, float], ...]) -> bytes:
    digest = hashlib.sha256()
    for url, path in app_files().items():
        digest.update(url.encode() + b"\0" + path.read_bytes())
    digest.update(messages())
    digest.update(schema())
    assets = [*app_files(), "/app/messages.json", "/app/schema.json"]
    build = json.dumps({"version": digest.hexdigest()[:16], "assets": assets})
    source = WORKER.read_text(encoding="utf-8")
    if BUILD_LINE not in source:
        raise RuntimeError(f"{WORKER} lacks the build line {BUILD_LINE!r}")
    return source.replace(BUILD_LINE, f"const BUILD = {build};").encode()


def service_worker() -> bytes:
    """The worker script with its version and precache list filled in (cached per mtime)."""
    paths = [*app_files().values(), WORKER]
    return _stamped_worker(tuple((str(p), p.stat().st_mtime) for p in paths))


def shell() -> bytes:
    return SHELL.read_bytes()


def manifest() -> bytes:
    return MANIFEST.read_bytes()


def messages() -> bytes:
    """Both languages' messages (common + app), for the app to keep offline."""
    return json.dumps(catalogue(), ensure_ascii=False).encode()
