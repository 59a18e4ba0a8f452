"""The phone app's files: the worker precaches everything the modules import, the
manifest makes the app installable, and every message the app uses exists in both
languages."""

from __future__ import annotations

import json
import re
import struct

from server.i18n import catalogue
from server.pwa.assets import APP_DIR, WORKER, app_files, manifest, service_worker

IMPORT = re.compile(r"""(?:^|\n)\s*import\s+(?:[^'"]*?\s+from\s+)?["']([^"']+)["']""")
STATIC_KEY = re.compile(r"""\bt\("([a-z_.]+)"[,)]""")


def modules() -> dict[str, str]:
    return {url: path.read_text(encoding="utf-8") for url, path in app_files().items() if url.endswith(".js")}


def resolve(url: str, target: str) -> str:
    if target.startswith("/"):
        return target
    parts = url.rsplit("/", 1)[0].split("/")
    for piece in target.split("/"):
        if piece == "..":
            parts.pop()
        elif piece != ".":
            parts.append(piece)
    return "/".join(parts)


def test_worker_precaches_every_module_import_and_the_shell() -> None:
    build = json.loads(re.search(rb"const BUILD = (\{.*?\});", service_worker()).group(1))
    assets = set(build["assets"])
    assert {"/app/", "/app/manifest.webmanifest", "/app/messages.json", "/static/app/main.js",
            "/static/app/app.css", "/vendor/idb/build/index.js"} <= assets
    assert not any("/tests/" in a or a.endswith(".py") for a in assets)
    for url, source in modules().items():
        for target in IMPORT.findall(source):
            assert resolve(url, target) in assets, f"{url} imports {target}, which is not precached"
    assert re.fullmatch(r"[0-9a-f]{16}", build["version"])


def test_worker_source_keeps_the_build_line_and_never_caches_the_api() -> None:
    source = WORKER.read_text(encoding="utf-8")
    assert 'const BUILD = { version: "dev", assets: [] };' in source
    assert 'url.pathname.startsWith("/api/")) return;' in source
    assert "clients.claim()" in source


def test_manifest_is_installable_with_png_icons_192_and_512_any_and_maskable() -> None:
    data = json.loads(manifest())
    assert data["start_url"] == "/app/" and data["display"] == "standalone" and data["name"]
    sizes = {(icon["sizes"], icon["purpose"]) for icon in data["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("192x192", "maskable"), ("512x512", "maskable")} <= sizes
    for icon in data["icons"]:
        png = (APP_DIR / icon["src"].removeprefix("/static/app/")).read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", png[16:24])
        assert f"{width}x{height}" == icon["sizes"]


def test_every_message_the_app_uses_exists_in_both_languages() -> None:
    messages = catalogue()
    missing = []
    for url, source in modules().items():
        for key in STATIC_KEY.findall(source):
            for lang in ("zh-CN", "en"):
                if f"phone.{key}" not in messages[lang] and key not in messages[lang]:
                    missing.append(f"{url}: {key} ({lang})")
    assert missing == []
