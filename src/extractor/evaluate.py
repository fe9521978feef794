"""``vnextract eval``: score outputs against hand-checked fact sheets (format: shared/facts/README.md).

The measures and their matching rules are those of the acceptance scorer (loose on names: a fact's
key phrase must occur in the extracted name without case or diacritics; strict on numbers, units,
directions and comparison kinds), so that the figures agree with it; a test checks that they do.
"""
from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

__all__ = ["Row", "Scores", "score_doc", "score_dir", "score_one", "register"]


def fold(s: Any) -> str:
    """Case-, diacritic- and dash-insensitive form for loose name matching."""
    s = unicodedata.normalize("NFD", str(s or "")).casefold()
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = s.replace("đ", "d").replace("–", "-").replace("—", "-")
    return " ".join(s.split())


def _num_eq(a: Any, b: Any) -> bool:
    try:
        x, y = float(a), float(b)
    except (TypeError, ValueError):
        return False
    return abs(x - y) <= 1e-6 * max(1.0, abs(y))


_UNIT_ALIASES = {"percent": "%", "vnd": "VND", "đồng": "VND", "dong": "VND", "usd": "USD"}


def _unit_eq(a: Any, b: Any) -> bool:
    x, y = str(a or ""), str(b or "")
    return _UNIT_ALIASES.get(x.lower(), x) == _UNIT_ALIASES.get(y.lower(), y)


def period_key(p: Any) -> str | None:
    """"YYYY-MM", "YYYY-Qn" or "YYYY" of a Period dict, as fact sheets write periods."""
    if not isinstance(p, dict) or p.get("year") is None:
        return None
    if p.get("month") is None and p.get("quarter") is not None:
        return f"{int(p['year']):04d}-Q{int(p['quarter'])}"
    if p.get("month") is None:
        return f"{p['year']}"
    return f"{int(p['year']):04d}-{int(p['month']):02d}"


def _has_key(name: Any, keys: list[str]) -> bool:
    n = fold(name)
    return any(fold(k) in n for k in keys)


def _get(obj: Any, *path: str) -> Any:
    for p in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(p)
    return obj


@dataclass
class Row:
    """found/total for recall; matched/extracted for precision (where the measure has one)."""

    found: int = 0
    total: int = 0
    matched: int = 0
    extracted: int = 0
    has_precision: bool = False

    @property
    def recall(self) -> float:
        return self.found / self.total if self.total else 1.0

    @property
    def precision(self) -> float | None:
        if not self.has_precision:
            return None
        return self.matched / self.extracted if self.extracted else 1.0

    @property
    def f1(self) -> float | None:
        if not self.has_precision:
            return None
        d = self.total + self.extracted
        return 2 * self.found / d if d else 1.0


@dataclass
class Scores:
    rows: dict[str, Row] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    docs: int = 0
    missing: int = 0

    def add(self, measure: str, found: int, total: int, matched: int | None = None, extracted: int | None = None) -> None:
        r = self.rows.setdefault(measure, Row())
        r.found += found
        r.total += total
        if extracted is not None:
            r.has_precision = True
            r.matched += matched or 0
            r.extracted += extracted

    def to_dict(self) -> dict[str, Any]:
        return {"docs": self.docs, "missing": self.missing,
                "measures": {m: {"found": r.found, "total": r.total, "recall": round(r.recall, 4),
                                 **({"matched": r.matched, "extracted": r.extracted,
                                     "precision": round(r.precision or 0.0, 4), "f1": round(r.f1 or 0.0, 4)}
                                    if r.has_precision else {})}
                             for m, r in self.rows.items()}}


def _greedy(golds: list, cands: list, ok: Callable[[Any, Any], bool]) -> tuple[int, int]:
    """Match each gold item to the first unused candidate that satisfies ``ok``."""
    used: set[int] = set()
    hits = 0
    for gd in golds:
        for i, c in enumerate(cands):
            if i not in used and ok(gd, c):
                used.add(i)
                hits += 1
                break
    return hits, len(used)


def score_doc(facts: dict, doc: dict, text: str, sc: Scores) -> None:
    """Add one article's figures to ``sc``."""
    changes = [(ind, ch) for ind in doc.get("indicators") or [] for ch in ind.get("changes") or []]
    gold = facts.get("changes", [])

    def loose(gd: dict, c: tuple) -> bool:
        ch = c[1]
        return (ch.get("direction") == gd["direction"] and _num_eq(_get(ch, "amount", "number"), gd["number"])
                and _unit_eq(_get(ch, "amount", "unit"), gd["unit"]))

    def named(gd: dict, c: tuple) -> bool:
        return loose(gd, c) and _has_key(c[0].get("name"), gd["key"])

    def strict(gd: dict, c: tuple) -> bool:
        ch = c[1]
        if not named(gd, c):
            return False
        if gd.get("base") and _get(ch, "comparison", "kind") != gd["base"]:
            return False
        want = gd.get("base_period") or gd.get("base_quarter")
        if want and period_key(_get(ch, "comparison", "period")) != want:
            return False
        return not (gd.get("of_period") and period_key(ch.get("period")) != gd["of_period"])

    for label, ok in (("changes.loose", loose), ("changes.named", named), ("changes.strict", strict)):
        hits, used = _greedy(gold, changes, ok)
        sc.add(label, hits, len(gold), used, len(changes))

    inds = doc.get("indicators") or []

    def value_ok(gd: dict, ind: dict, with_qualifier: bool) -> bool:
        v = ind.get("value") or {}
        if not (_has_key(ind.get("name"), gd["key"]) and _num_eq(v.get("number"), gd["number"])
                and _unit_eq(v.get("unit"), gd["unit"])):
            return False
        if with_qualifier and v.get("qualifier") != gd.get("qualifier"):
            return False
        return not (with_qualifier and gd.get("period") and period_key(ind.get("period")) != gd["period"])

    gv = facts.get("values", [])
    sc.add("values.named", _greedy(gv, inds, lambda gd, i: value_ok(gd, i, False))[0], len(gv))
    sc.add("values.strict", _greedy(gv, inds, lambda gd, i: value_ok(gd, i, True))[0], len(gv))
    gs = facts.get("shares", [])
    sc.add("shares", _greedy(gs, inds, lambda gd, i: _has_key(i.get("name"), gd["key"])
                             and _num_eq(_get(i, "share", "amount", "number"), gd["number"])
                             and fold(gd["of"]) in fold(_get(i, "share", "of")))[0], len(gs))
    gpr = facts.get("plan_ratios", [])
    sc.add("plan_ratios", _greedy(gpr, inds, lambda gd, i: _has_key(i.get("name"), gd["key"])
                                  and _num_eq(_get(i, "plan_ratio", "number"), gd["number"]))[0], len(gpr))
    quants = doc.get("quantities") or []
    gq = facts.get("quantities", [])
    sc.add("quantities", _greedy(gq, quants, lambda gd, q: _num_eq(q.get("number"), gd["number"])
                                 and _unit_eq(q.get("unit"), gd["unit"])
                                 and q.get("qualifier") == gd.get("qualifier"))[0], len(gq))
    _score_people(facts, doc, sc)
    _score_traps_offsets(facts, doc, text, sc)


def _score_people(facts: dict, doc: dict, sc: Scores) -> None:
    orgs = doc.get("organizations") or []
    go = facts.get("organizations", [])
    optional = {fold(n) for n in facts.get("optional_organizations", [])}

    def names(o: dict) -> set[str]:
        return {fold(o.get("name")), fold(o.get("canonical")), fold(o.get("abbreviation"))} - {""}

    def org_ok(gd: dict, o: dict) -> bool:
        return bool(names(o) & {fold(n) for n in gd["names"]})

    hits, _ = _greedy(go, orgs, org_ok)
    good = sum(1 for o in orgs if any(org_ok(gd, o) for gd in go) or names(o) & optional)
    sc.add("organizations", hits, len(go), good, len(orgs))
    for o in orgs:
        if not (any(org_ok(gd, o) for gd in go) or names(o) & optional):
            sc.problems.append(f"{facts['doc']}: organization not in facts: {o.get('name')!r}")
    offs = doc.get("officials") or []
    gp = facts.get("officials", [])
    hits, used = _greedy(gp, offs, lambda gd, p: fold(p.get("name")) == fold(gd["name"]))
    sc.add("officials.name", hits, len(gp), used, len(offs))
    sc.add("officials.role", _greedy(gp, offs, lambda gd, p: fold(p.get("name")) == fold(gd["name"])
                                     and fold(p.get("title")) == fold(gd["title"])
                                     and (not gd.get("organization")
                                          or fold(gd["organization"]).split(" tp.")[0] in fold(p.get("organization"))))[0],
           len(gp))
    quotes = doc.get("quotes") or []
    gqt = facts.get("quotes", [])
    sc.add("quotes", _greedy(gqt, quotes, lambda gd, q: fold(q.get("speaker")) == fold(gd["speaker"])
                             and fold(q.get("text")).startswith(fold(gd["starts_with"])))[0], len(gqt))


def _score_traps_offsets(facts: dict, doc: dict, text: str, sc: Scores) -> None:
    traps = facts.get("traps", [])
    violated = 0
    for trap in traps:
        t = trap["text"]
        spans = []
        i = text.find(t)
        while i >= 0:
            spans.append((i, i + len(t)))
            i = text.find(t, i + 1)
        pool = (doc.get("comparisons") or []) if "so sánh" in t else (doc.get("quantities") or [])
        for s, e in spans:
            for item in pool:
                if isinstance(item.get("start"), int) and item["start"] < e and item.get("end", 0) > s:
                    violated += 1
                    sc.problems.append(f"{facts['doc']}: trap {t!r} hit by {item.get('text')!r}")
    sc.add("traps.avoided", len(traps) - min(violated, len(traps)), len(traps))
    bad = 0
    for key in ("quantities", "comparisons", "indicators", "quotes"):
        for item in doc.get(key) or []:
            s, e, t = item.get("start"), item.get("end"), item.get("text")
            if t is not None and (not isinstance(s, int) or text[s:e] != t):
                bad += 1
    for key in ("organizations", "officials"):
        for item in doc.get(key) or []:
            for m in item.get("mentions") or []:
                if text[m.get("start", 0):m.get("end", 0)] != m.get("text"):
                    bad += 1
    if bad:
        sc.problems.append(f"{facts['doc']}: {bad} spans whose text[start:end] differs from their text")
    sc.add("offsets.exact", 0 if bad else 1, 1)


def _score_pairs(pairs: Iterable[tuple[dict, Path, Path]]) -> Scores:
    sc = Scores()
    for facts, out, txt in pairs:
        sc.docs += 1
        text = txt.read_text(encoding="utf-8")
        try:
            doc = json.loads(out.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            sc.missing += 1
            sc.problems.append(f"{facts['doc']}: no readable output at {out}: {exc}")
            doc = {}
        score_doc(facts, doc, text, sc)
    return sc


def score_one(facts_path: Path, output: Path, text: Path) -> Scores:
    """Score one article's output."""
    return _score_pairs([(json.loads(facts_path.read_text(encoding="utf-8")), output, text)])


def score_dir(facts_dir: Path, output_dir: Path, text_dir: Path) -> Scores:
    """Score every ``*.facts.json`` of a folder; outputs are ``<doc without .txt, / → __>.json``."""
    pairs = []
    for f in sorted(Path(facts_dir).glob("*.facts.json")):
        facts = json.loads(f.read_text(encoding="utf-8"))
        stem = facts["doc"].removesuffix(".txt").replace("/", "__")
        pairs.append((facts, Path(output_dir) / f"{stem}.json", Path(text_dir) / facts["doc"]))
    return _score_pairs(pairs)


def render(sc: Scores) -> str:
    """The scores as a plain-text table (what ``vnextract eval`` prints)."""
    lines = [f"{'measure':<18} {'recall':>14} {'precision':>16} {'F1':>6}"]
    for m, r in sc.rows.items():
        rec = f"{r.found}/{r.total} {r.recall:5.3f}"
        prec = f"{r.matched}/{r.extracted} {r.precision:5.3f}" if r.has_precision else "-"
        f1 = f"{r.f1:.3f}" if r.f1 is not None else "-"
        lines.append(f"{m:<18} {rec:>14} {prec:>16} {f1:>6}")
    lines.append(f"docs={sc.docs} missing={sc.missing}")
    return "\n".join(lines)


def render_markdown(sc: Scores) -> str:
    """The scores as a Markdown table (docs/quality.md)."""
    lines = ["| measure | recall | precision | F1 |", "| --- | --- | --- | --- |"]
    for m, r in sc.rows.items():
        prec = f"{r.matched}/{r.extracted} ({r.precision:.3f})" if r.has_precision else "–"
        f1 = f"{r.f1:.3f}" if r.f1 is not None else "–"
        lines.append(f"| {m} | {r.found}/{r.total} ({r.recall:.3f}) | {prec} | {f1} |")
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    """Add ``vnextract eval`` to the CLI."""

    @app.command("eval")
    def eval_cmd(
        facts: Annotated[Path, typer.Argument(help="A fact sheet, or a folder of them with --dir.")],
        output: Annotated[Path, typer.Argument(help="The output JSON, or the folder of outputs with --dir.")],
        text: Annotated[Path, typer.Argument(help="The article text, or the folder of texts with --dir.")],
        directory: Annotated[bool, typer.Option("--dir", help="Score folders instead of one article.")] = False,
        as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
        markdown: Annotated[bool, typer.Option("--markdown", help="Print a Markdown table.")] = False,
        show: Annotated[bool, typer.Option("--show", help="Print each problem found.")] = False,
        out: Annotated[Optional[Path], typer.Option("--out", help="Also write the JSON figures here.")] = None,
    ) -> None:
        """Score extracted outputs against hand-checked fact sheets: recall, precision, F1 per measure."""
        sc = score_dir(facts, output, text) if directory else score_one(facts, output, text)
        data = json.dumps(sc.to_dict(), ensure_ascii=False, indent=2)
        if out is not None:
            out.write_text(data + "\n", encoding="utf-8")
        print(data if as_json else render_markdown(sc) if markdown else render(sc))
        if show:
            for p in sc.problems:
                print("  -", p)
