"""Small helpers for timings: a clock in milliseconds and percentiles."""

from __future__ import annotations

import statistics
import time


def now_ms() -> float:
    return time.perf_counter() * 1000


def percentile(values: list[float], q: int) -> float:
    """The q-th percentile (1-99), interpolated between the two nearest values."""
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def ms(value: float) -> str:
    """A duration for a table: one decimal below 10 ms, whole numbers above."""
    return f"{value:.1f}" if value < 10 else f"{value:,.0f}"
