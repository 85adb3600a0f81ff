"""Percentiles as PostgreSQL's ``percentile_cont`` computes them, for the databases that have none (SQLite).

For the sorted values v[0] … v[n-1] and a fraction p: the position p·(n-1), linearly interpolated between the two
closest ranks. One value: that value; two values: the median is their mean, the 90th percentile lies 90 % of
the way from the first to the second.
"""

from __future__ import annotations

import math
from collections.abc import Iterable


def percentile_cont(values: Iterable[float], fraction: float) -> float | None:
    ordered = sorted(values)
    if not ordered:
        return None
    if not 0 <= fraction <= 1:
        raise ValueError("fraction must be between 0 and 1")
    position = fraction * (len(ordered) - 1)
    lower, upper = math.floor(position), math.ceil(position)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)
