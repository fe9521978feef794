"""Comparison bases: "so với cùng kỳ", "so cùng kỳ", "so với tháng 12/2020", "so với kế hoạch"...

Where "so với tháng 12/2020" is classified by its relation to the statement's own period (SPEC.md):
the preceding period of the same length is ``previous_period``, the same period a year earlier is
``same_period_last_year``, the end of last year or start of this one is ``period_start``, any other
period ``explicit_period``. Base vocabulary (plan, average, previous, ...) is in
``rules/comparisons.yaml``. "lợi thế so sánh", "so le" are not comparisons.

"(cùng kỳ tăng 11%)" is not a base but the year-ago period's own growth: it becomes a
comparison of that period with the year before it, and the change carries ``of_period``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .context import Context
from .models import Comparison
from .periods import PeriodMention, statement_before, statement_periods
from .rules import alternation as _alt, load_rules
from .scan import FoldedScan

__all__ = ["ComparisonMention", "ComparisonFinder", "classify"]



@dataclass(slots=True)
class ComparisonMention:
    """A comparison base found in the text (matching-form offsets) and its SPEC model."""

    nstart: int
    nend: int
    sentence: int
    kind: str
    base: PeriodMention | None
    model: Comparison
    of_period: PeriodMention | None = None  # set for "(cùng kỳ tăng 11%)"
    attach_only: bool = False  # a bare "cùng kỳ": a base only for the amount right before it


def classify(statement: PeriodMention | None, base: PeriodMention) -> str:
    """Kind of an explicit base period relative to the statement's period."""
    if statement is None:
        return "explicit_period"
    s, b = statement, base
    if b.kind == "day" and b.month == 12 and b.day == 31:
        return "period_start"
    same_year_known = s.year is not None and b.year is not None
    if s.kind == "day" and s.month and b.kind in ("month", "quarter"):
        # a statement dated "21/3" is about March, and about the first quarter
        s = replace(s, kind=b.kind, day=None, month=s.month if b.kind == "month" else None,
                    quarter=(s.month - 1) // 3 + 1 if b.kind == "quarter" else None)
    if s.kind == b.kind == "month":
        if same_year_known:
            if (b.year, b.month) == (s.year - 1, s.month):
                return "same_period_last_year"
            prev = s.previous()
            if (b.year, b.month) == (prev.year, prev.month):
                return "previous_period"
            if (b.year, b.month) == (s.year - 1, 12):
                return "period_start"
            return "explicit_period"
        if b.month == s.month:
            return "same_period_last_year"
        if s.month and b.month == (s.month - 2) % 12 + 1:
            return "previous_period"
        return "explicit_period"
    if s.kind == b.kind == "quarter":
        if same_year_known:
            if (b.year, b.quarter) == (s.year - 1, s.quarter):
                return "same_period_last_year"
            prev = s.previous()
            if (b.year, b.quarter) == (prev.year, prev.quarter):
                return "previous_period"
        return "explicit_period"
    if s.kind in ("cumulative", "half") and b.kind in ("cumulative", "half"):
        if same_year_known and b.year == s.year - 1 and b.months == s.months:
            return "same_period_last_year"
        return "explicit_period"
    if s.kind == "year" and b.kind == "year" and same_year_known and b.year == s.year - 1:
        return "previous_period"
    if b.kind == "year" and s.kind != "year" and same_year_known and b.year == s.year - 1:
        # "tháng 1 ... so với năm 2020": a whole year as the base
        return "explicit_period"
    return "explicit_period"


_CLAUSE_END = re.compile(r"[;]|(?<!\w)(?:tăng|giảm|đạt)(?!\w)", re.I)
# _resolve's and find's small tests, compiled once (they run per comparison)
_YEAR = re.compile(r"(?:19|20)\d{2}")
_THANG = re.compile(r"tháng", re.I)
_LAST_YEAR = re.compile(r"(?<!\w)(?:năm trước|năm ngoái)(?!\w)", re.I)
_DAU_NAM = re.compile(r"đầu năm", re.I)


class ComparisonFinder:
    """Finds comparison bases; vocabulary compiled once from ``rules/comparisons.yaml``."""

    def __init__(self) -> None:
        r = load_rules("comparisons.yaml")
        self._not_after_so = re.compile(rf"(?:{_alt(r['not_comparison_after_so'])})(?!\w)", re.I)
        # The whole-text scans are FoldedScans (see extractor.scan): the reference pattern as
        # written, and a case-sensitive one for the lower-cased text that opens with its words
        # and checks the look-behinds after them ("so(?<!\wso)" is "(?<!\w)so"), so that re can
        # skip to the words instead of trying the look-behind at every position.
        self._trigger = FoldedScan(re.compile(r"(?<!\w)so(?:\s+với)?\s+", re.I), r"so(?<!\wso)(?:\s+với)?\s+")
        self._stop = re.compile(rf"[,;:()!?\"]|\.(?!\d)|\s-\s|(?<!\w)(?:{_alt(r['base_ends_before'])})(?!\w)", re.I)
        self._kinds = [(k, re.compile(rf"(?<!\w)(?:{_alt(forms)})(?!\w)", re.I))
                       for k, forms in r["base_phrases"].items()]
        # "vượt 23,9% dự toán", "vượt kế hoạch 12,3%": a plan base without "so với"
        plan_words = ["dự toán", "kế hoạch", "mục tiêu", "chỉ tiêu"]
        plan_tail = r"(?:\s+(?:năm(?:\s+(?:19|20)\d{2})?|đề ra|được giao|cả năm))?(?!\w)"
        plan_before = ["%", r"%\s", r"vượt\s", r"hơn\s", r"hụt\s"]
        self._bare_plan = FoldedScan(re.compile(
            rf"(?:{'|'.join(f'(?<={b})' for b in plan_before)})(?:{'|'.join(plan_words)}){plan_tail}", re.I),
            # each word first, then what must stand before it, as a look-behind over both (the
            # words differ in their first letter, so at most one branch can match)
            "(?:" + "|".join(f"{w}(?:{'|'.join(f'(?<={b}{w})' for b in plan_before)})" for w in plan_words)
            + ")" + plan_tail)
        cung_ky = r"cùng kỳ(?<!\wcùng kỳ)"
        bare_tail = r"(?:\s+năm\s+(?:trước|ngoái|(?:19|20)\d{2}))?(?!\w)"
        self._bare = FoldedScan(re.compile(rf"(?<!\w)cùng kỳ{bare_tail}", re.I), cung_ky + bare_tail)
        of_tail = (r"(?:\s+(?:năm\s+(?:trước|ngoái)|năm\s+(?:19|20)\d{2}))?"
                   r"(?=\s+(?:tăng|giảm|đạt|chỉ tăng|chỉ giảm|tăng trưởng)(?!\w))")
        self._of_period = FoldedScan(re.compile(rf"(?<!\w)cùng kỳ{of_tail}", re.I), cung_ky + of_tail)

    def find(self, ctx: Context, periods: list[PeriodMention]) -> list[ComparisonMention]:
        """Every comparison base in document order."""
        text = ctx.text
        statements = statement_periods(text, periods)
        doc_period = statements[0] if statements else None
        out: list[ComparisonMention] = []
        for m in self._trigger.finditer(text):
            if self._not_after_so.match(text, m.end()):
                continue
            if text[m.end():m.end() + 1].isdigit() and "với" not in m.group(0):
                continue  # "so 2020" is too loose; "so với 2020" is handled
            stop = self._stop.search(text, m.end(), min(len(text), m.end() + 80))
            end = stop.start() if stop else min(len(text), m.end() + 80)
            # trailing spaces off the base (stripping text[:end] would copy the text per match)
            base_text = text[m.end():end].rstrip()
            if not base_text:
                continue
            end = m.end() + len(base_text)
            out.append(self._resolve(ctx, m.start(), end, m.end(), base_text, periods, statements, doc_period))
        for m in self._of_period.finditer(text):
            if any(c.nstart <= m.start() < c.nend for c in out):
                continue
            st = statement_before(ctx, m.start(), statements, doc_period)
            of = st.shifted_years(-1) if st else None
            year = _YEAR.search(m.group(0))
            if of is not None and year:  # "(cùng kỳ năm 2020 tăng 0,78%)": the year is written
                of = replace(of, year=int(year.group(0)))
            base = of.shifted_years(-1) if of else None
            model = self._model(ctx, m.start(), m.end(), "same_period_last_year", base, m.start(), m.end())
            out.append(ComparisonMention(m.start(), m.end(), ctx.sentence_of(m.start()), "same_period_last_year",
                                         base, model, of_period=of))
        for m in self._bare_plan.finditer(text):
            if any(c.nstart <= m.start() < c.nend for c in out):
                continue
            c = self._resolve(ctx, m.start(), m.end(), m.start(), m.group(0), periods, statements, doc_period)
            c.attach_only = True
            out.append(c)
        for m in self._bare.finditer(text):
            # "(tăng gấp đôi cùng kỳ)": a bare "cùng kỳ" right after an amount is its base
            if any(c.nstart <= m.start() < c.nend for c in out):
                continue
            c = self._resolve(ctx, m.start(), m.end(), m.start(), m.group(0), periods, statements, doc_period)
            c.attach_only = True
            out.append(c)
        out.sort(key=lambda c: (c.nstart, c.nend))
        return out

    def _resolve(self, ctx: Context, start: int, end: int, base_start: int, base_text: str,
                 periods: list[PeriodMention], statements: list[PeriodMention],
                 doc_period: PeriodMention | None) -> ComparisonMention:
        st = statement_before(ctx, start, statements, doc_period)
        sent = ctx.sentence_of(start)
        if st is None or ctx.sentence_of(st.nstart) != sent:
            # "So với cùng kỳ năm trước, khu vực ... quý III/2022 tăng 3,24%": the statement's own
            # period may come after its base in the sentence
            later = next((p for p in statements if p.nstart > start and ctx.sentence_of(p.nstart) == sent), None)
            if later is not None and not _CLAUSE_END.search(ctx.text, end, later.nstart):
                st = later
        if st is not None and st.kind == "day" and st.month and _THANG.search(base_text):
            st = replace(st, kind="month", day=None)  # "so với tháng trước" of a dated statement
        inside = [p for p in periods if base_start <= p.nstart and p.nend <= end]
        kind = "other"
        for k, pat in self._kinds:
            if pat.search(base_text):
                kind = k
                break
        base: PeriodMention | None = None
        if kind == "same_period_last_year":
            explicit = next((p for p in inside if p.kind == "year" and p.explicit_year), None)
            if st is not None:
                base = st.shifted_years(-1)
                if explicit is not None and st.kind != "year":
                    base = replace(base, year=explicit.year)
                    if st.year is not None and explicit.year < st.year - 1:
                        kind = "explicit_period"  # "so với cùng kỳ năm 2019" in 2023: not last year
        elif kind == "previous_period":
            if _LAST_YEAR.search(base_text) and st is not None and st.kind != "year":
                kind = "same_period_last_year"
                base = st.shifted_years(-1)
            elif st is not None:
                base = st.previous()
        elif kind == "period_start":
            explicit = next((p for p in inside if p.explicit_year), None)
            year = explicit.year if explicit else (st.year if st else None)
            if _DAU_NAM.search(base_text):
                base = PeriodMention(base_start, end, "month", year, 1)
            else:
                base = PeriodMention(base_start, end, "month", (year - 1) if year and not explicit else year, 12)
        elif kind == "other" and inside:
            base = inside[0]
            kind = classify(st, base)
        model = self._model(ctx, start, end, kind, base, base_start, end)
        return ComparisonMention(start, end, ctx.sentence_of(start), kind, base, model)

    @staticmethod
    def _model(ctx: Context, start: int, end: int, kind: str, base: PeriodMention | None,
               bstart: int, bend: int) -> Comparison:
        s, e, t = ctx.span(start, end)
        period = None
        if base is not None:
            written = bstart <= base.nstart and base.nend <= bend and base.nend > base.nstart
            period = base.to_model(ctx) if written else base.to_model(ctx, bstart, bend)
            if base.kind in ("week", "relative"):
                period = None
        return Comparison(text=t, start=s, end=e, sentence=ctx.sentence_of(start), kind=kind, period=period)
