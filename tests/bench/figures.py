"""One shape for every benchmark figure, and the table `python3 -m tests.bench` prints.

A suite (a module in tests/bench/ listed in `tests/bench/__main__.py`) has a function
`figures(quick: bool) -> Iterator[Figure]`. A figure is a measured value with its target, so
the table says at a glance what passes. Ratios are measured in the same run, interleaved (see
`interleaved`), so a machine that is busy or throttled slows both sides alike.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    """One row of the table. `limit` None means the figure is reported, not judged."""

    name: str
    value: float
    unit: str
    limit: float | None = None
    higher_is_better: bool = False
    note: str = ""

    @property
    def target(self) -> str:
        if self.limit is None:
            return "(reported)"
        return f"{'>=' if self.higher_is_better else '<='} {_number(self.limit)} {self.unit}"

    @property
    def passed(self) -> bool | None:
        if self.limit is None:
            return None
        if self.higher_is_better:
            return self.value >= self.limit
        return self.value <= self.limit


def at_most(name: str, value: float, limit: float, unit: str, note: str = "") -> Figure:
    return Figure(name, value, unit, limit, higher_is_better=False, note=note)


def at_least(name: str, value: float, limit: float, unit: str, note: str = "") -> Figure:
    return Figure(name, value, unit, limit, higher_is_better=True, note=note)


def reported(name: str, value: float, unit: str, note: str = "") -> Figure:
    return Figure(name, value, unit, note=note)


def interleaved(runs: int, *measures: Callable[[], float]) -> list[float]:
    """Median of each measure over `runs` rounds, the measures taking turns (A B A B ...)."""
    samples: list[list[float]] = [[] for _ in measures]
    for _ in range(runs):
        for index, measure in enumerate(measures):
            samples[index].append(measure())
    return [statistics.median(values) for values in samples]


def _number(value: float) -> str:
    if value == 0 or abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def table(figures: Sequence[Figure]) -> str:
    """A Markdown table (it reads well in a terminal and pastes into the README as is)."""
    rows = [("Figure", "Value", "Target", "Pass")]
    for figure in figures:
        verdict = {True: "pass", False: "FAIL", None: ""}[figure.passed]
        value = f"{_number(figure.value)} {figure.unit}".strip()
        name = f"{figure.name} ({figure.note})" if figure.note else figure.name
        rows.append((name, value, figure.target, verdict))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [
        "| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) + " |"
        for row in rows
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def failed(figures: Iterable[Figure]) -> list[Figure]:
    return [figure for figure in figures if figure.passed is False]
