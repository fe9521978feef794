"""Officials (placeholder until issue 5 lands: finds nothing yet)."""
from __future__ import annotations

from .context import Context
from .models import Official, Organization


class OfficialExtractor:
    def extract(self, ctx: Context, organizations: list[Organization]) -> list[Official]:
        return []
