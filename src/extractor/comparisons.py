"""Comparisons (being written)."""
from __future__ import annotations
from .context import Context

class ComparisonFinder:
    def find(self, ctx: Context, periods: list) -> list:
        return []
