"""Messages in Simplified Chinese (default) and English.

Catalogues live in ``web/i18n/<area>.json`` as ``{"zh-CN": {...}, "en": {...}}`` so that the
desk pages and the phone app read the same words. A missing English message falls back to
Chinese; a missing key shows the key (and a test lists every key used but not defined).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

LANGUAGES = ("zh-CN", "en")
DEFAULT_LANGUAGE = "zh-CN"
LANG_COOKIE = "lang"
I18N_DIR = Path(__file__).resolve().parent.parent / "web" / "i18n"


@cache
def catalogue() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {lang: {} for lang in LANGUAGES}
    for path in sorted(I18N_DIR.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for lang in LANGUAGES:
            merged[lang].update(data.get(lang, {}))
    return merged


def pick_language(query_lang: str | None, cookie_lang: str | None) -> str:
    for candidate in (query_lang, cookie_lang):
        if candidate in LANGUAGES:
            return candidate  # type: ignore[return-value]
    return DEFAULT_LANGUAGE


def translate(lang: str, key: str, **params: Any) -> str:
    messages = catalogue()
    text = messages.get(lang, {}).get(key) or messages[DEFAULT_LANGUAGE].get(key) or key
    return text.format(**params) if params else text


def error_text(lang: str, code: str, message: str) -> str:
    """What a person reads of a refusal, in one language: the catalogue's ``error.<code>``
    when it has one, else the half of the API's bilingual message ("中文 / English", the
    API keeps both) in ``lang``."""
    known = catalogue().get(lang, {}).get(f"error.{code}")
    if known:
        return known
    chinese, sep, english = message.partition(" / ")
    if not sep:
        chinese, sep, english = message.partition(" | ")
    return (english if lang == "en" else chinese).strip() if sep else message
