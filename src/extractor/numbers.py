"""Numbers with units: Vietnamese numerals, scale words, units, qualifiers, ranges, multipliers.

Reading is a linear scan: numeric runs are found with a possessive pattern that cannot start
inside another run (so "1.1.1.1…" or 100,000 digits cost one pass), then short anchored patterns
read what follows (range, scale, unit) and what precedes (qualifier). A number becomes a quantity
only with a unit or a percent sign, which keeps dates, codes and legal numbers out; the traps in
``rules/quantities.yaml`` hold that line.

Decimal style is decided per document: Vietnamese "34,5" and "1.200" by default, English "3.5"
and "1,200" when the document shows more English-style evidence than Vietnamese.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .context import Context
from .models import Quantity
from .rules import alternation as _alt, load_rules
from .scan import FoldedScan, FoldedSearch, lower_form, lowered_words, words_first
from .spans import SpanSet

__all__ = ["NumberReader", "QuantityMention", "parse_numeral", "decimal_style", "to_number"]

_MAX_RUN = 30  # characters of a numeral run worth reading
_MAX_MULTIPLIER = Decimal(100000)
# a digit first, then the look-behind one character back: the same as "(?<![\w.,/])\d[\d.,]*+",
# also for .match(text, pos), but re can skip to the digit
_RUN = re.compile(r"\d(?<![\w.,/]\d)[\d.,]*+")
_VI = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?")
_EN = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
# decimal_style's evidence, compiled once (it runs on every numeral of every document)
_VI_EVIDENCE = re.compile(r"\d+,\d{1,2}|\d+,\d{4,}|\d{1,3}(?:\.\d{3})+,\d+")
_EN_EVIDENCE = re.compile(r"\d+\.\d{1,2}|\d+\.\d{4,}|\d{1,3}(?:,\d{3})+\.\d+")
_AMBIGUOUS = re.compile(r"\d{1,3}[.,]\d{3}")
_UNIT_TAIL = re.compile(r"[^\W\d_]+\d?")
# "(?:^|(?<=[\s(,;:]))" and "(?:^|(?<=[\s(]))" as the look-behinds words_first puts after a word
_NOT_AFTER_QUAL = r"[^\s(,;:]"
_NOT_AFTER_BLOCKED = r"[^\s(]"


def to_number(d: Decimal) -> int | float:
    """Exact decimal to a JSON number: integral values become ints."""
    if d == d.to_integral_value():
        return int(d)
    return float(d)


def parse_numeral(run: str, style: str) -> Decimal | None:
    """Value of a digit run in the given decimal style, or None when it has no valid shape."""
    pat, thousands, decimal = (_VI, ".", ",") if style == "vi" else (_EN, ",", ".")
    if not pat.fullmatch(run):
        return None
    try:
        return Decimal(run.replace(thousands, "").replace(decimal, "."))
    except InvalidOperation:  # pragma: no cover - shapes above are always valid decimals
        return None


def decimal_style(text: str) -> tuple[str, bool]:
    """'vi' or 'en' for the whole document, and whether both styles were seen (ambiguity)."""
    vi = en = 0
    for m in _RUN.finditer(text):
        run = m.group(0).rstrip(".,")
        if _VI_EVIDENCE.fullmatch(run):
            vi += 1
        elif _EN_EVIDENCE.fullmatch(run):
            en += 1
    return ("en" if en > vi else "vi"), (en > 0 and vi > 0)


@dataclass(frozen=True, slots=True)
class QuantityMention:
    """A quantity with its span in the matching form (what later extractors work on)."""

    nstart: int
    nend: int
    model: Quantity


@dataclass(frozen=True, slots=True)
class _Unit:
    unit: str
    kind: str
    factor: Decimal = Decimal(1)  # "50 điểm cơ bản" is 0.5 percentage points


class NumberReader:
    """Finds quantities in a Context. Build once: all patterns are compiled here."""

    def __init__(self) -> None:
        r = load_rules("quantities.yaml")
        self._scales = {k: Decimal(str(v)) for k, v in r["scales"].items()}
        self._units: dict[str, _Unit] = {}
        for u in r["units"]:
            for f in u["forms"]:
                self._units.setdefault(f.casefold(), _Unit(u["unit"], u["kind"], Decimal(str(u.get("factor", 1)))))
        self._qual: dict[str, str] = {}
        for q, forms in r["qualifiers"].items():
            for f in forms:
                self._qual[f.casefold()] = q
        sc = _alt(list(self._scales))
        un = _alt(list({f for u in r["units"] for f in u["forms"]}))
        per = _alt(r["per_units"])
        # what may follow a numeric run: a scale, a sub-amount ("2 tỷ 500 triệu"), then the unit
        self._after = re.compile(
            rf"(?:\s*(?P<scale>{sc})(?!\w))?"
            rf"(?:\s+(?P<sub>\d{{1,3}}(?:[.,]\d+)?)\s+(?P<subscale>{sc})(?!\w))?"
            rf"\s*(?P<unit>{un})(?!\w)(?:\s?/\s?(?P<per>{per})(?!\w))?",
            re.IGNORECASE,
        )
        self._after_scale_only = re.compile(rf"\s*(?P<scale>{sc})(?!\w)", re.IGNORECASE)
        self._range = re.compile(r"\s*(?:-|đến|tới)\s*(?=\d)", re.IGNORECASE)
        # The three "...$" tests of the characters before a number run once per number. Each is a
        # FoldedSearch: the reference pattern, and a lowered one that opens with its words and
        # checks "(?:^|(?<=[\s(]))" after them as "(?<![^\s(]word)" (same positions), which
        # re answers with a quick skip on the 24 characters instead of a word list per position.
        qual_forms = lowered_words(list(self._qual))
        self._qual_before = FoldedSearch(
            re.compile(rf"(?:^|(?<=[\s(,;:]))(?P<q>{_alt(list(self._qual))})\s+(?P<tu>từ\s+)?$", re.IGNORECASE),
            None if qual_forms is None else words_first(qual_forms, _NOT_AFTER_QUAL) + r"\s+(?:từ\s+)?$")
        # "cao hơn 0,21 điểm": "hơn" after a comparative adjective is a comparison, not a qualifier
        self._comparative = re.compile(rf"(?<!\w)(?:{_alt(r['comparatives'])})\s+$", re.IGNORECASE)
        self._tu_before = FoldedSearch(re.compile(r"(?:^|(?<=[\s(,;:]))từ\s+$", re.IGNORECASE),
                                       r"từ(?<![^\s(,;:]từ)\s+$")
        blocked_forms = lowered_words(r["not_quantity_after"])
        self._blocked_before = FoldedSearch(
            re.compile(rf"(?:^|(?<=[\s(]))(?:{_alt(r['not_quantity_after'])})\s*$", re.IGNORECASE),
            None if blocked_forms is None else words_first(blocked_forms, _NOT_AFTER_BLOCKED) + r"\s*$")
        sp = r["spelled"]
        self._sp_units = {k: v for k, v in sp["units"].items()}
        words = list(self._sp_units) + sp["ten"] + sp["tens"] + sp["hundred"] + sp["zero_link"] + sp["half"] + list(self._scales)
        sw = _alt(words)
        sw_low = sorted({w.lower() for w in words}, key=lambda f: (-len(f), f))
        self._spelled = FoldedScan(
            re.compile(rf"(?<!\w)(?:{sw})(?:\s+(?:{sw}))*+(?!\w)", re.IGNORECASE),
            rf"{words_first(sw_low)}(?:\s+(?:{_alt(sw_low)}))*+(?!\w)")
        self._sp = sp
        self._spelled_unit = re.compile(rf"\s+(?P<unit>{un})(?!\w)(?:\s?/\s?(?P<per>{per})(?!\w))?", re.IGNORECASE)
        mw = r["multipliers"]["words"]
        self._mult_words = {k: Decimal(str(v)) for k, v in mw.items()}
        qual_low = _alt([q.lower() for q in self._qual])
        self._mult = FoldedScan(re.compile(
            rf"(?<!\w)gấp\s+(?:(?P<gq>{_alt(list(self._qual))})\s+)?(?:(?P<w>{_alt(list(mw))})(?!\w)(?:\s+lần)?|(?P<n>\d[\d.,]*+)(?:\s+lần)?)"
            rf"|(?<![\w.,/])(?P<n2>\d[\d.,]*+)\s+lần(?!\w)",
            re.IGNORECASE,
        ), rf"gấp(?<!\wgấp)\s+(?:(?:{qual_low})\s+)?(?:(?:{_alt([w.lower() for w in mw])})(?!\w)(?:\s+lần)?|\d[\d.,]*+(?:\s+lần)?)"
           rf"|\d(?<![\w.,/]\d)[\d.,]*+\s+lần(?!\w)")
        self._half = FoldedScan(re.compile(r"(?<!\w)một nửa(?!\w)", re.IGNORECASE), r"một nửa(?<!\wmột nửa)(?!\w)")

    # --- public ---------------------------------------------------------------------------
    def extract(self, ctx: Context) -> list[QuantityMention]:
        """Every quantity of the article, in document order."""
        text = ctx.text
        style, mixed = decimal_style(text)
        found: list[tuple[int, int, Decimal, str, str, str | None, Decimal | None, Decimal | None]] = []
        self._numeric(ctx, text, style, mixed, found)
        taken = SpanSet()
        for f in found:
            taken.add(f[0], f[1])
        self._multipliers(text, style, found, taken)
        self._spelled_numbers(text, found, taken)
        out = []
        for s, e, num, unit, kind, qual, low, high in sorted(found, key=lambda f: (f[0], f[1])):
            os_, oe, t = ctx.span(s, e)
            out.append(QuantityMention(s, e, Quantity(
                text=t, start=os_, end=oe, sentence=ctx.sentence_of(s), number=to_number(num), unit=unit, kind=kind,
                qualifier=qual, low=to_number(low) if low is not None else None,
                high=to_number(high) if high is not None else None)))
        return out

    # --- numerals in digits -----------------------------------------------------------------
    def _numeric(self, ctx: Context, text: str, style: str, mixed: bool, found: list) -> None:
        skip_until = -1
        ltext = lower_form(text)  # for the FoldedSearch tests of the characters before a number
        for m in _RUN.finditer(text):
            s = m.start()
            if s < skip_until:
                continue
            run = m.group(0)
            core = run.rstrip(".,")
            e = s + len(core)
            if len(core) > _MAX_RUN:
                continue  # no quantity has 30 digits; reading one would cost O(digits²)
            if not self._standalone(text, s, e):
                continue
            val = parse_numeral(core, style)
            if val is None:
                # "3.5%" in a Vietnamese-style document (or "1,5" in an English one): read it in the
                # other style, and say so
                other = "en" if style == "vi" else "vi"
                val = parse_numeral(core, other)
                if val is None:
                    continue
                ctx.warn("mixed_decimal_style", f"{core!r} is written in {other} decimal style in a {style}-style document", s, e)
            before = text[max(0, s - 24):s]
            low_before = ltext[max(0, s - 24):s] if ltext is not None else None
            if self._blocked_before.search(before, low_before):
                continue
            low = high = None
            qual = None
            start = s
            # range: "5-7%", "5 - 7 tỷ USD", "từ 5 đến 7%", "từ 6,5% đến 7%"
            first_unit = self._after.match(text, e)
            rng_at = first_unit.end() if first_unit else e
            scale_first = None
            if not first_unit:
                sm = self._after_scale_only.match(text, e)
                if sm:
                    scale_first = sm
                    rng_at = sm.end()
            rm = self._range.match(text, rng_at)
            tu = self._tu_before.search(before, low_before) if rm else None  # only read with rm
            if rm and (tu or rm.group(0).strip() == "-"):
                m2 = _RUN.match(text, rm.end())
                core2 = m2.group(0).rstrip(".,") if m2 else ""
                val2 = parse_numeral(core2, style) if core2 else None
                if val2 is not None and self._standalone(text, rm.end(), rm.end() + len(core2)):
                    after2 = self._after.match(text, rm.end() + len(core2))
                    if after2 and (first_unit is None or self._unit_of(first_unit) == self._unit_of(after2)):
                        mult = self._multiplier(after2)
                        mult1 = self._multiplier(first_unit) if first_unit else (
                            self._scales[scale_first.group("scale").casefold()] if scale_first else mult)
                        low, high = val * mult1, val2 * mult
                        unit, kind = self._unit_of(after2)
                        if tu:
                            start = s - len(tu.group(0))
                        found.append((start, after2.end(), low, unit, kind, "range", low, high))
                        skip_until = after2.end()
                        continue
            if not first_unit:
                continue
            unit, kind = self._unit_of(first_unit)
            num = val * self._multiplier(first_unit) + self._sub_amount(first_unit, style)
            qb = self._qual_before.search(before, low_before)
            if qb and self._comparative.search(before[:qb.start()]):
                qb = None
            if qb and not qb.group("tu"):
                q = self._qual[qb.group("q").casefold()]
                if not (q == "more_than" and qb.group("q").casefold().startswith("vượt") and kind == "percent"):
                    qual = q
                    start = s - len(qb.group(0))
            if mixed and _AMBIGUOUS.fullmatch(core):
                ctx.warn("ambiguous_number", f"{core!r} reads differently in Vietnamese and English decimal style; read as {style}", s, e)
            found.append((start, first_unit.end(), num, unit, kind, qual, None, None))
            skip_until = first_unit.end()

    def _standalone(self, text: str, s: int, e: int) -> bool:
        """Not part of a code, a name with digits, a date or a time ("Covid-19", "1A", "12/2020", "14h30")."""
        if s >= 2 and text[s - 1] == "-" and text[s - 2].isalpha():
            return False
        if s >= 1 and text[s - 1].isalpha():
            return False
        if e < len(text):
            nxt = text[e]
            if nxt == "/" and e + 1 < len(text) and text[e + 1].isdigit():
                return False
            if nxt == "-" and e + 1 < len(text) and text[e + 1].isalpha():
                return False
            if nxt.isalpha():
                # a unit written against the number ("70.000đ", "100km", "75m2") is fine
                tail = _UNIT_TAIL.match(text[e:e + 12])
                word = tail.group(0).casefold() if tail else ""
                return word in self._units
        return True

    def _unit_of(self, m: re.Match) -> tuple[str, str]:
        u = self._units[m.group("unit").casefold()]
        per = m.group("per")
        if per and u.kind == "money":
            return f"{u.unit}/{per}", "money"
        return u.unit, u.kind

    def _sub_amount(self, m: re.Match, style: str) -> Decimal:
        """The "500 triệu" of "2 tỷ 500 triệu đồng"."""
        if not m.group("sub"):
            return Decimal(0)
        sub = parse_numeral(m.group("sub"), style) or Decimal(0)
        return sub * self._scales[m.group("subscale").casefold()]

    def _multiplier(self, m: re.Match) -> Decimal:
        mult = self._units[m.group("unit").casefold()].factor
        if m.group("scale"):
            mult = self._scales[m.group("scale").casefold()]
        return mult

    # --- multipliers: "gấp đôi", "gấp 2,5 lần", "tăng 66 lần" ---------------------------------
    def _multipliers(self, text: str, style: str, found: list, taken: SpanSet) -> None:
        for m in self._mult.finditer(text):
            if m.group("w"):
                val = self._mult_words[m.group("w").casefold()]
            else:
                raw = (m.group("n") or m.group("n2")).rstrip(".,")
                val = parse_numeral(raw, style) if len(raw) <= _MAX_RUN else None
                if val is None or val <= 0 or val > _MAX_MULTIPLIER:
                    continue
            s, e = m.start(), m.end()
            if m.group("n2") and not self._standalone(text, m.start("n2"), m.start("n2") + len(m.group("n2").rstrip(".,"))):
                continue
            if taken.overlaps(s, e):
                continue
            qual = self._qual[m.group("gq").casefold()] if m.group("gq") else None
            if m.group("n2"):
                ltext = lower_form(text)
                qb = self._qual_before.search(text[max(0, s - 24):s], ltext[max(0, s - 24):s] if ltext is not None else None)
            else:
                qb = None
            if qb and not qb.group("tu"):
                qual = self._qual[qb.group("q").casefold()]
                s -= len(qb.group(0))
            found.append((s, e, val, "lần", "ratio", qual, None, None))
            taken.add(s, e)

    # --- spelled numbers: "hai trăm năm mươi triệu đồng", "mười lăm phần trăm" ----------------
    def _spelled_numbers(self, text: str, found: list, taken: SpanSet) -> None:
        for m in self._half.finditer(text):
            if not taken.overlaps(m.start(), m.end()):
                found.append((m.start(), m.end(), Decimal(50), "%", "percent", None, None, None))
                taken.add(m.start(), m.end())
        for m in self._spelled.finditer(text):
            words = m.group(0).split()
            um = self._spelled_unit.match(text, m.end())
            if not um:
                continue
            unit, kind = self._unit_of_spelled(um)
            if kind not in ("percent", "money") and not any(w.casefold() in self._scales or w.casefold() in ("nghìn", "ngàn") for w in words):
                continue
            val = self._spelled_value([w.casefold() for w in words])
            if val is None:
                continue
            s, e = m.start(), um.end()
            if taken.overlaps(s, e):
                continue
            found.append((s, e, val, unit, kind, None, None, None))
            taken.add(s, e)

    def _unit_of_spelled(self, um: re.Match) -> tuple[str, str]:
        u = self._units[um.group("unit").casefold()]
        if um.group("per") and u.kind == "money":
            return f"{u.unit}/{um.group('per')}", "money"
        return u.unit, u.kind

    def _spelled_value(self, words: list[str]) -> Decimal | None:
        """Value of a run of Vietnamese number words, or None when it is not a numeral."""
        sp = self._sp
        total = Decimal(0)   # completed groups above the current scale
        group = Decimal(0)   # value below a thousand being read
        cur = Decimal(-1)    # last digit read, -1 when none
        seen_digit = False
        last_scale = Decimal(0)
        i = 0
        while i < len(words):
            w = words[i]
            # "nghìn tỷ": join two scale words
            if i + 1 < len(words) and f"{w} {words[i + 1]}" in self._scales:
                w = f"{w} {words[i + 1]}"
                i += 1
            if w in self._sp_units:
                if cur >= 0:
                    group += cur
                cur = Decimal(self._sp_units[w])
                seen_digit = True
            elif w in sp["ten"]:
                if cur >= 0:
                    group += cur
                group += 10
                cur = Decimal(-1)
                seen_digit = True
            elif w in sp["tens"]:
                if cur < 0:
                    return None
                group += cur * 10
                cur = Decimal(-1)
            elif w in sp["hundred"]:
                if cur < 0:
                    cur = Decimal(1)
                group = group + cur * 100
                cur = Decimal(-1)
            elif w in sp["zero_link"]:
                pass
            elif w in sp["half"]:
                # "ba triệu rưỡi" = 3.5 million; "trăm rưỡi" = 150
                if cur >= 0:
                    group += cur
                    cur = Decimal(-1)
                if last_scale:
                    total += last_scale / 2
                else:
                    group += Decimal("0.5")
            elif w in self._scales:
                if cur >= 0:
                    group += cur
                    cur = Decimal(-1)
                scale = self._scales[w]
                if group == 0 and total == 0:
                    group = Decimal(1)
                if last_scale and scale > last_scale:
                    total = (total + group) * scale
                else:
                    total += group * scale
                group = Decimal(0)
                last_scale = scale
            else:
                return None
            i += 1
        if not seen_digit:
            return None
        if cur >= 0:
            group += cur
        return total + group
