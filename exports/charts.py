"""Server-side SVG charts for the dashboard: geometry computed here, drawn by a template.
No JavaScript and nothing loaded from elsewhere."""

import datetime
from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    day: datetime.date
    count: int


@dataclass(frozen=True)
class DayChart:
    width: int
    height: int
    plot_top: int
    plot_bottom: int
    bars: list[Bar]
    maximum: int
    first_day: datetime.date | None
    last_day: datetime.date | None

    @property
    def is_empty(self) -> bool:
        return not self.bars


def day_chart(
    per_day: list[tuple[datetime.date, int]],
    *,
    width: int = 720,
    height: int = 200,
    max_days: int = 366,
) -> DayChart:
    """Bars for registrations per day, days without registrations included as gaps; the last
    `max_days` days at most."""
    plot_top, plot_bottom = 16, height - 24
    if not per_day:
        return DayChart(width, height, plot_top, plot_bottom, [], 0, None, None)
    counts = dict(per_day)
    last = max(counts)
    first = max(min(counts), last - datetime.timedelta(days=max_days - 1))
    days = [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]
    maximum = max(counts.get(day, 0) for day in days) or 1
    slot = width / len(days)
    bar_width = max(slot * 0.8, 1)
    bars = []
    for index, day in enumerate(days):
        count = counts.get(day, 0)
        bar_height = (plot_bottom - plot_top) * count / maximum
        bars.append(
            Bar(
                x=round(index * slot + (slot - bar_width) / 2, 2),
                y=round(plot_bottom - bar_height, 2),
                width=round(bar_width, 2),
                height=round(bar_height, 2),
                day=day,
                count=count,
            )
        )
    return DayChart(width, height, plot_top, plot_bottom, bars, maximum, first, last)
