"""Reviewing extractions: a semantic diff of outputs and an HTML view of an article.

``vnextract diff OLD NEW`` compares outputs by content, not position: offsets shift and lists
reorder when a rule changes, but a reviewer wants "this change added 3 changes and lost 1 official".
``vnextract show`` renders an article with every extracted span highlighted (spaCy's displaCy span
renderer) beside a table of its indicators and changes, as one self-contained HTML page.
"""
from __future__ import annotations

import html
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

__all__ = ["facts_of", "diff_docs", "diff_paths", "render_html", "register"]


def _num(x: Any) -> str:
    if isinstance(x, float) and x.is_integer():
        x = int(x)
    return f"{x:,}".replace(",", " ") if isinstance(x, int) else str(x)


def _pkey(p: Any) -> str:
    if not isinstance(p, dict):
        return "-"
    if p.get("year") is None:
        return p.get("text") or "-"
    if p.get("month") is None and p.get("quarter") is not None:
        return f"{p['year']}-Q{p['quarter']}"
    if p.get("month") is None:
        return str(p["year"])
    return f"{p['year']}-{int(p['month']):02d}" + (f"-{int(p['day']):02d}" if p.get("day") else "")


def _q(q: Any) -> str:
    if not isinstance(q, dict):
        return "-"
    qual = f"{q['qualifier']} " if q.get("qualifier") and q["qualifier"] != "range" else ""
    if q.get("qualifier") == "range":
        return f"{_num(q.get('low'))}–{_num(q.get('high'))} {q.get('unit')}"
    return f"{qual}{_num(q.get('number'))} {q.get('unit')}"


def facts_of(doc: dict) -> dict[str, Counter]:
    """Each kind of fact of one output as a multiset of readable, position-free lines."""
    out: dict[str, Counter] = {k: Counter() for k in
                               ("changes", "values", "shares", "plan_ratios", "quantities", "organizations",
                                "officials", "quotes")}
    for ind in doc.get("indicators") or []:
        head = f"{ind.get('name')} [{_pkey(ind.get('period'))}]" + (" (est.)" if ind.get("estimated") else "")
        for ch in ind.get("changes") or []:
            cmp_ = ch.get("comparison")
            base = f"vs {cmp_['kind']} {_pkey(cmp_.get('period'))}" if cmp_ else "no base"
            of = f" of {_pkey(ch.get('period'))}" if ch.get("period") else ""
            out["changes"][f"{head}: {ch.get('direction')} {_q(ch.get('amount'))} {base}{of}"] += 1
        if ind.get("value"):
            out["values"][f"{head}: {_q(ind['value'])}"] += 1
        if ind.get("share"):
            out["shares"][f"{head}: {_q(ind['share'].get('amount'))} of {ind['share'].get('of')}"] += 1
        if ind.get("plan_ratio"):
            out["plan_ratios"][f"{head}: {_q(ind['plan_ratio'])}"] += 1
    for q in doc.get("quantities") or []:
        out["quantities"][f"{q.get('text')} = {_q(q)} ({q.get('kind')})"] += 1
    for o in doc.get("organizations") or []:
        abbr = f" ({o['abbreviation']})" if o.get("abbreviation") else ""
        out["organizations"][f"{o.get('name')}{abbr} [{o.get('kind')}] ×{len(o.get('mentions') or [])}"] += 1
    for p in doc.get("officials") or []:
        out["officials"][f"{p.get('honorific') or ''} {p.get('name')}, {p.get('title') or '-'}, {p.get('organization') or '-'}".strip()] += 1
    for q in doc.get("quotes") or []:
        t = q.get("text") or ""
        out["quotes"][f"{q.get('speaker') or '?'} ({q.get('kind')}): {t[:70]}{'…' if len(t) > 70 else ''}"] += 1
    return out


@dataclass
class DocDiff:
    doc: str
    added: dict[str, list[str]] = field(default_factory=dict)
    removed: dict[str, list[str]] = field(default_factory=dict)
    status: str = "changed"  # changed | added | removed

    @property
    def empty(self) -> bool:
        return self.status == "changed" and not any(self.added.values()) and not any(self.removed.values())


def diff_docs(name: str, old: dict | None, new: dict | None) -> DocDiff:
    """Facts added and removed between two outputs of one article."""
    a = facts_of(old or {})
    b = facts_of(new or {})
    d = DocDiff(name, status="added" if old is None else "removed" if new is None else "changed")
    for k in a:
        d.added[k] = sorted((b[k] - a[k]).elements())
        d.removed[k] = sorted((a[k] - b[k]).elements())
    return d


def _load(p: Path) -> dict:
    return json.loads(p.read_text(encoding="utf-8"))


def diff_paths(old: Path, new: Path) -> list[DocDiff]:
    """Diff two output files, or two folders of outputs matched by relative path."""
    if old.is_file() and new.is_file():
        return [diff_docs(new.name, _load(old), _load(new))]
    a = {p.relative_to(old).as_posix(): p for p in old.rglob("*.json")} if old.is_dir() else {}
    b = {p.relative_to(new).as_posix(): p for p in new.rglob("*.json")} if new.is_dir() else {}
    return [diff_docs(k, _load(a[k]) if k in a else None, _load(b[k]) if k in b else None)
            for k in sorted(set(a) | set(b))]


def summary(diffs: list[DocDiff]) -> str:
    """One sentence: what the change added and lost, in how many articles."""
    changed = [d for d in diffs if not d.empty]
    add: Counter = Counter()
    rem: Counter = Counter()
    for d in changed:
        for k, v in d.added.items():
            add[k] += len(v)
        for k, v in d.removed.items():
            rem[k] += len(v)
    if not changed:
        return "no differences"
    parts = [f"added {n} {k}" for k, n in add.items() if n] + [f"lost {n} {k}" for k, n in rem.items() if n]
    new_docs = sum(d.status == "added" for d in changed)
    gone = sum(d.status == "removed" for d in changed)
    extra = (f"; {new_docs} new articles" if new_docs else "") + (f"; {gone} articles gone" if gone else "")
    return f"{', '.join(parts) or 'reordered only'} in {len(changed)} article{'s' if len(changed) != 1 else ''}{extra}"


_SINGULAR = {"changes": "change", "values": "value", "shares": "share", "plan_ratios": "plan ratio",
             "quantities": "quantity", "organizations": "organization", "officials": "official", "quotes": "quote"}


def format_diff(diffs: list[DocDiff], fmt: str) -> str:
    """text (default), markdown (for a PR comment) or json."""
    changed = [d for d in diffs if not d.empty]
    if fmt == "json":
        return json.dumps({"summary": summary(diffs), "documents": [
            {"doc": d.doc, "status": d.status, "added": {k: v for k, v in d.added.items() if v},
             "removed": {k: v for k, v in d.removed.items() if v}} for d in changed]}, ensure_ascii=False, indent=2)
    lines = [f"## {summary(diffs)}" if fmt == "markdown" else summary(diffs)]
    for d in changed:
        lines.append("")
        title = f"{d.doc} ({d.status})" if d.status != "changed" else d.doc
        lines.append(f"### {title}" if fmt == "markdown" else title)
        if fmt == "markdown":
            lines.append("```diff")
        for k in d.added:
            label = _SINGULAR.get(k, k)
            lines += [f"- {label}: {x}" for x in d.removed[k]]
            lines += [f"+ {label}: {x}" for x in d.added[k]]
        if fmt == "markdown":
            lines.append("```")
    return "\n".join(lines)


# --- HTML view ------------------------------------------------------------------------------------
COLORS = {
    "QUANTITY": "#ffe08a", "COMPARISON": "#a6e3ff", "INDICATOR": "#b8f2b0", "PERIOD": "#e0c3ff",
    "ORG": "#ffb3b3", "OFFICIAL": "#ffc98a", "QUOTE": "#d9d9d9",
}


def _spans(doc: dict) -> list[tuple[int, int, str]]:
    out: list[tuple[int, int, str]] = []
    out += [(q["start"], q["end"], "QUANTITY") for q in doc.get("quantities") or []]
    out += [(c["start"], c["end"], "COMPARISON") for c in doc.get("comparisons") or []]
    for ind in doc.get("indicators") or []:
        if ind.get("name_start") is not None:
            out.append((ind["name_start"], ind["name_end"], "INDICATOR"))
        if ind.get("period"):
            out.append((ind["period"]["start"], ind["period"]["end"], "PERIOD"))
    for o in doc.get("organizations") or []:
        out += [(m["start"], m["end"], "ORG") for m in o.get("mentions") or []]
    for p in doc.get("officials") or []:
        out += [(m["start"], m["end"], "OFFICIAL") for m in p.get("mentions") or []]
    out += [(q["start"], q["end"], "QUOTE") for q in doc.get("quotes") or []]
    return sorted(set(out))


def _table(doc: dict) -> str:
    rows = []
    for i, ind in enumerate(doc.get("indicators") or []):
        changes = ind.get("changes") or [None]
        for j, ch in enumerate(changes):
            cells = [str(i), html.escape(ind.get("name") or ""), _pkey(ind.get("period")),
                     "yes" if ind.get("estimated") else "", html.escape(_q(ind.get("value")) if ind.get("value") else ""),
                     "" if ch is None else ch["direction"], "" if ch is None else html.escape(_q(ch["amount"])),
                     "" if ch is None or not ch.get("comparison") else ch["comparison"]["kind"],
                     "" if ch is None or not ch.get("comparison") else _pkey(ch["comparison"].get("period")),
                     "" if ind.get("parent") is None else str(ind["parent"])]
            if j:
                cells[:5] = ["", "", "", "", ""]
            rows.append("<tr class=\"change\">" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    head = "".join(f"<th>{h}</th>" for h in ("#", "indicator", "period", "est.", "value", "direction", "amount",
                                              "base", "base period", "parent"))
    return f"<table id=\"indicators\"><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def render_html(text: str, doc: dict, title: str | None = None) -> str:
    """A self-contained page: the article with highlighted spans (displaCy) and the indicator table."""
    from spacy import displacy

    from .normalise import normalise
    from .tokenize import build_doc, tokenize

    nt = normalise(text)
    sdoc = build_doc(nt, tokenize(nt))
    spans = []
    for s, e, label in _spans(doc):
        sp = sdoc.char_span(s, e, label=label, alignment_mode="expand")
        if sp is not None:
            spans.append(sp)
    sdoc.spans["sc"] = spans
    body = displacy.render(sdoc, style="span", options={"spans_key": "sc", "colors": COLORS}, page=False, jupyter=False)
    legend = "".join(f"<span class=\"legend\" style=\"background:{c}\">{k}</span>" for k, c in COLORS.items())
    title = html.escape(title or doc.get("doc_id") or "article")
    return f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: sans-serif; margin: 1.5em; display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 1.5em; }}
h1 {{ grid-column: 1 / 3; font-size: 1.3em; margin: 0; }}
.legend {{ padding: 0.1em 0.4em; margin-right: 0.4em; border-radius: 3px; font-size: 0.8em; }}
table {{ border-collapse: collapse; font-size: 0.85em; }} td, th {{ border: 1px solid #ccc; padding: 0.2em 0.4em; vertical-align: top; }}
</style></head>
<body><h1>{title}</h1>
<section id="article"><p>{legend}</p><div id="spans" data-span-count="{len(spans)}">{body}</div></section>
<section id="table">{_table(doc)}</section>
</body></html>
"""


def render_index(entries: list[tuple[str, str, dict]]) -> str:
    """An index page linking every article's page, with counts."""
    rows = "".join(
        f"<tr><td><a href=\"{html.escape(href)}\">{html.escape(name)}</a></td><td>{len(d.get('indicators') or [])}</td>"
        f"<td>{sum(len(i.get('changes') or []) for i in d.get('indicators') or [])}</td>"
        f"<td>{len(d.get('organizations') or [])}</td><td>{len(d.get('officials') or [])}</td>"
        f"<td>{len(d.get('quotes') or [])}</td></tr>"
        for name, href, d in entries)
    return ("<!DOCTYPE html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>vnextract index</title>"
            "<style>body{font-family:sans-serif} td,th{border:1px solid #ccc;padding:.2em .5em}</style></head><body>"
            "<h1>vnextract</h1><table id=\"index\"><thead><tr><th>article</th><th>indicators</th><th>changes</th>"
            f"<th>organizations</th><th>officials</th><th>quotes</th></tr></thead><tbody>{rows}</tbody></table></body></html>\n")


def register(app: typer.Typer) -> None:
    """Add ``vnextract diff`` and ``vnextract show`` to the CLI."""

    @app.command("diff")
    def diff_cmd(
        old: Annotated[Path, typer.Argument(help="Old output file or folder.")],
        new: Annotated[Path, typer.Argument(help="New output file or folder.")],
        fmt: Annotated[str, typer.Option("--format", help="text, markdown or json.")] = "text",
    ) -> None:
        """Semantic diff of outputs, keyed by content; exit 1 when they differ."""
        if fmt not in ("text", "markdown", "json"):
            print(f"error: --format must be text, markdown or json, not {fmt!r}")
            raise typer.Exit(2)
        for p in (old, new):
            if not p.exists():
                print(f"error: {p}: no such file or folder")
                raise typer.Exit(2)
        diffs = diff_paths(old, new)
        print(format_diff(diffs, fmt))
        if any(not d.empty for d in diffs):
            raise typer.Exit(1)

    @app.command("show")
    def show_cmd(
        path: Annotated[Path, typer.Argument(help="An article .txt, a folder of them, or an output .json with --text.")],
        out: Annotated[Path, typer.Option("--html", help="The HTML file to write (a folder for a folder input).")],
        text: Annotated[Optional[Path], typer.Option("--text", help="The article text of an output .json.")] = None,
    ) -> None:
        """Write an HTML page of an article with every extracted span highlighted and its indicator table."""
        from .cli import atomic_write, plan_inputs
        from .normalise import read_text
        from .pipeline import Extractor

        ex = Extractor()
        if path.is_dir():
            entries = []
            for src, rel, label in plan_inputs([path]):
                t = read_text(src)
                d = ex.extract(t, doc_id=rel.stem, meta={"source": label}).to_dict()
                href = rel.with_suffix(".html").as_posix()
                atomic_write(out / href, render_html(t, d, label).encode("utf-8"))
                entries.append((label, href, d))
            atomic_write(out / "index.html", render_index(entries).encode("utf-8"))
            return
        if path.suffix == ".json":
            if text is None:
                print("error: an output .json needs --text ARTICLE.txt")
                raise typer.Exit(2)
            t, d = read_text(text), _load(path)
        else:
            t = read_text(path)
            d = ex.extract(t, doc_id=path.stem, meta={"source": path.name}).to_dict()
        atomic_write(out, render_html(t, d, path.name).encode("utf-8"))
