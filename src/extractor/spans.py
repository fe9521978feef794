"""A set of non-overlapping spans with O(log n) overlap checks.

Extractors claim text as they read it ("this is already a period", "this is already a quantity");
checking a new match against every claimed span would make a document of many matches quadratic.
"""
from __future__ import annotations

import bisect

__all__ = ["SpanSet"]


class SpanSet:
    """Non-overlapping half-open spans, kept sorted by start."""

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []

    def overlaps(self, start: int, end: int) -> bool:
        """True when [start, end) overlaps a span of the set."""
        i = bisect.bisect_left(self._starts, end)
        return i > 0 and self._ends[i - 1] > start

    def add(self, start: int, end: int) -> None:
        """Claim [start, end); it must not overlap a span already claimed."""
        i = bisect.bisect_left(self._starts, start)
        self._starts.insert(i, start)
        self._ends.insert(i, end)
