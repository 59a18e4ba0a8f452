"""The page helpers take the configured time zone (no I/O)."""

from __future__ import annotations

from pathlib import Path

import pytest
from litestar.plugins.jinja import JinjaTemplateEngine

from server.settings import Settings
from server.templating import configure_templates, local_time

WEB_TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates"
AT = "2026-07-01T23:30:00.000Z"


def test_local_time_shows_the_zone_it_is_given() -> None:
    assert local_time(AT, tz="Asia/Shanghai") == "2026-07-02 07:30"
    assert local_time(AT, "%H:%M", tz="Europe/London") == "00:30"
    assert local_time(None, tz="Asia/Shanghai") == ""
    with pytest.raises(TypeError):
        local_time(AT)  # type: ignore[call-arg] - no built-in zone to fall back on


@pytest.mark.parametrize("timezone, shown", [("Asia/Shanghai", "2026-07-02 07:30"),
                                             ("America/Los_Angeles", "2026-07-01 16:30")])
def test_the_page_filter_follows_the_timezone_setting(timezone: str, shown: str) -> None:
    engine = JinjaTemplateEngine(directory=WEB_TEMPLATES)
    configure_templates(engine, settings=Settings(timezone=timezone))
    assert engine.engine.from_string("{{ at | local_time }}").render(at=AT) == shown
