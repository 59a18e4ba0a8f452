"""A KPI's 12-month trend as drawing instructions for an inline SVG (the Jinja macro in
``partials/desk/_kpi_trend.html`` draws them): no chart library, readable without script,
with the target as a dashed line. Pure: values in, coordinates out."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

WIDTH, HEIGHT = 320, 150
LEFT, RIGHT, TOP, BOTTOM = 40, 10, 10, 26
STEPS = (1, 2, 5, 10, 20, 25, 50, 100)


class Point(msgspec.Struct, kw_only=True):
    month: str
    x: float
    y: float | None  # None: no data that month
    percent: float | None


class TrendChart(msgspec.Struct, kw_only=True):
    key: str
    width: int
    height: int
    points: list[Point]
    segments: list[str]  # polyline "x,y x,y" runs between months without data
    target_y: float
    target_label_y: float  # under the line near the top, above it otherwise
    target_percent: float
    top_percent: float
    axis: tuple[float, float, float, float]  # left, top, right, bottom of the plot


def trend_chart(key: str, months: Sequence[str], values: Sequence[float | None], target: float) -> TrendChart:
    """Lay out ``values`` (shares, None = no data) over ``months`` against ``target`` (a
    share): the y axis runs from 0 to the next round percentage above the values and the
    target (so a 2 % target is not a flat line at the bottom of a 100 % scale)."""
    percents = [None if v is None else round(v * 100, 1) for v in values]
    highest = max([p for p in percents if p is not None] + [target * 100])
    top = next((s for s in STEPS if s >= highest * 1.1), 100)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y_of(percent: float) -> float:
        return round(TOP + plot_h * (1 - min(percent, top) / top), 1)

    step = plot_w / max(len(months) - 1, 1)
    points = [Point(month=m, x=round(LEFT + i * step, 1), y=None if p is None else y_of(p), percent=p)
              for i, (m, p) in enumerate(zip(months, percents, strict=True))]
    segments: list[str] = []
    run: list[str] = []
    for point in points:
        if point.y is None:
            if run:
                segments.append(" ".join(run))
            run = []
        else:
            run.append(f"{point.x},{point.y}")
    if run:
        segments.append(" ".join(run))
    target_y = y_of(target * 100)
    return TrendChart(key=key, width=WIDTH, height=HEIGHT, points=points, segments=segments,
                      target_y=target_y, target_label_y=target_y + 11 if target_y < TOP + 14 else target_y - 3,
                      target_percent=round(target * 100, 1), top_percent=top,
                      axis=(LEFT, TOP, WIDTH - RIGHT, HEIGHT - BOTTOM))
