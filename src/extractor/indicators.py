"""Indicators: what was measured, for which period, its level, and every change with its base.

A clause grammar over the matching form, sentence by sentence:

1. *Events* are read around each quantity: a direction verb before it ("giảm 1%", "(tăng 97%)")
   makes a change; "tương ứng 0,67%" after a change adds a second amount to it; a level verb
   ("đạt", "lên") makes a value; "chiếm tỷ trọng 62% trong ..." a share; "bằng 95% so với cùng kỳ"
   a value with the change it implies; "đạt 78% dự toán" a plan ratio; "gấp đôi" a change in %.
2. A comparison base written right after an amount belongs to that change.
3. The *subject* of an event is the text between the previous event and the verb, cut at
   punctuation, discourse openers, periods and estimate words (``rules/indicators.yaml``); when
   nothing is left the previous subject carries over ("giảm 1% ... nhưng tăng 34,5% ...").
4. Bases are inherited: from the previous change of the sentence, from a base written before the
   events of the sentence ("... so với cùng kỳ gồm: X (tăng 97%), ..."), or from the statement a
   "Trong đó, ..." sentence breaks down. A change without any base keeps ``comparison: null``.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from .comparisons import ComparisonMention
from .context import Context
from .models import Change, Comparison, Indicator, Quantity, Share
from .numbers import QuantityMention
from .periods import PeriodMention, statement_before, statement_between, statement_periods
from .rules import alternation as _alt, load_rules

__all__ = ["IndicatorExtractor"]

# Patterns used inside per-name loops, compiled once: a module-level ``re.match(str, ...)`` pays a
# cache lookup in ``re._compile`` on every call (about 24,000 calls over the benchmark corpus).
# a period leading a name ("tháng 3, ...", "trong quý I ...")
_LEAD_PERIOD = re.compile(r"^(?:(?:trong|tại|của)\s+)?(?:tháng|quý|năm|tuần)\s+\S+\s*,?\s*", re.I)
# a period written inside a name, where the name stops ("Chỉ số ... tháng 1 ước")
_PERIOD_IN_NAME = re.compile(
    r"(?<!\w)(?:trong\s+|của\s+|tại\s+)?(?:tháng|quý|năm|\d{1,2}\s+tháng|T\d{1,2}/|nửa đầu|cả năm|tuần|phiên)(?!\w)",
    re.I)
# a "name" that is only a Roman numeral or a number with punctuation
_NUMERAL_ONLY = re.compile(r"[IVXLivxl]+|\W*\d*\W*")
# "tăng nhiều nhất với 6.231 doanh nghiệp": a level, not the amount of the change
_WITH_AT_END = re.compile(r"(?<!\w)với\s*$")


class _ByStart:
    """Comparisons of a sentence sorted by start, so lookups stay logarithmic on huge sentences."""

    def __init__(self, items: list[ComparisonMention]) -> None:
        self.items = sorted(items, key=lambda c: (c.nstart, c.nend))
        self.starts = [c.nstart for c in self.items]

    def starting_in(self, a: int, b: int) -> list[ComparisonMention]:
        """Items whose start lies in [a, b)."""
        return self.items[bisect.bisect_left(self.starts, a):bisect.bisect_left(self.starts, b)]

    def overlapping(self, a: int, b: int, longest: int = 200) -> list[ComparisonMention]:
        """Items that overlap [a, b) (a comparison is never longer than ``longest``)."""
        return [c for c in self.starting_in(a - longest, b) if c.nend > a]


@dataclass(slots=True)
class _Event:
    kind: str  # change | value | share | plan_ratio
    verb_start: int  # where the event's wording starts (verb), matching form
    end: int  # end of the amount (and of its attached base)
    q: QuantityMention
    direction: str | None = None
    comparison: ComparisonMention | None = None
    share_of: str | None = None
    amount: Quantity | None = None  # a derived amount (ratio → change)
    also: bool = False  # a second amount of the previous change, or a second level
    verb: str = ""
    name: tuple[int, int] | None = None  # the name written between verb and amount ("ghi nhận doanh thu thuần 7.891 tỷ")


@dataclass(slots=True)
class _Ind:
    name_span: tuple[int, int]
    start: int
    end: int
    sentence: int
    events: list[_Event] = field(default_factory=list)
    period: PeriodMention | None = None
    estimated: bool = False
    parent: int | None = None


class IndicatorExtractor:
    """Builds indicators from quantities, periods and comparisons; rules compiled once."""

    def __init__(self) -> None:
        r = load_rules("indicators.yaml")
        self._dir_of = {}
        for d, forms in r["directions"].items():
            for f in forms:
                self._dir_of[f.casefold()] = d
        fill = rf"(?:\s+(?:{_alt(r['fillers'])}))*"
        b = r"(?:^|(?<=[\s(,;:]))"
        self._dir_re = re.compile(rf"{b}(?P<verb>{_alt(list(self._dir_of))}){fill}\s*$", re.I)
        self._also_re = re.compile(rf"^\s*\(?\s*(?:{_alt(r['also_amount'])})?\s*$", re.I)
        self._also_named_re = re.compile(rf"(?<!\w)(?:{_alt(r['also_amount'])})(?!\w)", re.I)
        self._also_word_re = re.compile(rf"^\s*[,(;]?\s*(?:và|,)?\s*(?:{_alt(r['also_amount'])})?\s*$", re.I)
        self._measure_verbs = {v.casefold() for v in r["measure_verbs"]}
        # a second level may follow a few words later: "48,34 triệu cổ phiếu giao dịch, tương ứng 902,3 tỷ đồng"
        self._also_level_re = re.compile(
            rf"^\s*(?:[^\d,;.()\s]+\s+){{0,5}}?[,;]?\s*(?:(?:{_alt(r['also_level'])})\s*)*$", re.I)
        self._object_level = re.compile(
            rf"{b}(?P<verb>{_alt(r['object_verbs'])})\s+(?P<np>[^\W\d][^\d,;:.()\"]{{1,48}}?)\s*$", re.I)
        # "hoàn thành 86,24% kế hoạch cả năm (9.200 tỷ đồng)": the bracket holds the plan, not a level
        self._plan_before_paren = re.compile(rf"(?:{_alt(r['plan_words'])})(?:\s+(?:cả năm|năm|đề ra))?\s*\($", re.I)
        self._only_period = re.compile(r"(?:(?:trong|tại|của|vào)\s+)?(?:tháng|quý|năm|tuần|phiên)\s+[^\s]+", re.I)
        self._share_whole = re.compile(r"\s+(?!so\s|cùng\s|về\s)(?P<of>[^\W\d][^,;.()\d]{2,80})", re.I)
        self._paren_after = re.compile(r"\s*\)")
        self._level_re = re.compile(rf"{b}(?P<verb>{_alt(r['levels'])}){fill}\s*$", re.I)
        self._ratio_re = re.compile(rf"{b}(?P<verb>{_alt(r['ratio_verbs'])}){fill}\s*$", re.I)
        self._share_re = re.compile(
            rf"{b}(?P<verb>{_alt(r['share_verbs'])})(?:\s+(?:{_alt(r['share_fillers'])}))*\s*$", re.I)
        # the whole a share is of, when the sentence's lead names it: "Về cơ cấu GDP 9 tháng, ..."
        self._share_lead = re.compile(
            r"(?:^|(?<=\W))(?:(?:về\s+)?cơ cấu(?:\s+của)?|trong\s+(?:tổng\s+)?(?:số\s+)?(?!đó\b)(?=\w))\s*"
            r"(?P<of>[^,;:()\d]{2,60}?)(?=\s+(?:\d|tháng|quý|năm|nửa|trong)(?!\w)|\s*[,;:])", re.I)
        # used as ``.match(text, pos[, endpos])`` (no "^", which would not match at pos): slicing
        # ``text[pos:]`` copied the rest of the article for every "vượt"
        self._plan_after = re.compile(rf"\s*(?:so với\s+|của\s+)?(?:{_alt(r['plan_words'])})(?!\w)", re.I)
        self._share_of = re.compile(r"^\s*(?:trong|của|trên|so với)?\s*(?P<of>[^,;.()]+)", re.I)
        self._estimate = re.compile(rf"(?<!\w)(?:{_alt(r['estimate_markers'])})(?!\w)", re.I)
        # one piece at a time (no nested quantifiers: names are cleaned on 1 MB lines too)
        self._lead = re.compile(rf"[\s,;:.\-()\"]+|(?:{_alt(r['name_leading_drop'])})(?!\w)", re.I)
        self._trail_words = re.compile(rf"(?<!\w)(?<!nhỏ và )(?<!cuối )(?<!thực )(?:{_alt(r['name_trailing_drop'])})\Z", re.I)
        self._object_verbs = re.compile(rf"(?<!\w)(?:{_alt(r['object_verbs'])})\s+", re.I)
        from .normalise import normalise

        self._comma_names = re.compile(
            rf"(?<!\w)(?:{_alt([normalise(n).text for n in r['comma_names']])})(?!\w)", re.I)
        self._description = re.compile(rf"(?:{_alt(r['descriptions'])})(?!\w)", re.I)
        self._not_names = {f.casefold() for f in r["not_names"]}
        self._cont = re.compile(rf"^\s*(?:{_alt(r['continuation'])})(?!\w)", re.I)
        self._contrast = re.compile(rf"^\W*(?:{_alt(r['contrast_openers'])})(?!\w)", re.I)
        self._breakdown = re.compile(rf"^\W*(?:{_alt(r['breakdown_openers'])})(?!\w)", re.I)
        # clause boundaries inside a region; a comma between digits ("0,05S") is no boundary
        self._seg = re.compile(r"(?<!\d),|,(?!\d)|[;:]|\s-\s|(?<=\s)(?:là|với)(?=\s)|\s+\(")
        # a short bracket inside a name ("(NSNN)", "(nợ nhóm 3-5)") belongs to it
        self._abbr_paren = re.compile(r"\([^()%\n\0]{1,30}\)")
        self._of_whole = re.compile(r"\s+(?:GDP|GRDP|GNI)(?!\w)")
        # "tăng 9,3% về số doanh nghiệp": the aspect of an amount (a short phrase up to the next
        # clause boundary), read with the amount
        self._aspect = re.compile(
            r"\s+về\s+[^,;.()\d]{1,40}?(?=\s+(?:và|so với|so|nhưng|còn)\s|\s*[,;.()]|\s*$)",
            re.I)

    # --- public -------------------------------------------------------------------------------
    def extract(self, ctx: Context, quantities: list[QuantityMention], periods: list[PeriodMention],
                comparisons: list[ComparisonMention]) -> list[Indicator]:
        """Indicators of the article in document order."""
        text = ctx.text
        statements = statement_periods(text, periods)
        doc_period = statements[0] if statements else None
        by_sent_q: dict[int, list[QuantityMention]] = {}
        for q in quantities:
            by_sent_q.setdefault(ctx.sentence_of(q.nstart), []).append(q)
        by_sent_c: dict[int, list[ComparisonMention]] = {}
        for c in comparisons:
            by_sent_c.setdefault(c.sentence, []).append(c)
        result: list[_Ind] = []
        last_of_sentence: dict[int, int] = {}
        last_share_of = ""  # a share with no whole of its own takes the previous one's, within a paragraph
        for si, (ss, se) in enumerate(ctx.sentence_spans):
            if si and "\n" in text[ctx.sentence_spans[si - 1][1]:ss]:
                last_share_of = ""
            qs = by_sent_q.get(si, [])
            if not qs:
                continue
            comps = by_sent_c.get(si, [])
            cindex = _ByStart(comps)
            events = self._events(text, ss, qs, cindex)
            if not events:
                continue
            for ev in events:
                if ev.kind == "share" and not ev.share_of:
                    lead = self._share_lead.search(text, ss, se)
                    ev.share_of = lead.group("of").strip() if lead and lead.start() < ev.verb_start else last_share_of
                if ev.kind == "share" and ev.share_of:
                    last_share_of = ev.share_of
            inds = self._group(ctx, ss, events, cindex, statements, doc_period, [(q.nstart, q.nend) for q in qs])
            # "Trong đó, ..." breaks down the statement of the sentence right before it
            parent = last_of_sentence.get(si - 1) if self._breakdown.match(text[ss:se]) else None
            base_idx = len(result)
            for ind in inds:
                ind.parent = parent
            self._inherit_bases(ss, inds, cindex.items, result[parent] if parent is not None else None)
            if self._contrast.match(text[ss:se]) and si - 1 in last_of_sentence:
                # "Ở chiều ngược lại, ... (giảm 6,5%)": the list goes on against the same base
                prev = result[last_of_sentence[si - 1]]
                base = next((e.comparison for e in reversed(prev.events) if e.kind == "change" and e.comparison
                             and e.comparison.of_period is None), None)
                for ind in inds:
                    for ev in ind.events:
                        if ev.kind == "change" and ev.comparison is None:
                            ev.comparison = base
            if parent is not None:
                for ind in inds:
                    if ind.period is None:
                        ind.period = result[parent].period
            result.extend(inds)
            if inds:
                last_of_sentence[si] = base_idx + len(inds) - 1
        return [self._model(ctx, ind) for ind in result]

    # --- events -------------------------------------------------------------------------------
    def _events(self, text: str, ss: int, qs: list[QuantityMention], comps: _ByStart) -> list[_Event]:
        events: list[_Event] = []
        for q in qs:
            before = text[max(ss, q.nstart - 60):q.nstart]
            asp = self._aspect.match(text, q.nend)
            qend = asp.end() if asp else q.nend
            comp = self._attached(text, qend, comps)
            end = comp.nend if comp else qend
            kind = q.model.kind
            prev = events[-1] if events else None
            gap = text[prev.end:q.nstart] if prev and prev.end <= q.nstart else None
            if prev and prev.kind == "change" and not prev.comparison and gap is not None \
                    and self._also_word_re.match(gap) \
                    and (kind == prev.q.model.kind or self._also_named_re.search(gap) or "(" in gap):
                amount = self._ratio_change(q, prev.direction or "increase") if kind == "ratio" else None
                events.append(_Event("change", q.nstart, end, q, prev.direction, comp, amount=amount, also=True))
                continue
            m = self._dir_re.search(before)
            if m and kind not in ("percent", "percentage_points", "points", "ratio") and _WITH_AT_END.search(before):
                m = None  # "tăng nhiều nhất với 6.231 doanh nghiệp": a level, not the amount of the change
            if m and kind != "ratio":
                d = self._dir_of[m.group("verb").casefold()]
                if m.group("verb").casefold() == "vượt" and self._plan_after.match(text, q.nend):
                    d = "increase"
                vstart = q.nstart - (len(before) - m.start())
                if comp is None:  # "vượt kế hoạch 12,3%": the base is written inside the verb
                    comp = next((c for c in comps.starting_in(vstart, q.nstart) if c.nend <= q.nstart), None)
                events.append(_Event("change", vstart, end, q, d, comp))
                continue
            if kind == "ratio":
                # "tăng gấp đôi", "cao gấp 2,5 lần", "tăng 66 lần": a change in percent
                d = "increase"
                start = q.nstart
                m2 = m  # the direction verb before the amount, searched above
                if m2:
                    d = self._dir_of[m2.group("verb").casefold()]
                    start = q.nstart - (len(before) - m2.start())
                elif not text[q.nstart:q.nend].casefold().startswith("gấp"):
                    continue
                amount = self._ratio_change(q, d)
                events.append(_Event("change", start, end, q, d, comp, amount=amount))
                continue
            ms = self._share_re.search(before)
            if ms and kind == "percent":
                mo = self._share_of.match(text[q.nend:q.nend + 160])
                of = mo.group("of").strip() if mo else ""
                events.append(_Event("share", q.nstart - (len(before) - ms.start()), q.nend + (mo.end() if mo else 0), q, share_of=of))
                continue
            mr = self._ratio_re.search(before)
            if mr and kind == "percent":
                pm = self._plan_after.match(text, q.nend, q.nend + 40)
                if pm:
                    events.append(_Event("plan_ratio", q.nstart - (len(before) - mr.start()), pm.end(), q))
                    continue
                if comp is not None and comp.kind not in ("plan", "other"):
                    n = float(q.model.number)
                    d = "increase" if n > 100 else "decrease" if n < 100 else "unchanged"
                    amount = q.model.model_copy(update={"number": round(abs(n - 100), 6), "qualifier": None})
                    vstart = q.nstart - (len(before) - mr.start())
                    events.append(_Event("value", vstart, q.nend, q))
                    events.append(_Event("change", vstart, end, q, d, comp, amount=amount))
                    continue
                mw = self._share_whole.match(text, q.nend) if comp is None and mr.group("verb").casefold() == "bằng" else None
                if mw:
                    # "nhập siêu 2,7 tỷ USD, bằng 1,7% tổng kim ngạch xuất khẩu": a share of that whole
                    events.append(_Event("share", q.nstart - (len(before) - mr.start()), mw.end(), q,
                                         share_of=mw.group("of").strip()))
                    continue
            if prev and prev.kind == "value" and prev.end <= q.nstart and kind not in ("percent", "ratio") \
                    and self._also_level_re.match(text[prev.end:q.nstart]):
                events.append(_Event("value", q.nstart, q.nend, q, also=True))
                continue
            ml = self._level_re.search(before)
            if ml:
                whole = self._of_whole.match(text, q.nend) if kind == "percent" else None  # "18,6% GDP"
                events.append(_Event("value", q.nstart - (len(before) - ml.start()), whole.end() if whole else q.nend, q,
                                     verb=ml.group("verb").casefold()))
                continue
            mo = self._object_level.search(before)
            if mo and kind != "ratio":
                # "FPT ghi nhận doanh thu thuần 7.891 tỷ đồng": the measure is named between verb and amount
                vstart = q.nstart - (len(before) - mo.start())
                ns = q.nstart - (len(before) - mo.start("np"))
                events.append(_Event("value", vstart, q.nend, q, verb=mo.group("verb").casefold(),
                                     name=(ns, ns + len(mo.group("np")))))
                continue
            if before.rstrip().endswith("(") and kind in ("money", "count", "measure", "points") \
                    and not self._plan_before_paren.search(before) \
                    and self._paren_after.match(text, q.nend):
                # "Vietnam Airlines (gần 14.183 tỷ đồng)": the level of what stands before the bracket
                events.append(_Event("value", q.nstart - (len(before) - before.rstrip().rfind("(")), q.nend, q))
        return events

    @staticmethod
    def _ratio_change(q: QuantityMention, direction: str) -> Quantity:
        """A multiplier as a change in percent: "gấp đôi" is +100 %, "giảm 2 lần" is -50 %."""
        n = float(q.model.number)
        num = (n - 1) * 100 if direction == "increase" else (1 - 1 / n) * 100 if n else 0.0
        return q.model.model_copy(update={"number": round(num, 6), "unit": "%", "kind": "percent"})

    @staticmethod
    def _attached(text: str, pos: int, comps: _ByStart) -> ComparisonMention | None:
        """A comparison that starts right after an amount ("34,5% so với tháng 1/2020")."""
        for c in comps.starting_in(pos, pos + 4):
            if c.of_period is None and not text[pos:c.nstart].strip(" ,("):
                return c
        return None

    # --- subjects and grouping ---------------------------------------------------------------
    def _group(self, ctx: Context, ss: int, events: list[_Event], comps: _ByStart,
               statements: list[PeriodMention], doc_period: PeriodMention | None,
               qspans: list[tuple[int, int]]) -> list[_Ind]:
        text = ctx.text
        inds: list[_Ind] = []
        seg_start = ss
        cur: _Ind | None = None
        for ev in events:
            region_start = seg_start
            # a "(cùng kỳ tăng 11%)" event: the change of the year-ago period
            ofp = next((c for c in comps.starting_in(region_start, ev.verb_start) if c.of_period is not None), None)
            if ofp is not None:
                ev.comparison = ofp
            region = self._mask(text, region_start, ev.verb_start, comps, qspans)
            name = None if ev.also else ev.name or self._subject(text, region_start, region, cur is None)
            if name is not None and ev.verb in self._measure_verbs and \
                    not text[name[0]:name[1]].casefold().endswith(ev.verb):
                name = (name[0], ev.verb_start + len(ev.verb))
            if name is None and cur is not None and ev.kind == "value" and any(e.kind == "value" for e in cur.events):
                # a second level of the same subject ("7,8 nghìn chiếc, trị giá 171 triệu USD"): a sibling
                sib = _Ind(cur.name_span, cur.start, ev.end, cur.sentence, [ev], cur.period, cur.estimated)
                inds.append(sib)
                cur = sib
            elif name is None and cur is not None:
                cur.events.append(ev)
                cur.end = max(cur.end, ev.end)
            elif name is not None:
                cur = _Ind(name, name[0], ev.end, ctx.sentence_of(ev.q.nstart), [ev])
                cur.period = self._period_in(ctx, name[1], ev.verb_start, statements, doc_period)
                inds.append(cur)
            if cur is not None and self._estimate.search(text[region_start:ev.q.nstart]):
                cur.estimated = True
            seg_start = ev.end
        return inds

    def _mask(self, text: str, a: int, b: int, comps: _ByStart, qspans: list[tuple[int, int]]) -> str:
        """The region's text with comparison bases blanked and amounts marked "\0" (same length,
        so offsets hold); a segment holding an amount is an apposition, never a name."""
        s = text[a:b]
        for c in comps.overlapping(a, b):
            x, y = max(c.nstart, a) - a, min(c.nend, b) - a
            s = s[:x] + " " * (y - x) + s[y:]
        for m in self._abbr_paren.finditer(s):  # "tổng thu ngân sách nhà nước (NSNN)" is one name
            s = s[:m.start()] + "\x02" + s[m.start() + 1:m.end() - 1] + "\x03" + s[m.end():]
        for m in self._comma_names.finditer(s):  # "chế biến, chế tạo" is one name
            s = s[:m.start()] + m.group(0).replace(",", "\x01") + s[m.end():]
        i = bisect.bisect_left(qspans, (a - 200, 0))  # amounts are sorted and never that long
        while i < len(qspans) and qspans[i][0] < b:
            qs, qe = qspans[i]
            if qe > a:
                x, y = max(qs, a) - a, min(qe, b) - a
                s = s[:x] + "\0" * (y - x) + s[y:]
            i += 1
        return s

    def _subject(self, text: str, base: int, region: str, first: bool) -> tuple[int, int] | None:
        """Span of the name in a region before a verb, or None when the region names nothing.

        Segments holding an amount are appositions (", trị giá 171 triệu USD,") and name nothing,
        except for a sentence's first event, whose name may stand before its amount
        ("cả nước nhập khẩu 7,8 nghìn ô tô ..., giảm 21,3%").
        """
        # segment i runs from the end of boundary i-1 to the start of boundary i: finditer resumes
        # each search where the previous match ended, so one pass gives both ends of every segment
        bounds = list(self._seg.finditer(region))
        segs = list(zip([0] + [m.end() for m in bounds], [m.start() for m in bounds] + [len(region)]))
        i = len(segs) - 1
        while i >= 0:
            a, b = self._clean(region, *segs[i])
            if self._only_period.fullmatch(region[a:b]):
                a = b  # "quý I đạt 6,3%": a period, not a name
            if a < b and "\0" not in region[a:b]:
                break
            if a < b and first:
                cut = region.index("\0", a)
                a, b = self._clean(region, a, cut)
                if a < b:
                    break
            i -= 1
        if i < 0:
            return None
        if i == 0 and not first and self._cont.match(region[a:b]):
            return None  # ", nếu loại trừ yếu tố giá tăng 7%": a qualification of the same subject
        while i > 0 and self._cont.match(region[a:b]):
            pa, pb = self._clean(region, *segs[i - 1])
            if pa >= pb or "\0" in region[pa:pb]:
                break
            a = pa
            i -= 1
        # "Hoa Kỳ là thị trường lớn nhất", "Tôm ... với kim ngạch 1,2 tỷ USD": after "là"/"với" stands a
        # description or a generic measure, and the entity named is the one before it
        if i > 0 and region[segs[i - 1][1]:segs[i][0]].strip() in ("là", "với") \
                and self._description.match(region[a:b]) and not any(w[:1].isupper() for w in region[a:b].split()[1:]):
            pa, pb = self._clean(region, *segs[i - 1])
            if pa < pb and "\0" not in region[pa:pb]:
                a, b = pa, pb
        # the name stops at a period written inside it ("Chỉ số ... tháng 1 ước")
        m = _PERIOD_IN_NAME.search(region[a:b])
        if m and m.start() > 0:
            b = a + m.start()
            a, b = self._clean(region, a, b)
        last = None
        for last in self._object_verbs.finditer(region, a, b):
            pass
        if last is not None and last.end() < b:
            a, b = self._clean(region, last.end(), b)
        m = self._estimate.search(region, a, b)
        if m and m.start() > a:
            a, b = self._clean(region, a, m.start())
        words = region[a:b].split()
        if len(words) > 24:
            a = b - len(" ".join(words[-24:]))
            a, b = self._clean(region, a, b)
        if "(" in region[a:b] and ")" not in region[a:b]:  # "khu vực ... (kể cả dầu thô) đạt"
            a, b = self._clean(region, a, a + region[a:b].index("("))
        if a >= b or not any(ch.isalpha() for ch in region[a:b]) or region[a:b].casefold() in self._not_names \
                or _NUMERAL_ONLY.fullmatch(region[a:b]):
            return None
        return base + a, base + b

    def _clean(self, region: str, a: int, b: int) -> tuple[int, int]:
        """Span of ``region[a:b]`` without leading openers, trailing verbs/adverbs and a leading period.

        Up to four rounds, because dropping a leading period can expose another opener. A round
        is a pure function of ``seg``, so once a round leaves ``seg`` unchanged the later rounds
        would too: stop there (most names need one round, not four).
        """
        seg = region[a:b]
        for _ in range(4):
            seg_at_round = seg
            m = self._lead.match(seg)
            while m and m.end():
                a += m.end()
                seg = seg[m.end():]
                m = self._lead.match(seg)
            while True:
                stripped = seg.rstrip(" \t\n,;:.-()\"")
                tail = seg[max(0, len(stripped) - 24):len(stripped)] if stripped else ""
                m = self._trail_words.search(tail)
                if m:
                    stripped = stripped[:len(stripped) - (len(tail) - m.start())]
                if stripped == seg:
                    break
                seg = stripped
            m = _LEAD_PERIOD.match(seg)
            if m and m.end() < len(seg):
                a += m.end()
                seg = seg[m.end():]
            if seg == seg_at_round:
                break
        seg_stripped = seg.strip()
        lead = len(seg) - len(seg.lstrip())
        return a + lead, a + lead + len(seg_stripped)

    def _period_in(self, ctx: Context, name_end: int, verb_start: int, statements: list[PeriodMention],
                   doc_period: PeriodMention | None) -> PeriodMention | None:
        inside = statement_between(statements, name_end, verb_start)
        return inside if inside is not None else statement_before(ctx, verb_start, statements, doc_period)

    # --- bases ----------------------------------------------------------------------------------
    @staticmethod
    def _inherit_bases(ss: int, inds: list[_Ind], comps: list[ComparisonMention], parent: _Ind | None) -> None:
        attached = {id(e.comparison) for ind in inds for e in ind.events if e.comparison is not None}
        free = [c for c in comps if id(c) not in attached and c.of_period is None and not c.attach_only]
        for ind in inds:  # "giảm 21,3% về lượng và 20,7% về trị giá so với tháng trước"
            later: ComparisonMention | None = None
            for ev in reversed(ind.events):
                if ev.kind != "change":
                    continue
                if ev.comparison is None and later is not None:
                    ev.comparison = later
                later = ev.comparison if ev.also and ev.comparison is not None and ev.comparison.of_period is None else None
        prev_base: ComparisonMention | None = None
        parent_changes = [e for e in parent.events if e.kind == "change"] if parent else []
        # bases written after a change, in order: "A tăng 13% và B tăng 10% so với cùng kỳ" gives A's too
        trailing = sorted({id(e.comparison): e.comparison for ind in inds for e in ind.events
                           if e.kind == "change" and e.comparison is not None and e.comparison.of_period is None
                           and not e.comparison.attach_only}.values(), key=lambda c: c.nstart)
        trailing_starts = [c.nstart for c in trailing]
        free.sort(key=lambda c: c.nend)
        free_ends = [c.nend for c in free]
        for ind in inds:
            k = 0
            for ev in ind.events:
                if ev.kind != "change":
                    continue
                if ev.comparison is None:
                    li = bisect.bisect_right(free_ends, ev.verb_start)
                    ai = bisect.bisect_left(trailing_starts, ev.end)
                    if prev_base is not None:
                        ev.comparison = prev_base
                    elif li:
                        ev.comparison = free[li - 1]
                    elif ai < len(trailing):
                        ev.comparison = trailing[ai]
                    elif parent_changes:
                        src = parent_changes[k] if k < len(parent_changes) else parent_changes[-1]
                        ev.comparison = src.comparison if src.comparison and src.comparison.of_period is None else None
                if ev.comparison is not None and ev.comparison.of_period is None:
                    prev_base = ev.comparison
                k += 1

    # --- model ----------------------------------------------------------------------------------
    @staticmethod
    def _model(ctx: Context, ind: _Ind) -> Indicator:
        ns, ne = ind.name_span
        s, e, name = ctx.span(ns, ne)
        st, en = ctx.nt.to_orig(ind.start, ind.end)
        value = share = plan = None
        changes: list[Change] = []
        for ev in ind.events:
            if ev.kind == "value" and value is None:
                value = ev.q.model
            elif ev.kind == "share" and share is None:
                share = Share(amount=ev.q.model, of=ev.share_of or "")
            elif ev.kind == "plan_ratio" and plan is None:
                plan = ev.q.model
            elif ev.kind == "change":
                comp: Comparison | None = ev.comparison.model if ev.comparison else None
                period = None
                if ev.comparison is not None and ev.comparison.of_period is not None:
                    of = ev.comparison.of_period
                    period = of.to_model(ctx, ev.comparison.nstart, ev.comparison.nend)
                changes.append(Change(direction=ev.direction or "unchanged", amount=ev.amount or ev.q.model,
                                      comparison=comp, period=period))
        return Indicator(name=name, start=st, end=en, sentence=ind.sentence,
                         period=ind.period.to_model(ctx) if ind.period else None, estimated=ind.estimated,
                         value=value, changes=changes, share=share, plan_ratio=plan, parent=ind.parent,
                         name_start=s, name_end=e)
