"""A refusal shown to a person is in one language: the catalogue's text by code, else the
half of the API's bilingual message in the screen's language (a Chinese screen shows no
English)."""

from __future__ import annotations

from server.i18n import error_text


def test_a_bilingual_message_is_cut_to_the_screens_language() -> None:
    message = "找不到该房屋 / no such unit"
    assert error_text("zh-CN", "unit_not_found", message) == "找不到该房屋"
    assert error_text("en", "unit_not_found", message) == "no such unit"
    merge = "超出负责楼栋范围：unit 1 | outside your assigned buildings: unit 1"
    assert error_text("zh-CN", "nonexistent_code", merge) == "超出负责楼栋范围：unit 1"


def test_the_catalogue_speaks_first_and_one_language_messages_pass_through() -> None:
    assert error_text("zh-CN", "title", "x / y") != "x"  # error.title is in the catalogue
    assert error_text("en", "some_code", "plain") == "plain"
