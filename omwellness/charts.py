"""Small bar charts drawn on the server as SVG: no script, so the CSP stays strict.

A chart is geometry only (frozen dataclasses); templates/charts/bars.html draws it and
gives the same figures as a table for screen readers and for anyone who prefers numbers.
"""

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 320
HEIGHT = 100
GAP = 2


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class BarChart:
    title: str
    label_heading: str  # the table's column headings: the labels, then the values
    value_label: str
    bars: tuple[Bar, ...]
    width: int = WIDTH
    height: int = HEIGHT
    maximum: int = 0

    @property
    def is_empty(self) -> bool:
        return not self.bars


def bar_chart(
    *,
    title: str,
    label_heading: str,
    value_label: str,
    points: Sequence[tuple[str, int]],
    maximum: int | None = None,
) -> BarChart:
    """Bars for (label, value) points, scaled to `maximum` (the largest value when None)."""
    top = max([maximum or 0, *(value for _, value in points), 1])
    slot = WIDTH / max(len(points), 1)
    bars = tuple(
        Bar(
            label=label,
            value=value,
            x=round(i * slot + GAP / 2, 2),
            y=round(HEIGHT - HEIGHT * value / top, 2),
            width=round(max(slot - GAP, 1), 2),
            height=round(HEIGHT * value / top, 2),
        )
        for i, (label, value) in enumerate(points)
    )
    return BarChart(
        title=title, label_heading=label_heading, value_label=value_label, bars=bars, maximum=top
    )
