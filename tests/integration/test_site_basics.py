"""What every browser asks of the site: an icon, and one charset per answer."""

from __future__ import annotations


async def test_the_favicon_is_the_apps_icon_and_charsets_are_said_once(client) -> None:
    icon = await client.get("/favicon.ico", follow_redirects=True)
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/png"
    for path in ("/app/", "/sw.js", "/login"):
        content_type = (await client.get(path)).headers["content-type"]
        assert content_type.count("charset") == 1, (path, content_type)
    assert 'rel="icon"' in (await client.get("/login")).text


async def test_the_language_chosen_on_any_page_sticks(client) -> None:
    from tests.integration.test_desk_helpers import login

    await login(client, "desk")
    first = await client.get("/desk/tickets", params={"lang": "en"})
    assert "Ticket queue" in first.text or 'lang="en"' in first.text
    later = await client.get("/desk/vacant")  # no ?lang: the choice stays
    assert 'lang="en"' in later.text and "空置房" not in later.text
    back = await client.get("/desk/vacant", params={"lang": "zh-CN"})
    assert 'lang="zh-CN"' in back.text
    assert 'lang="zh-CN"' in (await client.get("/desk/patrols")).text
