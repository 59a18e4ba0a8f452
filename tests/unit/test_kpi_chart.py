"""The KPI trend chart's layout (server.desk.kpi_chart): pure, so checked without a browser."""

from __future__ import annotations

from server.desk.kpi_chart import HEIGHT, TOP, trend_chart


def test_months_without_data_break_the_line_and_the_scale_fits_a_small_target() -> None:
    months = [f"2026-{m:02d}" for m in range(1, 7)]
    chart = trend_chart("valid_complaint_rate", months, [0.01, 0.015, None, 0.03, 0.02, None], 0.02)
    assert chart.top_percent == 5  # a 2 % target on a 0–5 % scale, not flat at the bottom of 100 %
    assert len(chart.segments) == 2 and chart.segments[0].count(",") == 2 and chart.segments[1].count(",") == 2
    assert [p.percent for p in chart.points] == [1.0, 1.5, None, 3.0, 2.0, None]
    assert chart.points[0].x < chart.points[-1].x and TOP < chart.target_y < HEIGHT
    full = trend_chart("satisfaction", months, [1.0] * 6, 0.9)
    assert full.top_percent == 100 and full.points[0].y == TOP  # 100 % at the top of the plot
    assert full.target_label_y > full.target_y  # a target near the top is labelled under its line
