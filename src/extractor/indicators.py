"""Indicators (being written)."""
from __future__ import annotations
from .context import Context

class IndicatorExtractor:
    def extract(self, ctx: Context, quantities, periods, comparisons) -> list:
        return []
