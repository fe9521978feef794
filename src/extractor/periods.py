"""Periods (being written)."""
from __future__ import annotations
from .context import Context

class PeriodFinder:
    def find(self, ctx: Context) -> list:
        return []
