"""A phone as people name it ("安卓 14 · 微信", "iPhone · Safari 17") from the user-agent
string the app sends as its label at enrolment; the raw string stays on record."""

from __future__ import annotations

import re

from server.i18n import translate

# (pattern with the version as its first group that matched, key): the first match names it
SYSTEMS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"HarmonyOS[ /]?([\d.]*)"), "harmony"),
    (re.compile(r"Android[ /]?([\d]*)"), "android"),
    (re.compile(r"iPhone(?:.*?iPhone OS (\d+))?"), "iphone"),
    (re.compile(r"iPad(?:.*? OS (\d+))?"), "ipad"),
    (re.compile(r"Windows NT ([\d.]+)"), "windows"),
    (re.compile(r"Mac OS X (\d+)"), "mac"),
    (re.compile(r"Linux()"), "linux"),
)
# in-app browsers first: WeChat's UA also says Chrome/Safari
BROWSERS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"MicroMessenger/(\d+)"), "wechat"),
    (re.compile(r"HuaweiBrowser/(\d+)"), "huawei"),
    (re.compile(r"MiuiBrowser/(\d+)"), "miui"),
    (re.compile(r"UCBrowser/(\d+)"), "uc"),
    (re.compile(r"Edg[A-Z]?/(\d+)"), "edge"),
    (re.compile(r"Firefox/(\d+)|FxiOS/(\d+)"), "firefox"),
    (re.compile(r"Chrome/(\d+)|CriOS/(\d+)"), "chrome"),
    (re.compile(r"Version/(\d+)[\d.]* (?:Mobile/\S+ )?Safari"), "safari"),
)


def device_name(label: str | None, language: str) -> str:
    """The device's system and browser in the page's language; the label itself when it
    is not a user-agent string (a name given by hand), "" when there is none."""
    if not label:
        return ""
    system = _first(SYSTEMS, label)
    browser = _first(BROWSERS, label)
    if system is None and browser is None:
        return label
    parts = [_named(language, found) for found in (system, browser) if found]
    return " · ".join(parts)


def _first(patterns: tuple[tuple[re.Pattern[str], str], ...], text: str) -> tuple[str, str] | None:
    for pattern, key in patterns:
        match = pattern.search(text)
        if match:
            version = next((g for g in match.groups() if g), "")
            return key, version.split(".")[0] if key not in {"windows", "mac"} else version
    return None


def _named(language: str, found: tuple[str, str]) -> str:
    key, version = found
    name = translate(language, f"device.{key}")
    if key == "windows":
        version = {"10.0": "10/11", "6.3": "8.1", "6.1": "7"}.get(version, "")
    elif key == "mac":
        version = ""
    return f"{name} {version}".strip()
