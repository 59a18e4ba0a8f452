"""The routes of the phone app through the real app: the shell, the worker (JavaScript,
scope /, stamped), the manifest, the messages and the schema, all public and never cached
stale."""

from __future__ import annotations

import json

from server.policy import ACCESS, PUBLIC
from server.pwa import ROUTES


async def test_shell_worker_manifest_and_messages_are_served(client) -> None:
    shell = await client.get("/app/")
    assert shell.status_code == 200 and shell.headers["content-type"].startswith("text/html")
    assert '<link rel="manifest" href="/app/manifest.webmanifest">' in shell.text
    assert shell.headers["cache-control"] == "no-cache"

    worker = await client.get("/sw.js")
    assert worker.status_code == 200
    assert worker.headers["content-type"].startswith("text/javascript")
    assert worker.headers["service-worker-allowed"] == "/"
    assert 'const BUILD = { version: "dev"' not in worker.text  # stamped with the real build

    manifest = await client.get("/app/manifest.webmanifest")
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    assert json.loads(manifest.content)["start_url"] == "/app/"

    messages = (await client.get("/app/messages.json")).json()
    assert messages["zh-CN"]["phone.saved"] == "已保存" and messages["en"]["phone.saved"] == "Saved"

    module = await client.get("/static/app/main.js")
    assert module.status_code == 200 and "javascript" in module.headers["content-type"]
    idb = await client.get("/vendor/idb/build/index.js")
    assert idb.status_code == 200


def test_every_app_route_is_public_in_the_access_table() -> None:
    names = {route.name for route in ROUTES}
    # pwa.schema (the vocabularies and collections the app reads, issue 11) joined the four
    assert names == {"pwa.shell", "pwa.worker", "pwa.manifest", "pwa.messages", "pwa.schema"}
    assert all(ACCESS[name] == PUBLIC for name in names)
