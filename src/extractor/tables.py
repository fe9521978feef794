"""Extraction outputs as pandas tables: one row per change, quantity, organization, official, quote.

    >>> from extractor.tables import tables
    >>> t = tables("out/")            # a folder of JSON, a .json, or a .jsonl(.gz) stream
    >>> t["changes"].groupby("comparison_kind").amount.describe()

Every table starts with ``doc_id`` and ``source`` (``meta.source``: the input file for .txt
inputs), so rows join back to their document and to the ``documents`` table. Offsets index the
article text exactly (SPEC.md). Columns have fixed names and nullable dtypes, so an empty table
and a table built in batches (``write_tables`` streams) have the same schema.
"""
from __future__ import annotations

import gzip
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson

__all__ = ["TABLES", "COLUMNS", "iter_documents", "rows", "frames", "tables", "write_tables"]

# column name → kind (str, int, float, bool); the order is the table's column order
_DOC = {"doc_id": "str", "source": "str"}
_PERIOD = lambda p: {f"{p}": "str", f"{p}_year": "int", f"{p}_month": "int", f"{p}_quarter": "int",  # noqa: E731
                     f"{p}_months": "int", f"{p}_day": "int"}

COLUMNS: dict[str, dict[str, str]] = {
    "documents": {**_DOC, "title": "str", "published": "str", "url": "str", "text_sha256": "str",
                  "sentences": "int", "quantities": "int", "comparisons": "int", "indicators": "int",
                  "changes": "int", "organizations": "int", "officials": "int", "quotes": "int", "warnings": "int"},
    "changes": {**_DOC, "indicator": "int", "indicator_name": "str", "parent": "int", **_PERIOD("period"),
                "estimated": "bool", "value": "float", "value_unit": "str", "value_text": "str",
                "change": "int", "direction": "str", "amount": "float", "amount_low": "float",
                "amount_high": "float", "qualifier": "str", "unit": "str", "amount_kind": "str",
                "amount_text": "str", "comparison_kind": "str", "comparison_text": "str",
                **_PERIOD("comparison_period"), "sentence": "int", "start": "int", "end": "int",
                "name_start": "int", "name_end": "int", "amount_start": "int", "amount_end": "int",
                "comparison_start": "int", "comparison_end": "int"},
    "indicators": {**_DOC, "indicator": "int", "name": "str", "parent": "int", **_PERIOD("period"),
                   "estimated": "bool", "value": "float", "value_unit": "str", "value_kind": "str",
                   "value_text": "str", "changes": "int", "share": "float", "share_of": "str",
                   "plan_ratio": "float", "sentence": "int", "start": "int", "end": "int"},
    "quantities": {**_DOC, "quantity": "int", "text": "str", "number": "float", "unit": "str", "kind": "str",
                   "qualifier": "str", "low": "float", "high": "float", "sentence": "int", "start": "int",
                   "end": "int"},
    "organizations": {**_DOC, "name": "str", "canonical": "str", "kind": "str", "abbreviation": "str",
                      "mentions": "int", "sentence": "int", "start": "int", "end": "int"},
    "officials": {**_DOC, "name": "str", "honorific": "str", "title": "str", "organization": "str",
                  "mentions": "int", "sentence": "int", "start": "int", "end": "int"},
    "quotes": {**_DOC, "quote": "int", "kind": "str", "speaker": "str", "text": "str", "sentence": "int",
               "start": "int", "end": "int"},
}
TABLES = ("changes", "quantities", "organizations", "officials", "quotes", "indicators", "documents")

_PANDAS = {"str": "string", "int": "Int64", "float": "Float64", "bool": "boolean"}


def _files(path: Path) -> Iterator[Path]:
    if path.is_dir():
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for f in sorted(files):
                if f.endswith(".json") and not f.startswith("."):
                    yield Path(root) / f
    else:
        yield path


def iter_documents(paths: str | Path | Iterable[str | Path]) -> Iterator[dict[str, Any]]:
    """Output documents as dicts, streamed: folders of JSON (sorted), .json files, .jsonl(.gz) streams."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    for p in map(Path, paths):
        for f in _files(p):
            name = f.name.lower()
            if name.endswith((".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")):
                opener = gzip.open if name.endswith(".gz") else open
                with opener(f, "rb") as fh:
                    for n, line in enumerate(fh, 1):
                        if line.strip():
                            try:
                                yield orjson.loads(line)
                            except orjson.JSONDecodeError as exc:
                                raise ValueError(f"{f}:{n}: not a JSON line: {exc}") from None
            else:
                try:
                    yield orjson.loads(f.read_bytes())
                except orjson.JSONDecodeError as exc:
                    raise ValueError(f"{f}: not JSON: {exc}") from None


def _period(prefix: str, p: dict | None) -> dict[str, Any]:
    p = p or {}
    return {prefix: p.get("text"), f"{prefix}_year": p.get("year"), f"{prefix}_month": p.get("month"),
            f"{prefix}_quarter": p.get("quarter"), f"{prefix}_months": p.get("months"), f"{prefix}_day": p.get("day")}


def _first(mentions: list[dict]) -> dict[str, Any]:
    m = mentions[0] if mentions else {}
    return {"mentions": len(mentions), "sentence": m.get("sentence"), "start": m.get("start"), "end": m.get("end")}


def rows(doc: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The rows one document contributes to every table."""
    meta = doc.get("meta") or {}
    key = {"doc_id": doc.get("doc_id"), "source": meta.get("source")}
    out: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}
    n_changes = 0
    for i, ind in enumerate(doc.get("indicators") or []):
        value = ind.get("value") or {}
        share = ind.get("share") or {}
        changes = ind.get("changes") or []
        n_changes += len(changes)
        base = {**key, "indicator": i}
        out["indicators"].append({
            **base, "name": ind.get("name"), "parent": ind.get("parent"), **_period("period", ind.get("period")),
            "estimated": ind.get("estimated"), "value": value.get("number"), "value_unit": value.get("unit"),
            "value_kind": value.get("kind"), "value_text": value.get("text"), "changes": len(changes),
            "share": (share.get("amount") or {}).get("number"), "share_of": share.get("of"),
            "plan_ratio": (ind.get("plan_ratio") or {}).get("number"), "sentence": ind.get("sentence"),
            "start": ind.get("start"), "end": ind.get("end")})
        for j, ch in enumerate(changes):
            amount = ch.get("amount") or {}
            comp = ch.get("comparison") or {}
            out["changes"].append({
                **base, "indicator_name": ind.get("name"), "parent": ind.get("parent"),
                **_period("period", ch.get("period") or ind.get("period")),
                "estimated": ind.get("estimated"), "value": value.get("number"), "value_unit": value.get("unit"),
                "value_text": value.get("text"), "change": j, "direction": ch.get("direction"),
                "amount": amount.get("number"), "amount_low": amount.get("low"), "amount_high": amount.get("high"),
                "qualifier": amount.get("qualifier"), "unit": amount.get("unit"), "amount_kind": amount.get("kind"),
                "amount_text": amount.get("text"), "comparison_kind": comp.get("kind"),
                "comparison_text": comp.get("text"), **_period("comparison_period", comp.get("period")),
                "sentence": ind.get("sentence"), "start": ind.get("start"), "end": ind.get("end"),
                "name_start": ind.get("name_start"), "name_end": ind.get("name_end"),
                "amount_start": amount.get("start"), "amount_end": amount.get("end"),
                "comparison_start": comp.get("start"), "comparison_end": comp.get("end")})
    for i, q in enumerate(doc.get("quantities") or []):
        out["quantities"].append({**key, "quantity": i, **{k: q.get(k) for k in (
            "text", "number", "unit", "kind", "qualifier", "low", "high", "sentence", "start", "end")}})
    for o in doc.get("organizations") or []:
        out["organizations"].append({**key, **{k: o.get(k) for k in ("name", "canonical", "kind", "abbreviation")},
                                     **_first(o.get("mentions") or [])})
    for o in doc.get("officials") or []:
        out["officials"].append({**key, **{k: o.get(k) for k in ("name", "honorific", "title", "organization")},
                                 **_first(o.get("mentions") or [])})
    for i, q in enumerate(doc.get("quotes") or []):
        out["quotes"].append({**key, "quote": i, **{k: q.get(k) for k in (
            "kind", "speaker", "text", "sentence", "start", "end")}})
    out["documents"].append({
        **key, "title": meta.get("title"), "published": meta.get("published"), "url": meta.get("url"),
        "text_sha256": doc.get("text_sha256"), "changes": n_changes,
        **{k: len(doc.get(k) or []) for k in ("sentences", "quantities", "comparisons", "indicators",
                                              "organizations", "officials", "quotes", "warnings")}})
    return out


def _frame(name: str, records: list[dict[str, Any]]):
    import pandas as pd

    cols = COLUMNS[name]
    data = {c: [r.get(c) for r in records] for c in cols}
    return pd.DataFrame({c: pd.array(v, dtype=_PANDAS[cols[c]]) for c, v in data.items()}, columns=list(cols))


def frames(docs: Iterable[dict[str, Any]], names: Iterable[str] = TABLES, batch: int = 1000) -> Iterator[dict[str, Any]]:
    """DataFrames for every ``batch`` documents (streaming; the columns never change)."""
    names = list(names)
    acc: dict[str, list] = {n: [] for n in names}
    count = 0
    for doc in docs:
        r = rows(doc)
        for n in names:
            acc[n].extend(r[n])
        count += 1
        if count >= batch:
            yield {n: _frame(n, acc[n]) for n in names}
            acc, count = {n: [] for n in names}, 0
    if count:
        yield {n: _frame(n, acc[n]) for n in names}


def tables(paths: str | Path | Iterable[str | Path], names: Iterable[str] = TABLES) -> dict[str, Any]:
    """Every table of the outputs at ``paths`` as one pandas DataFrame each."""
    import pandas as pd

    names = list(names)
    parts: dict[str, list] = {n: [] for n in names}
    for fr in frames(iter_documents(paths), names):
        for n in names:
            parts[n].append(fr[n])
    return {n: (pd.concat(parts[n], ignore_index=True) if parts[n] else _frame(n, [])) for n in names}


def _arrow_schema(name: str):
    import pyarrow as pa

    kinds = {"str": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_()}
    return pa.schema([(c, kinds[k]) for c, k in COLUMNS[name].items()])


def write_tables(paths: str | Path | Iterable[str | Path], out: str | Path, fmt: str = "parquet",
                 names: Iterable[str] = TABLES, batch: int = 1000) -> dict[str, tuple[Path, int]]:
    """Write each table to ``out/<name>.parquet`` (or ``.csv``), streaming; returns (path, rows) per table.

    Files are written under a temporary name and renamed when complete.
    """
    names = list(names)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    final = {n: out / f"{n}.{fmt}" for n in names}
    tmp = {n: out / f".{n}.{fmt}.tmp" for n in names}
    counts = {n: 0 for n in names}
    writers: dict[str, Any] = {}
    try:
        if fmt == "parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            for n in names:
                writers[n] = pq.ParquetWriter(tmp[n], _arrow_schema(n))
            for fr in frames(iter_documents(paths), names, batch):
                for n in names:
                    if len(fr[n]):
                        writers[n].write_table(pa.Table.from_pandas(fr[n], schema=_arrow_schema(n), preserve_index=False))
                        counts[n] += len(fr[n])
            for n in names:
                writers.pop(n).close()
        elif fmt == "csv":
            for n in names:
                _frame(n, []).to_csv(tmp[n], index=False)
            for fr in frames(iter_documents(paths), names, batch):
                for n in names:
                    if len(fr[n]):
                        fr[n].to_csv(tmp[n], mode="a", header=False, index=False)
                        counts[n] += len(fr[n])
        else:
            raise ValueError(f"format must be parquet or csv, not {fmt!r}")
        for n in names:
            os.replace(tmp[n], final[n])
    finally:
        for w in writers.values():
            w.close()
        for n in names:
            tmp[n].unlink(missing_ok=True)
    return {n: (final[n], counts[n]) for n in names}
