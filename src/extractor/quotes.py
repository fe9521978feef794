"""Quotes: direct speech inside quotation marks and reported speech, linked to their speaker.

1. Quotation marks are paired on the matching form, where every double quote is ``"``; whether
   a mark opens or closes is read from the input character (“ ” « » „) or, for straight quotes,
   from the characters around it. A quotation left open at the end of a paragraph continues when
   the next paragraph opens with a mark (the news convention for long quotes).
2. A quoted stretch is a *direct* quote only when a verb of saying is attached: after it
   ("…”, ông Vũ cho biết") or before it ("Ông X nói: “…”", "Theo ông X: “…”"). Scare quotes
   ("cả nhà làm quan") have none and are left alone.
3. *Indirect* speech is a speaker, a verb of saying and a comma, colon or "rằng" ("ông X cho
   biết, ...", "Theo Tổng cục Thống kê, ..."); the quote is the reported clause up to the
   sentence end.
4. The speaker is the official whose mention stands before the verb (an apposition such as
   " - Giám đốc Sở Y" may separate them), else an organization mention; its ``name`` is used.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from .context import Context
from .models import Official, Organization, Quote
from .organizations import LOWER, UPPER, alternation, norm_span
from .rules import load_rules
from .scan import words_first_branches

__all__ = ["QuoteExtractor"]

_OPENERS = "“„‟«\u301d"
_PAREN = re.compile(r"\s*\([^()\n\"]{1,60}\)")
_DATE = re.compile(r"\d{1,2}/\d{1,2}(?:/\d{2,4})?")
_CLOSERS = "”»\u301e"
_MAX_QUOTE = 5000  # a runaway pairing is dropped rather than swallowing an article


@dataclass(frozen=True, slots=True)
class _Ref:
    """A mention of a possible speaker in the matching form."""

    start: int
    end: int
    name: str
    person: bool


class _Refs:
    """Speaker mentions sorted by start, searchable by range."""

    def __init__(self, refs: list[_Ref]) -> None:
        self.refs = sorted(refs, key=lambda r: (r.start, -r.end))
        self._starts = [r.start for r in self.refs]

    def between(self, lo: int, hi: int) -> list[_Ref]:
        """Mentions that start in ``[lo, hi)``."""
        a = bisect.bisect_left(self._starts, lo)
        b = bisect.bisect_left(self._starts, hi)
        return self.refs[a:b]


class _Paragraphs:
    """Paragraph ends of one article, indexed once (a scan per quote would be quadratic)."""

    def __init__(self, text: str) -> None:
        self._newlines = [m.start() for m in re.finditer("\n", text)]
        self._length = len(text)

    def end_of(self, pos: int) -> int:
        """End of the paragraph holding ``pos``."""
        k = bisect.bisect_left(self._newlines, pos)
        return self._newlines[k] if k < len(self._newlines) else self._length


class QuoteExtractor:
    """Finds quotes; verbs and patterns are compiled once here (no per-article state)."""

    def __init__(self) -> None:
        r = load_rules("quotes.yaml")
        people = load_rules("officials.yaml")
        verbs = alternation(r["verbs"])
        self._verb_re = re.compile(rf"(?<![\w])(?:{verbs})(?![\w])", re.I)
        # "(?<![\w])(?:(?:indirect verbs)(?:\s+thêm)?(?:\s*[,:]\s*(?:rằng\s+)?|\s+rằng[,:]?\s+)
        # |(?:bare indirect verbs)\s+(?=[letter or digit]))", written verbs first (same matches,
        # see words_first_branches) so that re skips to their first letters
        self._indirect_re = re.compile(words_first_branches([
            (r["indirect_verbs"], r"(?:\s+thêm)?(?:\s*[,:]\s*(?:rằng\s+)?|\s+rằng[,:]?\s+)"),
            (r["bare_indirect_verbs"], rf"\s+(?=[{LOWER}{UPPER}\d])"),
        ], not_after=r"[\w]"))
        self._before_re = re.compile(rf"(?:{verbs})(?:\s+(?:thêm|rằng))?\s*[:,]?\s*$", re.I)
        adverbs = alternation(r["adverbs"])
        self._adverb_gap = re.compile(rf"^\s*(?:(?:{adverbs}|\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?)\s+)*$", re.I)
        self._lead_re = re.compile(r"[,.!?;…]*\s*(?:-\s*)?")
        titles = people["titles"] + people["roles"]
        self._title_re = re.compile(rf"(?:{alternation(titles)})(?![\w])", re.I)
        self._office_re = re.compile(rf"(?:{alternation(people['titles'])})(?![\w])", re.I)
        hon = alternation(people["honorifics"] + people["academic"])
        self._honorific_re = re.compile(rf"(?:{hon})\s", re.I)
        # "(?<![\w])[Tt]heo\s+" with the letter first, so that re skips to it
        self._theo_re = re.compile(r"[Tt](?<![\w][Tt])heo\s+")
        self._min_words = int(r.get("min_words", 3))
        self._object_re = re.compile(rf"(?<![\w])(?:{alternation(r['not_subject_after'])})\s+$", re.I)

    # ------------------------------------------------------------------ speakers
    def _refs(self, ctx: Context, officials: list[Official], organizations: list[Organization]) -> _Refs:
        """Every official and organization mention in the matching form (models carry input offsets)."""
        refs: list[_Ref] = []
        for o in officials:
            for m in o.mentions:
                a, b = norm_span(ctx, m.start, m.end)
                refs.append(_Ref(a, b, o.name, True))
        for org in organizations:
            for m in org.mentions:
                a, b = norm_span(ctx, m.start, m.end)
                refs.append(_Ref(a, b, org.name, False))
        return _Refs(refs)

    def _gap_ok(self, gap: str, person: bool) -> bool:
        """What may stand between a speaker and the verb: adverbs and dates ("cũng", "hôm qua
        (15/6)"), a short parenthesis ("(VASEP)"), or for a person an apposition (" - Giám đốc Sở
        Y", ", một nhà đầu tư ở Hà Nội,")."""
        gap = _PAREN.sub(" ", gap)
        if self._adverb_gap.match(gap):
            return True
        if not person or len(gap) > 150 or any(ch in gap for ch in '":;!?') or re.search(r"\.(?:\s|$)", gap):
            return False  # a full stop inside "TP.HCM" is fine, one that ends a sentence is not
        return gap.lstrip()[:1] in ("-", ",", "(")

    def _speaker_before(self, text: str, refs: _Refs, lo: int, verb: int) -> _Ref | None:
        """The speaker whose mention ends right before ``verb`` (persons before bodies)."""
        cands = [r for r in refs.between(lo, verb) if r.end <= verb and not self._object_re.search(text, max(lo, r.start - 8), r.start)]
        for person in (True, False):
            for r in sorted((c for c in cands if c.person == person), key=lambda c: -c.end):
                if self._gap_ok(text[r.end:verb], person):
                    return r
        return None

    def _sentence_bounds(self, ctx: Context, pos: int) -> tuple[int, int]:
        """The sentence around ``pos``: attribution never crosses a sentence end."""
        if not ctx.sentence_spans:
            return 0, len(ctx.text)
        return ctx.sentence_spans[ctx.sentence_of(pos)]


    # ------------------------------------------------------------------ quotation marks
    def _mark_opens(self, ctx: Context, i: int, is_open: bool) -> bool | None:
        """True for an opening mark, False for a closing one, None when it cannot be told."""
        s, _ = ctx.nt.to_orig(i, i + 1)
        ch = ctx.nt.original[s] if s < len(ctx.nt.original) else '"'
        if ch in _OPENERS:
            return True
        if ch in _CLOSERS:
            return False
        text = ctx.text
        prev = text[i - 1] if i > 0 else "\n"
        nxt = text[i + 1] if i + 1 < len(text) else "\n"
        if (prev.isspace() or prev in "([{:;,-/") and not nxt.isspace():
            return True
        if not prev.isspace() and (nxt.isspace() or nxt in ".,;:!?)-…"):
            return False
        return not is_open

    def _pairs(self, ctx: Context, paras: _Paragraphs) -> list[tuple[int, int]]:
        """(opening, closing) mark positions; see the module docstring for paragraphs."""
        text = ctx.text
        pairs: list[tuple[int, int]] = []
        open_at: int | None = None
        para_end = -1  # end of the paragraph the open quotation has reached
        for m in re.finditer('"', text):
            i = m.start()
            if open_at is not None and i > para_end:
                line_start = text.rfind("\n", 0, i) + 1
                continues = (self._mark_opens(ctx, i, False) is True and not text[line_start:i].strip()
                             and not text[para_end:line_start].strip())
                if not continues:
                    open_at = None
                else:
                    para_end = paras.end_of(i)
                    continue
            opens = self._mark_opens(ctx, i, open_at is not None)
            if opens:
                open_at, para_end = i, paras.end_of(i)
            elif open_at is not None:
                if i - open_at <= _MAX_QUOTE:
                    pairs.append((open_at, i))
                open_at = None
        return pairs

    # ------------------------------------------------------------------ quotes
    def extract(self, ctx: Context, officials: list[Official], organizations: list[Organization]) -> list[Quote]:
        """Direct and indirect quotes, in document order."""
        text = ctx.text
        if not text.strip():
            return []
        refs = self._refs(ctx, officials, organizations)
        paras = _Paragraphs(text)
        quotes: list[Quote] = []
        spans: list[tuple[int, int]] = []
        for o, c in self._pairs(ctx, paras):
            if len(text[o + 1:c].split()) < self._min_words:
                continue
            found, ref = self._attributed_after(ctx, refs, paras, c)
            if not found:
                found, ref = self._attributed_before(ctx, refs, o)
            if not found:
                continue
            if ref is None:
                ctx.warn("quote_speaker_unknown", "a quote's speaker is not a known official or organization", o + 1, c)
            quotes.append(self._quote(ctx, o + 1, c, "direct", ref))
            spans.append((o, c + 1))
        quotes += self._indirect(ctx, refs, spans)
        return sorted(quotes, key=lambda q: (q.start, q.end))

    def _quote(self, ctx: Context, a: int, b: int, kind: str, ref: _Ref | None) -> Quote:
        """The model, with input offsets (the matching form may differ in length)."""
        s, e, t = ctx.span(a, b)
        return Quote(text=t, start=s, end=e, kind=kind, speaker=ref.name if ref else None, sentence=ctx.sentence_of(a))

    def _attributed_after(self, ctx: Context, refs: _Refs, paras: _Paragraphs, c: int) -> tuple[bool, _Ref | None]:
        """"…”, ông Vũ cho biết" / "…" - chị X, một nhà đầu tư, chia sẻ"."""
        text = ctx.text
        lead = self._lead_re.match(text, c + 1)
        s0 = lead.end() if lead else c + 1
        if any(ch in ".!?" for ch in text[c + 1:s0]):
            return False, None  # “...”. Bà X cho biết ...: a new sentence, maybe a new speaker
        if s0 >= len(text) or text[s0] == "\n":
            return False, None
        _, sent_end = self._sentence_bounds(ctx, s0)
        nxt = text.find('"', s0, s0 + 200)
        hi = min(x for x in (sent_end, s0 + 200, nxt if nxt >= 0 else len(text), paras.end_of(s0)))
        verb = self._verb_re.search(text, s0, hi)
        if not verb or re.match(r"(?:\s+(?:thêm|rằng))?\s*[:\"]", text[verb.end():verb.end() + 12]):
            return False, None  # 'sản phẩm "X", bà Y cho rằng: "..."': the verb introduces the next quote
        starts = refs.between(s0, verb.start())
        ref: _Ref | None = None
        head = starts[0] if starts else None
        if head is not None and (head.start == s0 or self._title_re.match(text, s0)):
            person = [r for r in starts if r.person and r.end <= verb.start()]
            ref = person[0] if person and self._gap_ok(text[person[0].end:verb.start()], True) else None
            if ref is None and self._gap_ok(text[head.end:verb.start()], head.person):
                ref = head
            if ref is None:
                return False, None
            return True, ref
        if self._title_re.match(text, s0) or self._honorific_re.match(text, s0):
            return verb.start() - s0 <= 80, None
        return False, None

    def _attributed_before(self, ctx: Context, refs: _Refs, o: int) -> tuple[bool, _Ref | None]:
        """"Ông X nói: “…”", "GĐ Ngân hàng Y cho rằng: “…”", "Theo ông X: “…”"."""
        text = ctx.text
        lo, _ = self._sentence_bounds(ctx, o)
        if not text[lo:o].strip() and lo > 0:
            lo, _ = self._sentence_bounds(ctx, max(lo - 1, 0))
            if not text[lo:o].rstrip().endswith(":"):
                return False, None
        window = text[max(lo, o - 300):o]
        base = o - len(window)
        m = self._before_re.search(window)
        if m:
            return True, self._speaker_before(text, refs, max(lo, base), base + m.start())
        tail = window.rstrip()
        if tail.endswith(":"):
            for r in reversed(refs.between(max(lo, base), o)):
                th = text.rfind("heo ", lo, r.start)
                if th > 0 and text[th - 1] in "Tt" and r.start - th - 4 <= 1 and \
                        (text[r.end:base + len(tail) - 1].strip() == "" or self._gap_ok(text[r.end:base + len(tail) - 1], r.person)):
                    return True, r
        return False, None

    def _indirect(self, ctx: Context, refs: _Refs, direct: list[tuple[int, int]]) -> list[Quote]:
        """"ông X cho biết, ..." and "Theo ông X, ..." up to the end of the sentence."""
        text = ctx.text
        out: list[Quote] = []
        for m in self._indirect_re.finditer(text):
            lo, hi = self._sentence_bounds(ctx, m.start())
            ref = self._speaker_before(text, refs, max(lo, m.start() - 300), m.start())
            if ref is None:
                continue
            q = self._clause(ctx, m.end(), hi, direct)
            if q:
                out.append(self._quote(ctx, q[0], q[1], "indirect", ref))
        for m in self._theo_re.finditer(text):
            starts = refs.between(m.end(), m.end() + 1)
            if not starts:
                continue
            ref = max(starts, key=lambda r: (r.person, r.end))
            lo, hi = self._sentence_bounds(ctx, m.start())
            comma = self._after_apposition(text, ref.end, hi)
            if comma is None:
                continue
            q = self._clause(ctx, comma, hi, direct)
            if q:
                out.append(self._quote(ctx, q[0], q[1], "indirect", ref))
        return out

    def _after_apposition(self, text: str, end: int, hi: int) -> int | None:
        """Where the reported clause starts after "Theo ông X[, Giám đốc Sở Y]," or
        "Theo Tổng cục Y (TCTK)," or None."""
        paren = _PAREN.match(text, end)
        if paren and paren.end() < hi:
            end = paren.end()
        if text.startswith(", ", end):
            t = self._office_re.match(text, end + 2) or self._title_re.match(text, end + 2)
            nxt = text.find(",", end + 2, hi)
            if t and nxt >= 0 and (t.re is self._office_re or len(text[t.end():nxt].split()) <= 3):
                return nxt + 1  # "Theo ông X, Giám đốc Sở Y, ..." (a role word may also start the clause)
        if text.startswith(",", end):
            return end + 1
        return None

    def _clause(self, ctx: Context, a: int, hi: int, direct: list[tuple[int, int]]) -> tuple[int, int] | None:
        """The reported clause from ``a`` to the sentence end, without final punctuation; None
        when it is a direct quote or too short."""
        text = ctx.text
        while a < hi and text[a].isspace():
            a += 1
        b = hi
        while b > a and (text[b - 1] in ".!?…;:, " or text[b - 1].isspace()):
            b -= 1
        if a >= b or text[a] == '"' or any(x <= a < y for x, y in direct):
            return None
        if len(text[a:b].split()) < self._min_words:
            return None
        return a, b
