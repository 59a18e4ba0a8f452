"""Phones as people name them on the devices and 管家同步 pages, not user-agent strings."""

from __future__ import annotations

import pytest

from server.device_names import device_name
from server.tables import SyncDevice
from tests.factories import enrol, make_estate, make_user
from tests.integration.test_auth_session import desk_login

ANDROID_CHROME = ("Mozilla/5.0 (Linux; Android 14; K) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/120.0.0.0 Mobile Safari/537.36")
WECHAT = ("Mozilla/5.0 (Linux; Android 12; V2118A Build/SP1A; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Version/4.0 Chrome/86.0 MQQBrowser/6.2 TBS/046011 Mobile Safari/537.36 MicroMessenger/8.0.40.2420")
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/17.1 Mobile/15E148 Safari/604.1")


@pytest.mark.parametrize(("label", "zh", "en"), [
    (ANDROID_CHROME, "安卓 14 · Chrome 120", "Android 14 · Chrome 120"),
    (WECHAT, "安卓 12 · 微信 8", "Android 12 · WeChat 8"),
    (IPHONE, "iPhone 17 · Safari 17", "iPhone 17 · Safari 17"),
    ("前台的平板", "前台的平板", "前台的平板"),  # a name given by hand stays as it is
    (None, "", ""),
])
def test_a_phone_is_named_by_its_system_and_browser(label: str | None, zh: str, en: str) -> None:
    assert (device_name(label, "zh-CN"), device_name(label, "en")) == (zh, en)


async def test_the_desk_shows_the_phone_by_name(client) -> None:
    estate = await make_estate(buildings=1)
    await make_user("steward", estate.building_ids, username="wang")
    phone = await enrol(client, "wang")
    label = ANDROID_CHROME[:100]  # as the app sends it
    await SyncDevice.update({SyncDevice.label: label}).where(SyncDevice.id == phone["X-Device-Id"])
    await make_user("desk", username="clerk")
    assert (await desk_login(client, "clerk")).status_code in (302, 303)
    for page in ("/admin/devices", "/desk/stewards"):
        text = (await client.get(page)).text
        assert ">安卓 14 · Chrome 120<" in text and ">Mozilla" not in text, page
