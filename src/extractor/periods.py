"""Periods: "tháng 1", "tháng 01/2017", "T1/2021", "quý I/2021", "6 tháng đầu năm", "năm 2020"...

Patterns live in ``rules/periods.yaml``. A period without a year takes the document's year:
``meta.published`` first, else the year the text implies (explicit years of the statements, or a
comparison "so với tháng 1/2020" about "tháng 1", which makes the current month 1/2021), else null.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace

from .context import Context
from .models import Period
from .rules import load_rules
from .spans import SpanSet

__all__ = ["PeriodMention", "PeriodFinder", "roman", "statement_periods", "statement_before"]

_STATEMENT_KINDS = ("month", "quarter", "year", "cumulative", "half", "day")

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def roman(s: str) -> int | None:
    """Quarter number from "I".."IV" or "1".."4"."""
    return _ROMAN.get(s.casefold())


@dataclass(frozen=True, slots=True)
class PeriodMention:
    """A period written in the text (matching-form offsets) or derived from one."""

    nstart: int
    nend: int
    kind: str  # month | quarter | year | cumulative | half | day | week | relative
    year: int | None = None
    month: int | None = None
    quarter: int | None = None
    months: int | None = None
    day: int | None = None
    explicit_year: bool = False
    relative: str | None = None  # "previous" (tháng trước...), "current" (năm nay...), "last_year"

    def key(self) -> tuple:
        """What identifies the period itself (not where it was written)."""
        return (self.kind, self.year, self.month, self.quarter, self.months, self.day)

    def shifted_years(self, n: int) -> "PeriodMention":
        """The same period ``n`` years later (negative: earlier)."""
        return replace(self, year=self.year + n if self.year is not None else None)

    def previous(self) -> "PeriodMention":
        """The immediately preceding period of the same length."""
        if self.kind == "month" and self.month:
            if self.month == 1:
                return replace(self, month=12, year=self.year - 1 if self.year else None)
            return replace(self, month=self.month - 1)
        if self.kind == "quarter" and self.quarter:
            if self.quarter == 1:
                return replace(self, quarter=4, year=self.year - 1 if self.year else None)
            return replace(self, quarter=self.quarter - 1)
        if self.kind in ("year", "cumulative", "half"):
            return self.shifted_years(-1)
        return replace(self, year=None, month=None, quarter=None, months=None, day=None)

    def to_model(self, ctx: Context, nstart: int | None = None, nend: int | None = None) -> Period:
        """The SPEC Period, written over this mention's text (or over another span given)."""
        s, e, t = ctx.span(self.nstart if nstart is None else nstart, self.nend if nend is None else nend)
        return Period(text=t, start=s, end=e, year=self.year, month=self.month, quarter=self.quarter,
                      months=self.months, day=self.day)


class PeriodFinder:
    """Finds period mentions; patterns are compiled once from ``rules/periods.yaml``."""

    def __init__(self) -> None:
        r = load_rules("periods.yaml")
        self._numwords = {k: int(v) for k, v in r["number_words"].items()}
        nw = "|".join(sorted(map(re.escape, self._numwords), key=len, reverse=True))
        y = r"(?:\s*/\s*|\s+năm\s+|\s*-\s*)(?P<y>(?:19|20)\d{2})(?!\d)"
        self._patterns: list[tuple[str, re.Pattern]] = [
            ("cumulative", re.compile(rf"(?<!\w)(?P<n>\d{{1,2}}|{nw})\s+tháng\s+(?:đầu\s+năm|đầu|năm|qua|vừa qua|của năm)(?:\s+(?:nay|qua))?(?:\s*(?:năm\s+)?(?P<y>(?:19|20)\d{{2}}))?(?!\w)", re.I)),
            ("cumulative_bare", re.compile(rf"(?<!\w)(?P<n>\d{{1,2}}|{nw})\s+tháng(?:\s*/\s*|\s+năm\s+)(?P<y>(?:19|20)\d{{2}})(?!\d)", re.I)),
            # "ngành công nghiệp 9 tháng tăng ...": a bare cumulative window, but not a duration or a
            # deposit term ("kéo dài 3 tháng", "kỳ hạn 6 tháng", "6 tháng tới")
            ("cumulative_plain", re.compile(rf"(?<!kỳ hạn )(?<!kéo dài )(?<!dưới )(?<!trên )(?<!vòng )(?<!\w)(?P<n>[2-9]|1[0-2]|{nw})\s+tháng(?!\w)(?!\s*(?:tới|nữa|sau|trước|liên tiếp|liền|liên tục|một lần|/)(?!\w))", re.I)),
            ("half", re.compile(r"(?<!\w)(?P<h>nửa đầu năm|nửa cuối năm|6 tháng cuối năm)(?:\s+(?:nay|qua))?(?:\s*(?:năm\s+)?(?P<y>(?:19|20)\d{2}))?(?!\w)", re.I)),
            ("quarter", re.compile(rf"(?<!\w)quý\s+(?P<q>IV|I{{1,3}}|[1-4])(?!\w)(?:{y})?", re.I)),
            ("month", re.compile(rf"(?<!\w)tháng\s+(?P<m>0?[1-9]|1[0-2])(?![\d,.]\d)(?:{y})?(?!\d)", re.I)),
            ("month", re.compile(r"(?<!\w)T(?P<m>0?[1-9]|1[0-2])\s*/\s*(?P<y>(?:19|20)\d{2})(?!\d)")),
            ("day", re.compile(r"(?<!\w)(?:ngày\s+)?(?P<d>0?[1-9]|[12]\d|3[01])\s*/\s*(?P<m>0?[1-9]|1[0-2])(?:\s*/\s*(?P<y>(?:19|20)\d{2}))?(?![\d/])", re.I)),
            ("year", re.compile(r"(?<!\w)(?:cả\s+)?năm\s+(?P<y>(?:19|20)\d{2})(?![\d\-])", re.I)),
            ("whole_year", re.compile(r"(?<!\w)cả năm(?:\s+nay)?(?!\w)", re.I)),
            ("week", re.compile(r"(?<!\w)tuần\s+(?:qua|này|trước|vừa qua)(?!\w)", re.I)),
            ("relative", re.compile(r"(?<!\w)(?P<rel>tháng trước|tháng này|quý trước|quý này|năm trước|năm ngoái|năm nay|kỳ trước|tháng liền trước|quý liền trước)(?!\w)", re.I)),
        ]

    def find(self, ctx: Context) -> list[PeriodMention]:
        """All period mentions in document order, years resolved as SPEC.md says."""
        text = ctx.text
        raw: list[PeriodMention] = []
        taken = SpanSet()
        for kind, pat in self._patterns:
            for m in pat.finditer(text):
                if taken.overlaps(m.start(), m.end()):
                    continue
                p = self._mention(kind, m)
                if p is not None:
                    raw.append(p)
                    taken.add(m.start(), m.end())
        raw.sort(key=lambda p: (p.nstart, p.nend))
        year = ctx.published_year or self._implied_year(text, raw)
        return [replace(p, year=year) if p.year is None and p.kind not in ("week", "relative") and year else p
                for p in raw]

    def _mention(self, kind: str, m: re.Match) -> PeriodMention | None:
        g = m.groupdict()
        yr = int(g["y"]) if g.get("y") else None
        s, e = m.start(), m.end()
        if kind in ("cumulative", "cumulative_bare", "cumulative_plain"):
            n = int(g["n"]) if g["n"].isdigit() else self._numwords.get(g["n"].casefold())
            if not n or n > 12:
                return None
            return PeriodMention(s, e, "cumulative", yr, n, None, n, explicit_year=yr is not None)
        if kind == "half":
            first = g["h"].casefold().startswith("nửa đầu")
            return PeriodMention(s, e, "half", yr, 6 if first else 12, None, 6, explicit_year=yr is not None)
        if kind == "quarter":
            return PeriodMention(s, e, "quarter", yr, None, roman(g["q"]), explicit_year=yr is not None)
        if kind == "month":
            return PeriodMention(s, e, "month", yr, int(g["m"]), explicit_year=yr is not None)
        if kind == "day":
            if not m.group(0).casefold().startswith("ngày") and not g.get("y"):
                # a bare "29/4" is a day only in brackets or after a time word; "1/2" may be a fraction
                return PeriodMention(s, e, "day", yr, int(g["m"]), day=int(g["d"]), explicit_year=yr is not None)
            return PeriodMention(s, e, "day", yr, int(g["m"]), day=int(g["d"]), explicit_year=yr is not None)
        if kind == "year":
            return PeriodMention(s, e, "year", yr, explicit_year=True)
        if kind == "whole_year":
            return PeriodMention(s, e, "year")
        if kind == "week":
            return PeriodMention(s, e, "week")
        if kind == "relative":
            rel = g["rel"].casefold()
            if rel in ("năm nay", "tháng này", "quý này"):
                return PeriodMention(s, e, "relative", relative="current")
            if rel in ("năm trước", "năm ngoái"):
                return PeriodMention(s, e, "relative", relative="last_year")
            return PeriodMention(s, e, "relative", relative="previous")
        return None

    @staticmethod
    def _implied_year(text: str, periods: list[PeriodMention]) -> int | None:
        """The document's year when no date was given: statements' explicit years, else bases'."""
        stated: Counter[int] = Counter()
        implied: Counter[int] = Counter()
        last_plain: PeriodMention | None = None
        for p in periods:
            before = text[max(0, p.nstart - 14):p.nstart].casefold()
            is_base = "so với" in before or "cùng kỳ" in before or before.rstrip().endswith(" so")
            if p.kind in ("week", "relative", "day"):
                continue
            if not is_base:
                if p.explicit_year and p.year:
                    stated[p.year] += 1
                else:
                    last_plain = p
            elif p.explicit_year and p.year and last_plain is not None:
                if p.kind == last_plain.kind == "month" and p.month and last_plain.month:
                    if p.month == last_plain.month:
                        implied[p.year + 1] += 1
                    elif p.month == 12 and last_plain.month == 1:
                        implied[p.year + 1] += 1
                    elif p.month < last_plain.month:
                        implied[p.year] += 1
                elif p.kind == last_plain.kind == "quarter" and p.quarter == last_plain.quarter:
                    implied[p.year + 1] += 1
        if stated:
            return max(stated.items(), key=lambda kv: (kv[1], kv[0]))[0]
        if implied:
            return max(implied.items(), key=lambda kv: (kv[1], kv[0]))[0]
        return None


_BASE_BEFORE = re.compile(r"(?:so với|so|cùng kỳ|bằng|với)\s*(?:cuối|đầu|hết|thời điểm|thời điểm cuối)?\s*(?:tháng|quý|năm|cùng kỳ)?\s*$")


def is_base_position(text: str, p: PeriodMention) -> bool:
    """True when the period is written as a comparison base ("so với tháng 12/2020")."""
    before = text[max(0, p.nstart - 24):p.nstart].casefold()
    return bool(_BASE_BEFORE.search(before))


_POINT_BEFORE = re.compile(r"(?<!\w)(?:từ|kể từ|vào thời điểm|thời điểm)\s*$", re.I)


def statement_periods(text: str, periods: list[PeriodMention]) -> list[PeriodMention]:
    """Periods that say what a statement is about: not bases, weeks or relative words, nor points
    in time that only date an event ("từ tháng 2", "kể từ quý II")."""
    return [p for p in periods if p.kind in _STATEMENT_KINDS and not is_base_position(text, p)
            and not _POINT_BEFORE.search(text[max(0, p.nstart - 20):p.nstart])]


def statement_before(ctx: Context, pos: int, statements: list[PeriodMention],
                     doc_period: PeriodMention | None) -> PeriodMention | None:
    """The statement period in force at ``pos``: the last one written before it, else the
    document's (its first statement period, for text before any)."""
    best = None
    for p in statements:
        if p.nstart >= pos:
            break
        best = p
    return best if best is not None else doc_period
