"""Server-side SVG charts for the dashboard: geometry computed here, drawn by templates
(`exports/_pace_chart.html`, `exports/_bar_chart.html`). No JavaScript and nothing loaded from
elsewhere; the words are the templates' (translated there)."""

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Tick:
    position: float  # x for the days axis, y for the count axis
    value: int


@dataclass(frozen=True)
class PaceRow:
    """One line of the pace chart's table: the cumulative counts at `days_out` days before the
    event (None: that day has not come yet for this edition)."""

    days_out: int
    current: int | None
    previous: int | None


@dataclass(frozen=True)
class PaceChart:
    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    first_days_out: int
    capacity: int
    capacity_y: float
    current_points: str  # SVG polyline points; "" when registration has not started
    previous_points: str  # "" without a previous edition to draw
    current_end: tuple[float, float] | None
    today_x: float | None  # a marker while registration runs, before the first day
    days_ticks: list[Tick]
    count_ticks: list[Tick]
    rows: list[PaceRow]
    today_days_out: int
    current_now: int  # holding places now (or on the first day, once it has passed)
    previous_then: int | None  # the previous edition at the same number of days out


def _cumulative(by_days_out: dict[int, int], first: int, last: int) -> dict[int, int]:
    """Running totals from `first` days out down to `last`: everything made that many days
    before the event or earlier."""
    running = sum(count for days_out, count in by_days_out.items() if days_out > first)
    totals = {}
    for days_out in range(first, last - 1, -1):
        running += by_days_out.get(days_out, 0)
        totals[days_out] = running
    return totals


def _nice_step(largest: float, parts: int) -> int:
    """A round step (1, 2 or 5 times a power of ten) cutting 0..largest into about `parts`."""
    raw = max(largest / parts, 1)
    power = 10 ** math.floor(math.log10(raw))
    # raw < 10 * power by the definition of power, so 10 always qualifies.
    return int(next(factor * power for factor in (1, 2, 5, 10) if factor * power >= raw))


DAY_STEPS = (1, 2, 7, 14, 30, 60, 90, 180, 365)


def pace_chart(
    current: dict[int, int],
    previous: dict[int, int] | None,
    *,
    capacity: int,
    today_days_out: int,
    opening_days_out: list[int | None],
    width: int = 720,
    height: int = 300,
) -> PaceChart:
    """Cumulative registrations by days before the event for this edition (up to today) and the
    previous one (the whole run-up), against the capacity.

    `current` and `previous` map days before the event to the registrations made that day. The
    days axis starts at the earliest registration opening (or registration) of either edition
    and ends at the first day, 0."""
    plot_left, plot_right, plot_top, plot_bottom = 52, width - 16, 16, height - 46
    first = max(
        [days for days in opening_days_out if days is not None]
        + list(current)
        + list(previous or {})
        + [1]
    )
    current_last = max(today_days_out, 0)
    current_totals = _cumulative(current, first, current_last) if current_last <= first else {}
    previous_totals = _cumulative(previous, first, 0) if previous is not None else {}

    largest = max([capacity, 1, *current_totals.values(), *previous_totals.values()])
    count_step = _nice_step(largest, 4)
    top = count_step * math.ceil(largest / count_step)

    def x(days_out: int) -> float:
        return round(plot_left + (first - days_out) / first * (plot_right - plot_left), 2)

    def y(count: int) -> float:
        return round(plot_bottom - count / top * (plot_bottom - plot_top), 2)

    def points(totals: dict[int, int]) -> str:
        return " ".join(f"{x(days)},{y(count)}" for days, count in totals.items())

    days_step = next((step for step in DAY_STEPS if first / step <= 8), 365)
    table_step = 1 if first <= 31 else 7
    row_days = {first, 0, *range(0, first + 1, table_step)}
    if 0 <= today_days_out <= first:
        row_days.add(today_days_out)
    rows = [
        PaceRow(days, current_totals.get(days), previous_totals.get(days) if previous else None)
        for days in sorted(row_days, reverse=True)
    ]
    current_end = None
    if current_totals:
        current_end = (x(current_last), y(current_totals[current_last]))
    return PaceChart(
        width=width,
        height=height,
        plot_left=plot_left,
        plot_right=plot_right,
        plot_top=plot_top,
        plot_bottom=plot_bottom,
        first_days_out=first,
        capacity=capacity,
        capacity_y=y(capacity),
        current_points=points(current_totals),
        previous_points=points(previous_totals),
        current_end=current_end,
        today_x=x(today_days_out) if 0 < today_days_out < first else None,
        days_ticks=[Tick(x(days), days) for days in range(0, first + 1, days_step)],
        count_ticks=[Tick(y(count), count) for count in range(0, top + 1, count_step)],
        rows=rows,
        today_days_out=today_days_out,
        current_now=current_totals.get(current_last, 0),
        previous_then=previous_totals.get(current_last) if previous is not None else None,
    )


@dataclass(frozen=True)
class Segment:
    key: str  # a CSS modifier: the status, or "count"
    label: str
    count: int
    x: float
    width: float


@dataclass(frozen=True)
class BarRow:
    label: str
    total: int
    label_y: float
    bar_y: float
    total_x: float
    total_y: float
    segments: list[Segment]


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    bar_height: int
    rows: list[BarRow]

    @property
    def is_empty(self) -> bool:
        return not any(row.total for row in self.rows)


def bar_chart(
    rows: list[tuple[str, list[tuple[str, str, int]]]],
    *,
    width: int = 720,
    bar_height: int = 18,
    row_height: int = 48,
) -> BarChart:
    """Horizontal bars, one per row, each cut into segments (key, label, count) laid end to
    end; the row's label above its bar, its total after it. All bars share one scale, the
    longest total spanning the width less room for the total's digits."""
    room_for_total = 64
    longest = max((sum(count for _k, _l, count in parts) for _label, parts in rows), default=0)
    scale = (width - room_for_total) / longest if longest else 0
    drawn = []
    for index, (label, parts) in enumerate(rows):
        top = index * row_height
        segments, left = [], 0.0
        for key, part_label, count in parts:
            if count:
                segments.append(
                    Segment(key, part_label, count, round(left, 2), round(count * scale, 2))
                )
            left += count * scale
        drawn.append(
            BarRow(
                label=label,
                total=sum(count for _k, _l, count in parts),
                label_y=top + 15,
                bar_y=top + 22,
                total_x=round(left + 6, 2),
                total_y=top + 22 + bar_height - 4,
                segments=segments,
            )
        )
    return BarChart(width, len(rows) * row_height, bar_height, drawn)
