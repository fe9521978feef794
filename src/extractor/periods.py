"""Periods: "tháng 1", "tháng 01/2017", "T1/2021", "quý I/2021", "6 tháng đầu năm", "năm 2020"...

Patterns live in ``rules/periods.yaml``. A period without a year takes the document's year:
``meta.published`` first, else the year the text implies (explicit years of the statements, or a
comparison "so với tháng 1/2020" about "tháng 1", which makes the current month 1/2021), else null.
"""
from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass, replace

from .context import Context
from .models import Period
from .scan import FOLD_UNSAFE, FoldedScan, initial_dispatch, lower_form, words_first
from .rules import load_rules
from .spans import SpanSet

__all__ = ["PeriodMention", "PeriodFinder", "roman", "statement_periods", "statement_before", "statement_between"]

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


_NUMBER_FIRST = frozenset({"cumulative", "cumulative_bare", "cumulative_plain"})
_THANG = re.compile("tháng")


def _finditer_at(pattern: re.Pattern[str], text: str, starts: list[int]) -> list[re.Match[str]]:
    """``pattern.finditer(text)`` when every place a match can start is in ``starts`` (sorted):
    the first match at or after the previous one's end, as finditer takes it (no pattern here
    matches the empty string)."""
    out: list[re.Match[str]] = []
    end = 0
    for s in starts:
        if s < end:
            continue
        m = pattern.match(text, s)
        if m is not None:
            out.append(m)
            end = m.end()
    return out


class PeriodFinder:
    """Finds period mentions; patterns are compiled once from ``rules/periods.yaml``."""

    def __init__(self) -> None:
        r = load_rules("periods.yaml")
        self._numwords = {k: int(v) for k, v in r["number_words"].items()}
        nw = "|".join(sorted(map(re.escape, self._numwords), key=len, reverse=True))
        y = r"(?:\s*/\s*|\s+năm\s+|\s*-\s*)(?P<y>(?:19|20)\d{2})(?!\d)"
        # Most patterns are written twice. The first is the reference: re.IGNORECASE, opening
        # with "(?<!\w)". The second finds the same spans faster on the lower-cased text
        # (FoldedScan): it opens with plain letters, so that re can skip to them, and checks the
        # look-behind after them ("tháng(?<!\wtháng)" is "(?<!\w)tháng"). The three patterns that
        # open with a number ("9 tháng ...") are instead tried only where a number stands before
        # "tháng" (see _number_month_starts).
        self._max_number = max(2, *map(len, self._numwords))  # "mười hai": 8 characters
        nw_low = "|".join(sorted({re.escape(w.lower()) for w in self._numwords}, key=len, reverse=True))
        # on the lower-cased text; None (scan as written) if a number word defeats lower_form
        self._number_month = (None if FOLD_UNSAFE.search(nw_low)
                              else re.compile(rf"(?<!\w)(?:\d{{1,2}}|{nw_low})\s+tháng"))
        self._patterns: list[tuple[str, re.Pattern[str] | FoldedScan]] = [
            ("cumulative", re.compile(rf"(?<!\w)(?P<n>\d{{1,2}}|{nw})\s+tháng\s+(?:đầu\s+năm|đầu|năm|qua|vừa qua|của năm)(?:\s+(?:nay|qua))?(?:\s*(?:năm\s+)?(?P<y>(?:19|20)\d{{2}}))?(?!\w)", re.I)),
            ("cumulative_bare", re.compile(rf"(?<!\w)(?P<n>\d{{1,2}}|{nw})\s+tháng(?:\s*/\s*|\s+năm\s+)(?P<y>(?:19|20)\d{{2}})(?!\d)", re.I)),
            # "ngành công nghiệp 9 tháng tăng ...": a bare cumulative window, but not a duration or a
            # deposit term ("kéo dài 3 tháng", "kỳ hạn 6 tháng", "6 tháng tới")
            ("cumulative_plain", re.compile(rf"(?<!kỳ hạn )(?<!kéo dài )(?<!dưới )(?<!trên )(?<!vòng )(?<!\w)(?P<n>[2-9]|1[0-2]|{nw})\s+tháng(?!\w)(?!\s*(?:tới|nữa|sau|trước|liên tiếp|liền|liên tục|một lần|/)(?!\w))", re.I)),
            ("half", FoldedScan(
                re.compile(r"(?<!\w)(?P<h>nửa đầu năm|nửa cuối năm|6 tháng cuối năm)(?:\s+(?:nay|qua))?(?:\s*(?:năm\s+)?(?P<y>(?:19|20)\d{2}))?(?!\w)", re.I),
                words_first(["nửa đầu năm", "nửa cuối năm", "6 tháng cuối năm"])
                + r"(?:\s+(?:nay|qua))?(?:\s*(?:năm\s+)?(?:19|20)\d{2})?(?!\w)")),
            ("quarter", FoldedScan(
                re.compile(rf"(?<!\w)quý\s+(?P<q>IV|I{{1,3}}|[1-4])(?!\w)(?:{y})?", re.I),
                rf"quý(?<!\wquý)\s+(?:iv|i{{1,3}}|[1-4])(?!\w)(?:{y})?")),
            ("month", FoldedScan(
                re.compile(rf"(?<!\w)tháng\s+(?P<m>0?[1-9]|1[0-2])(?![\d,.]\d)(?:{y})?(?!\d)", re.I),
                rf"tháng(?<!\wtháng)\s+(?:0?[1-9]|1[0-2])(?![\d,.]\d)(?:{y})?(?!\d)")),
            # case-sensitive: "T" first, then the look-behind (same as "(?<!\w)T")
            ("month", re.compile(r"T(?<!\wT)(?P<m>0?[1-9]|1[0-2])\s*/\s*(?P<y>(?:19|20)\d{2})(?!\d)")),
            ("day", FoldedScan(
                re.compile(r"(?<!\w)(?:ngày\s+)?(?P<d>0?[1-9]|[12]\d|3[01])\s*/\s*(?P<m>0?[1-9]|1[0-2])(?:\s*/\s*(?P<y>(?:19|20)\d{2}))?(?![\d/])", re.I),
                # day "0?[1-9]|[12]\d|3[01]" by its first digit: "0" + [1-9], [1-9] alone, [12] + \d, "3" + [01]
                initial_dispatch([("n", r"gày\s+(?:0?[1-9]|[12]\d|3[01])"), ("0", "[1-9]"), ("1-9", ""), ("12", r"\d"), ("3", "[01]")])
                + r"\s*/\s*(?:0?[1-9]|1[0-2])(?:\s*/\s*(?:19|20)\d{2})?(?![\d/])")),
            ("year", FoldedScan(
                re.compile(r"(?<!\w)(?:cả\s+)?năm\s+(?P<y>(?:19|20)\d{2})(?![\d\-])", re.I),
                rf"(?:{words_first(['cả'])}\s+năm|{words_first(['năm'])})\s+(?:19|20)\d{{2}}(?![\d\-])")),
            ("whole_year", FoldedScan(
                re.compile(r"(?<!\w)cả năm(?:\s+nay)?(?!\w)", re.I),
                r"cả năm(?<!\wcả năm)(?:\s+nay)?(?!\w)")),
            ("week", FoldedScan(
                re.compile(r"(?<!\w)tuần\s+(?:qua|này|trước|vừa qua)(?!\w)", re.I),
                r"tuần(?<!\wtuần)\s+(?:qua|này|trước|vừa qua)(?!\w)")),
            ("relative", FoldedScan(
                re.compile(r"(?<!\w)(?P<rel>tháng trước|tháng này|quý trước|quý này|năm trước|năm ngoái|năm nay|kỳ trước|tháng liền trước|quý liền trước)(?!\w)", re.I),
                words_first(["tháng trước", "tháng này", "quý trước", "quý này", "năm trước", "năm ngoái", "năm nay", "kỳ trước",
                             "tháng liền trước", "quý liền trước"]) + r"(?!\w)")),
        ]

    def find(self, ctx: Context) -> list[PeriodMention]:
        """All period mentions in document order, years resolved as SPEC.md says."""
        text = ctx.text
        low = lower_form(text)
        starts: list[int] | None = None
        raw: list[PeriodMention] = []
        taken = SpanSet()
        for kind, pat in self._patterns:
            if kind in _NUMBER_FIRST and low is not None and self._number_month is not None:
                if starts is None:
                    starts = self._number_month_starts(low)
                matches = _finditer_at(pat, text, starts)
            else:
                matches = pat.finditer(text)
            for m in matches:
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

    def _number_month_starts(self, low: str) -> list[int]:
        """Every position where a number followed by "tháng" starts ("9 tháng", "mười hai tháng"),
        in the lower-cased text (``lower_form``): where the cumulative patterns can match.

        Those patterns open with a number and a look-behind, so re would try them at every
        position; "tháng" is rare and a literal, so it is found first, and the number can only end
        where the whitespace before it starts and be at most ``_max_number`` characters long."""
        starts: set[int] = set()
        for m in _THANG.finditer(low):
            k = m.start()
            while k > 0 and low[k - 1].isspace():  # str.isspace is re's \s
                k -= 1
            if k == m.start():
                continue
            for s in range(max(0, k - self._max_number), k):
                if self._number_month.match(low, s):  # type: ignore[union-attr]
                    starts.add(s)
        return sorted(starts)

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
    document's (its first statement period, for text before any). ``statements`` are in text
    order (as :meth:`PeriodFinder.find` returns periods), so this is a bisection, not a scan per
    call."""
    i = bisect.bisect_left(statements, pos, key=_nstart)
    return statements[i - 1] if i else doc_period


def statement_between(statements: list[PeriodMention], start: int, end: int) -> PeriodMention | None:
    """The first statement period written in ``[start, end)`` ("Chỉ số ... tháng 1 tăng"), by
    bisection (``statements`` are in text order)."""
    i = bisect.bisect_left(statements, start, key=_nstart)
    return statements[i] if i < len(statements) and statements[i].nstart < end else None


def _nstart(p: PeriodMention) -> int:
    return p.nstart
