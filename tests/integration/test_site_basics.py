"""What every browser asks of the site: an icon, and one charset per answer."""

from __future__ import annotations


async def test_the_favicon_is_the_apps_icon_and_charsets_are_said_once(client) -> None:
    icon = await client.get("/favicon.ico", follow_redirects=True)
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/png"
    for path in ("/app/", "/sw.js", "/login"):
        content_type = (await client.get(path)).headers["content-type"]
        assert content_type.count("charset") == 1, (path, content_type)
    assert 'rel="icon"' in (await client.get("/login")).text
