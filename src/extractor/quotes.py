"""Quotes (placeholder until issue 5 lands: finds nothing yet)."""
from __future__ import annotations

from .context import Context
from .models import Official, Organization, Quote


class QuoteExtractor:
    def extract(self, ctx: Context, officials: list[Official], organizations: list[Organization]) -> list[Quote]:
        return []
