"""Chart geometry for SVG drawn on the server: lines (cumulative counts), grouped bars and
stacked bars, with axes, ticks and a legend. Every chart also gives its numbers as a table,
so it reads without JavaScript and without seeing colours."""

from __future__ import annotations

import math
from enum import StrEnum

from pydantic import Field

from domain.common.base import Frozen

WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 52, 16, 40, 64
# Okabe-Ito colours: told apart with the common colour-vision deficiencies
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"]
MAX_LABELS = 12


class Style(StrEnum):
    LINE = "line"
    BARS = "bars"
    STACKED = "stacked"


class Series(Frozen):
    name: str
    values: list[int]


class Chart(Frozen):
    """What a chart shows: one value per label per series."""

    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    title: str
    x_label: str
    y_label: str
    labels: list[str]
    series: list[Series]
    style: Style


class Bar(Frozen):
    x: float
    y: float
    width: float
    height: float
    colour: str
    tip: str


class Line(Frozen):
    points: str
    colour: str
    name: str
    dots: list[tuple[float, float, str]]


class Tick(Frozen):
    at: float
    text: str


class Geometry(Frozen):
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    top: int = TOP
    bottom: float = HEIGHT - BOTTOM
    right: float = WIDTH - RIGHT
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    bars: list[Bar]
    lines: list[Line]
    legend: list[tuple[float, str, str]] = Field(description="x, colour, name")


def nice_ceiling(value: int) -> int:
    """The axis top: the first of 1, 2, 5 x 10^k at or above `value` (at least 1)."""
    if value <= 1:
        return 1
    power = int(10 ** math.floor(math.log10(value)))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def _top(chart: Chart) -> int:
    if chart.style is Style.STACKED:
        sums = [sum(s.values[i] for s in chart.series) for i in range(len(chart.labels))]
        return nice_ceiling(max(sums, default=0))
    return nice_ceiling(max((v for s in chart.series for v in s.values), default=0))


def _y_ticks(top: int, y: float, h: float) -> list[Tick]:
    steps = 5 if top % 5 == 0 and top >= 5 else top if top < 5 else 4
    return [
        Tick(at=round(y + h - h * i / steps, 1), text=f"{top * i / steps:g}")
        for i in range(steps + 1)
    ]


def geometry(chart: Chart) -> Geometry:
    """Where every mark of `chart` goes in a WIDTH x HEIGHT picture."""
    x0, y0 = LEFT, TOP
    w, h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    n = max(len(chart.labels), 1)
    top = _top(chart)

    def y_of(value: float) -> float:
        return round(y0 + h - h * value / top, 1)

    every = max(1, math.ceil(n / MAX_LABELS))
    bars: list[Bar] = []
    lines: list[Line] = []
    if chart.style is Style.LINE:
        step = w / max(n - 1, 1)
        xs = [round(x0 + step * i, 1) for i in range(n)]
        for k, s in enumerate(chart.series):
            colour = PALETTE[k % len(PALETTE)]
            pts = [(xs[i], y_of(v)) for i, v in enumerate(s.values)]
            dots = [(x, y, f"{s.name}, {chart.labels[i]}: {s.values[i]}")
                    for i, (x, y) in enumerate(pts)]  # fmt: skip
            lines.append(Line(points=" ".join(f"{x},{y}" for x, y in pts), colour=colour,
                              name=s.name, dots=dots))  # fmt: skip
    else:
        band = w / n
        xs = [round(x0 + band * (i + 0.5), 1) for i in range(n)]
        inner = band * 0.8
        groups = 1 if chart.style is Style.STACKED else max(len(chart.series), 1)
        bw = inner / groups
        for i in range(len(chart.labels)):  # none yet (a region without RTMs): no bars
            base = 0
            for k, s in enumerate(chart.series):
                v = s.values[i]
                colour = PALETTE[k % len(PALETTE)]
                left = x0 + band * i + band * 0.1 + (0 if groups == 1 else bw * k)
                low, high = (base, base + v) if chart.style is Style.STACKED else (0, v)
                bars.append(Bar(x=round(left, 1), y=y_of(high), width=round(bw, 1),
                                height=round(y_of(low) - y_of(high), 1), colour=colour,
                                tip=f"{s.name}, {chart.labels[i]}: {v}"))  # fmt: skip
                if chart.style is Style.STACKED:
                    base += v
    x_ticks = [Tick(at=xs[i], text=chart.labels[i]) for i in range(0, len(chart.labels), every)]
    legend = [(x0 + 150.0 * k, PALETTE[k % len(PALETTE)], s.name)
              for k, s in enumerate(chart.series)]  # fmt: skip
    return Geometry(y_ticks=_y_ticks(top, y0, h), x_ticks=x_ticks, bars=bars, lines=lines,
                    legend=legend)  # fmt: skip


def table(chart: Chart) -> tuple[list[str], list[list[str]]]:
    """The chart's numbers: a row per label, a column per series."""
    header = [chart.x_label, *[s.name for s in chart.series]]
    rows = [[label, *[str(s.values[i]) for s in chart.series]]
            for i, label in enumerate(chart.labels)]  # fmt: skip
    return header, rows
