"""Charts as data first: the figures a page draws, and their SVG geometry, computed here.

Templates only loop over the shapes; the figures travel beside them as JSON so that tests
compare them with the API, and the pixels are looked at in screenshots.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    label: str
    y: float
    need: int
    headcount: int
    need_width: float
    headcount_width: float
    value_x: float  # where the "headcount/need" label starts


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    label_width: int
    row_height: int
    scale_max: int
    bars: list[Bar]

    def figures(self) -> list[dict[str, object]]:
        return [{"unit": b.label, "need": b.need, "headcount": b.headcount} for b in self.bars]


def need_vs_headcount(
    rows: list[tuple[str, int, int]], *, width: int = 640, row_height: int = 22
) -> BarChart:
    """Horizontal paired bars (need, headcount) per unit, in the order given."""
    label_width = 210
    scale_max = max([max(need, head) for _, need, head in rows] + [1])
    plot = width - label_width - 40
    bars = [
        Bar(
            label=label,
            y=i * row_height,
            need=need,
            headcount=head,
            need_width=round(plot * need / scale_max, 1),
            headcount_width=round(plot * head / scale_max, 1),
            value_x=round(label_width + plot * max(need, head) / scale_max + 4, 1),
        )
        for i, (label, need, head) in enumerate(rows)
    ]
    height = max(len(rows), 1) * row_height + 24
    return BarChart(width, height, label_width, row_height, scale_max, bars)


@dataclass(frozen=True)
class Point:
    label: str
    value: float
    x: float
    y: float


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    points: list[Point]
    ticks: list[tuple[float, str]]  # (y, label) of the rating scale

    def figures(self) -> list[dict[str, object]]:
        return [{"year": p.label, "rating": p.value} for p in self.points]

    @property
    def path(self) -> str:
        return " ".join(f"{'M' if i == 0 else 'L'}{p.x},{p.y}" for i, p in enumerate(self.points))


def rating_history(
    rows: list[tuple[str, float]], *, low: float = 1, high: float = 5, width: int = 420
) -> LineChart:
    """SKP ratings (1-5) by year, oldest first, as a line with points."""
    height, left, top, bottom = 180, 40, 12, 28
    plot_w, plot_h = width - left - 20, height - top - bottom
    step = plot_w / max(len(rows) - 1, 1)

    def y_of(value: float) -> float:
        return round(top + plot_h * (high - value) / (high - low), 1)

    points = [
        Point(label, value, round(left + i * step, 1), y_of(value))
        for i, (label, value) in enumerate(rows)
    ]
    ticks = [(y_of(v), str(int(v))) for v in range(int(low), int(high) + 1)]
    return LineChart(width, height, points, ticks)
