"""Organizations (placeholder until issue 5 lands: finds nothing yet)."""
from __future__ import annotations

from .context import Context
from .models import Organization


class OrganizationExtractor:
    def extract(self, ctx: Context) -> list[Organization]:
        return []
