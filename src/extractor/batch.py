"""Batch processing of news archives: many inputs in, one JSON per document or one JSON Lines out.

The main process reads every input as a stream of records (in input order), decides for each one
whether it is bad (→ ``errors.jsonl``), already done (resume) or to extract, and sends the ones to
extract in chunks to an *engine*: in-process (``jobs=1``), a process pool with one
:class:`~extractor.pipeline.Extractor` per worker (``engine="local"``), or Dask
(``engine="dask"``). Results come back in input order and only the main process writes, so every
engine writes exactly the same bytes.

Resume and crash safety:

* ``--out DIR``: every output is written to a temporary file and renamed. ``DIR/.vnextract-state.sqlite``
  records, per output path, the sha256 of the text, a key of (doc_id, meta, text) and the pipeline
  version (rules and code); a re-run skips documents whose record matches and whose file exists.
  The record is committed only after the file is renamed, so after ``kill -9`` a re-run redoes
  at most the documents of the chunk that was being written.
* ``--jsonl FILE``: the stream is appended in input order; ``FILE.state.json`` holds the pipeline
  version. A re-run walks the existing complete lines alongside the inputs, keeps those whose
  doc_id, meta and text hash match, drops a torn last line and everything after the first mismatch.

Memory stays flat: inputs are read lazily, at most a few chunks are in flight, and the state of a
run (done outputs, collision checks) lives in SQLite on disk, not in Python sets.
"""
from __future__ import annotations

import csv
import datetime as _dt
import decimal
import gzip
import hashlib
import io
import logging
import os
import sqlite3
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Callable

import orjson

from .normalise import DecodeError, decode_bytes
from .pipeline import Extractor, safe_doc_id

__all__ = [
    "FieldMap", "BatchOptions", "BatchResult", "BatchError", "Item", "read_inputs", "count_inputs",
    "run_batch", "pipeline_version", "default_jobs", "STATE_NAME", "ERRORS_NAME",
]

STATE_NAME = ".vnextract-state.sqlite"
ERRORS_NAME = "errors.jsonl"
FORMATS = ("txt", "jsonl", "csv", "parquet")
_MAX_ITEMS_PER_CHUNK = 1000  # chunks of skipped/failed records stay bounded too

log = logging.getLogger(__name__)


class BatchError(RuntimeError):
    """The batch cannot go on (another run holds the output, a worker runs other code, ...)."""


# --- options and results ------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldMap:
    """Names of the record fields read from JSON Lines, CSV and Parquet inputs."""

    id: str = "id"
    text: str = "text"
    title: str = "title"
    published: str = "published"
    url: str = "url"


@dataclass
class BatchOptions:
    globs: tuple[str, ...] = ("*.txt",)
    input_format: str = "auto"          # auto (by extension) | txt | jsonl | csv | parquet
    fields: FieldMap = field(default_factory=FieldMap)
    max_chars: int | None = 1_000_000   # None or 0: no limit
    jobs: int | None = None             # None: every core
    chunk_size: int = 8
    engine: str = "local"               # local | dask
    scheduler: str | None = None        # dask scheduler address; None: a LocalCluster
    force: bool = False                 # redo everything, ignore the resume state
    clean: bool = False                 # --out only: remove .json files this run did not produce
    errors_path: Path | None = None     # default: DIR/errors.jsonl or FILE's <stem>.errors.jsonl


@dataclass
class BatchResult:
    read: int = 0
    written: int = 0
    skipped: int = 0
    failed: int = 0
    errors_path: Path | None = None
    elapsed: float = 0.0

    @property
    def done(self) -> int:
        return self.written + self.skipped + self.failed

    def summary(self) -> str:
        s = (f"read {self.read}, written {self.written}, skipped {self.skipped}, failed {self.failed} "
             f"in {_fmt_duration(self.elapsed)}")
        if self.failed and self.errors_path is not None:
            s += f"; errors in {self.errors_path}"
        return s


def default_jobs() -> int:
    """Every core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _code_files() -> list[Path]:
    here = Path(__file__).resolve().parent
    skip = {"cli.py", "batch.py", "tables.py", "review.py", "evaluate.py", "__main__.py"}
    return sorted(p for p in here.glob("*.py") if p.name not in skip)


_VERSION: str | None = None


def _compute_version() -> str:
    from . import __version__
    from .rules import rules_version

    rules = getattr(rules_version, "__wrapped__", rules_version)()  # the files as they are now
    h = hashlib.sha256()
    for p in _code_files():
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return f"{__version__}+rules.{rules}.code.{h.hexdigest()[:12]}"


def pipeline_version() -> str:
    """Rules version plus a hash of the extraction code (computed once per process).

    Outputs record it (in the resume state): a re-run redoes what another version made.
    """
    global _VERSION
    if _VERSION is None:
        _VERSION = _compute_version()
    return _VERSION


# --- reading inputs -----------------------------------------------------------------------------


@dataclass(slots=True)
class Item:
    """One input record: either a text to extract (doc_id, meta, output path) or a failure."""

    loc: dict[str, Any]
    text: str | None = None
    doc_id: str | None = None
    meta: dict[str, Any] | None = None
    rel: str | None = None          # output path below --out (POSIX)
    reason: str | None = None       # set when the record is bad
    message: str | None = None
    extra: dict[str, Any] | None = None

    def fail(self, reason: str, message: str, **extra: Any) -> "Item":
        self.reason, self.message, self.extra = reason, message, (extra or None)
        self.text = None
        return self


def printable(s: str) -> str:
    """A path or name as UTF-8 text: bytes that were not UTF-8 in a file name (held by Python as
    lone surrogates) are shown as ``\\xNN`` instead of breaking JSON, SQLite or the terminal."""
    return s.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace") if any(
        "\udc80" <= c <= "\udcff" for c in s) else s


def _printable_data(v: Any) -> Any:
    if isinstance(v, str):
        return printable(v)
    if isinstance(v, dict):
        return {k: _printable_data(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_printable_data(x) for x in v]
    return v


def loc_str(loc: dict[str, Any]) -> str:
    """``file:line`` or ``file (record N)`` for messages."""
    s = printable(str(loc.get("file", "?")))
    if "line" in loc:
        s += f":{loc['line']}"
    if "record" in loc and "line" not in loc:
        s += f" (record {loc['record']})"
    return s


def _format_of(path: Path, forced: str) -> tuple[str, bool]:
    """(format, gzip) of a file: by extension unless forced; unknown extensions read as text."""
    name = path.name.lower()
    gz = name.endswith(".gz")
    if gz:
        name = name[:-3]
    if forced != "auto":
        return forced, gz
    if name.endswith((".jsonl", ".ndjson")):
        return "jsonl", gz
    if name.endswith(".csv"):
        return "csv", gz
    if name.endswith((".parquet", ".pq")):
        return "parquet", gz
    return "txt", gz


def _stem(path: Path) -> str:
    name = path.name
    if name.lower().endswith(".gz"):
        name = name[:-3]
    return Path(name).stem


def _walk(root: Path, globs: tuple[str, ...], skip: frozenset[Path] | None = None,
          top: Path | None = None) -> Iterator[Path]:
    """Files below ``root`` matching one of ``globs`` (relative to ``root``), in sorted path order, streamed.

    The order is that of ``sorted(root.rglob(...))``; folders are listed one at a time, so a tree
    of millions of files is never held in memory. ``skip`` (this run's own outputs) is passed over.
    """
    top = top or root
    skip = skip or frozenset()
    skip_names = {p.name for p in skip}
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError as exc:
        log.warning("cannot list %s: %s", root, exc)
        return
    for e in entries:
        p = Path(e.path)
        try:
            if e.name in skip_names and p.resolve() in skip:
                continue
            if e.is_dir(follow_symlinks=False):
                yield from _walk(p, globs, skip, top)
            elif e.is_file():
                if e.name.startswith(".tmp-") or (e.name.startswith(".") and e.name.endswith(".tmp")):
                    continue
                rel = PurePosixPath(p.relative_to(top).as_posix())
                if any(rel.match(g) for g in globs):
                    yield p
        except OSError:
            continue


def _open_binary(path: Path, gz: bool):
    return gzip.open(path, "rb") if gz else open(path, "rb")


def _jsonable(v: Any) -> Any:
    """Meta values as JSON: dates as ISO text, decimals as numbers, bytes as text."""
    if v is None or isinstance(v, (str, bool, int, float)):
        return v
    if isinstance(v, (_dt.datetime, _dt.date, _dt.time)):
        return v.isoformat()
    if isinstance(v, decimal.Decimal):
        return float(v)
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    return str(v)


def _as_str(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, str):
        return v or None
    v = _jsonable(v)
    return v if isinstance(v, str) else orjson.dumps(v).decode() if isinstance(v, (list, dict)) else str(v)


def _has_surrogates(s: str) -> int:
    """Index of the first escaped undecodable byte (CSV read with surrogateescape), or -1."""
    for i, c in enumerate(s):
        if "\udc80" <= c <= "\udcff":
            return i
    return -1


class _Reader:
    """Turns the inputs into :class:`Item` records, lazily and in input order."""

    def __init__(self, opts: BatchOptions, skip: frozenset[Path] | None = None) -> None:
        self.opts = opts
        self.f = opts.fields
        self.skip = skip
        self._reserved = {self.f.id, self.f.text, self.f.title, self.f.published, self.f.url,
                          "title", "published", "url"}

    # the text checks every record goes through
    def _check(self, item: Item) -> Item:
        text = item.text
        if text is None:
            return item
        if not text.strip():
            return item.fail("empty_text", "the text is empty")
        mx = self.opts.max_chars
        if mx and len(text) > mx:
            return item.fail("too_long", f"the text has {len(text)} characters, more than --max-chars {mx}",
                             chars=len(text))
        return item

    def items(self, inputs: Iterable[str | Path]) -> Iterator[Item]:
        for arg in inputs:
            if str(arg) == "-":
                yield from self._stdin()
                continue
            p = Path(arg)
            if not p.exists():
                yield Item(loc={"file": str(arg)}).fail("not_found", "no such file or folder")
            elif p.is_dir():
                for f in _walk(p, self.opts.globs, self.skip):
                    rel = f.relative_to(p)
                    yield from self._file(f, [safe_doc_id(x) for x in rel.parent.parts], rel.as_posix())
            else:
                yield from self._file(p, [], p.name)

    def _stdin(self) -> Iterator[Item]:
        fmt = self.opts.input_format
        if fmt in ("auto", "txt"):
            item = Item(loc={"file": "<stdin>"}, doc_id="stdin", rel="stdin.json", meta={})
            try:
                item.text = decode_bytes(sys.stdin.buffer.read(), "<stdin>")
            except DecodeError as exc:
                item.fail("decode_error", f"cannot decode byte at offset {exc.offset}: {exc.reason}", offset=exc.offset)
            yield self._check(item)
        elif fmt == "jsonl":
            yield from self._jsonl_lines(sys.stdin.buffer, "<stdin>", None, "stdin")
        elif fmt == "csv":
            stream = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig", errors="surrogateescape", newline="")
            yield from self._csv_rows(stream, "<stdin>", None, "stdin")
        else:
            yield Item(loc={"file": "<stdin>"}).fail("bad_input", f"stdin cannot be read as {fmt}")

    def _file(self, path: Path, parents: list[str], label: str) -> Iterator[Item]:
        fmt, gz = _format_of(path, self.opts.input_format)
        container = parents + [safe_doc_id(_stem(path))]
        if fmt == "txt":
            yield self._txt(path, parents, label, gz)
        elif fmt == "jsonl":
            try:
                fh = _open_binary(path, gz)
            except OSError as exc:
                yield Item(loc={"file": str(path)}).fail("read_error", exc.strerror or str(exc))
                return
            with fh:
                yield from self._jsonl_lines(fh, str(path), container, safe_doc_id(_stem(path)))
        elif fmt == "csv":
            try:
                raw = _open_binary(path, gz)
            except OSError as exc:
                yield Item(loc={"file": str(path)}).fail("read_error", exc.strerror or str(exc))
                return
            with io.TextIOWrapper(raw, encoding="utf-8-sig", errors="surrogateescape", newline="") as fh:
                yield from self._csv_rows(fh, str(path), container, safe_doc_id(_stem(path)))
        elif fmt == "parquet":
            yield from self._parquet(path, container, safe_doc_id(_stem(path)))
        else:  # pragma: no cover - guarded by the CLI
            yield Item(loc={"file": str(path)}).fail("bad_input", f"unknown input format {fmt}")

    def _txt(self, path: Path, parents: list[str], label: str, gz: bool) -> Item:
        stem = safe_doc_id(_stem(path))
        item = Item(loc={"file": str(path)}, doc_id=stem, meta={"source": printable(label)},
                    rel="/".join([*parents, stem + ".json"]))
        mx = self.opts.max_chars
        try:
            if mx and not gz and path.stat().st_size > 4 * mx + 4:  # surely too long: do not read it
                return item.fail("too_long", f"the file has {path.stat().st_size} bytes, more than --max-chars {mx} "
                                 "characters can take", bytes=path.stat().st_size)
            with _open_binary(path, gz) as fh:
                data = fh.read()
        except (OSError, EOFError) as exc:
            return item.fail("read_error", getattr(exc, "strerror", None) or str(exc))
        try:
            item.text = decode_bytes(data, str(path))
        except DecodeError as exc:
            return item.fail("decode_error", f"cannot decode byte at offset {exc.offset}: {exc.reason}",
                             offset=exc.offset)
        return self._check(item)

    def _record(self, rec: Any, loc: dict[str, Any], container: list[str] | None, default_id: str) -> Item:
        item = Item(loc=loc)
        if not isinstance(rec, dict):
            return item.fail("bad_record", f"a record must be an object, not {type(rec).__name__}")
        f = self.f
        raw_id = rec.get(f.id)
        if raw_id is None or (isinstance(raw_id, str) and not raw_id.strip()):
            raw_id = default_id
        elif isinstance(raw_id, float) and raw_id.is_integer():
            raw_id = int(raw_id)
        item.doc_id = safe_doc_id(str(_jsonable(raw_id)))
        item.rel = "/".join([*(container or []), item.doc_id + ".json"])
        if item.doc_id != str(raw_id):
            item.loc = {**loc, "id": str(_jsonable(raw_id))}
        text = rec.get(f.text)
        if text is None or (isinstance(text, float) and text != text):  # missing, null, NaN
            return item.fail("missing_text", f"the record has no {f.text!r} field")
        if isinstance(text, bytes):
            try:
                text = decode_bytes(text, loc_str(loc))
            except DecodeError as exc:
                return item.fail("decode_error", f"cannot decode byte at offset {exc.offset} of {f.text!r}: {exc.reason}",
                                 offset=exc.offset)
        if not isinstance(text, str):
            return item.fail("bad_record", f"the {f.text!r} field is not text but {type(text).__name__}")
        meta: dict[str, Any] = {}
        for key, name in (("title", f.title), ("published", f.published), ("url", f.url)):
            v = _as_str(rec.get(name))
            if v is not None:
                meta[key] = v
        for k, v in rec.items():
            if k not in self._reserved:
                meta[str(k)] = _jsonable(v)
        item.text, item.meta = text, meta
        return self._check(item)

    def _jsonl_lines(self, fh, source: str, container: list[str] | None, stem: str) -> Iterator[Item]:
        n = 0
        try:
            for n, raw in enumerate(fh, 1):
                if not raw.strip():
                    continue
                loc = {"file": source, "line": n}
                try:
                    line = decode_bytes(raw, source)
                except DecodeError as exc:
                    yield Item(loc=loc).fail("decode_error", f"cannot decode byte at offset {exc.offset} of the line: "
                                             f"{exc.reason}", offset=exc.offset)
                    continue
                try:
                    rec = orjson.loads(line)
                except orjson.JSONDecodeError as exc:
                    yield Item(loc=loc).fail("malformed_json", f"not a JSON line: {exc}")
                    continue
                yield self._record(rec, loc, container, f"{stem}-{n}")
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            yield Item(loc={"file": source, "line": n + 1}).fail("read_error", f"cannot read on: {exc}")

    def _csv_rows(self, fh, source: str, container: list[str] | None, stem: str) -> Iterator[Item]:
        csv.field_size_limit(2**31 - 1)
        try:
            reader = csv.DictReader(fh)
            header = reader.fieldnames
            if header is None:
                return
            if self.f.text not in header:
                yield Item(loc={"file": source, "line": 1}).fail(
                    "missing_text", f"the CSV header has no {self.f.text!r} column")
                return
            line = reader.line_num + 1
            for n, row in enumerate(reader, 1):
                loc = {"file": source, "line": line, "record": n}
                line = reader.line_num + 1
                if None in row:  # more cells than the header
                    row.pop(None)
                bad = next(((k, i) for k, v in row.items() if isinstance(v, str) and (i := _has_surrogates(v)) >= 0), None)
                if bad is not None:
                    k, i = bad
                    off = len(row[k][:i].encode("utf-8", "surrogateescape"))
                    yield Item(loc=loc).fail("decode_error", f"cannot decode byte at offset {off} of column {k!r}: "
                                             "not valid UTF-8", offset=off, column=k)
                    continue
                rec = {k: (None if v == "" and k != self.f.text else v) for k, v in row.items()}
                yield self._record(rec, loc, container, f"{stem}-{n}")
        except (OSError, EOFError, csv.Error, gzip.BadGzipFile) as exc:
            yield Item(loc={"file": source}).fail("read_error", f"cannot read on: {exc}")

    def _parquet(self, path: Path, container: list[str], stem: str) -> Iterator[Item]:
        try:
            import pyarrow.parquet as pq

            pf = pq.ParquetFile(path)
            if self.f.text not in pf.schema_arrow.names:
                yield Item(loc={"file": str(path)}).fail("missing_text", f"the Parquet file has no {self.f.text!r} column")
                return
            n = 0
            for batch in pf.iter_batches(batch_size=256):
                for rec in batch.to_pylist():
                    n += 1
                    yield self._record(rec, {"file": str(path), "record": n}, container, f"{stem}-{n}")
        except ImportError:
            yield Item(loc={"file": str(path)}).fail("read_error", "reading Parquet needs pyarrow")
        except Exception as exc:  # pyarrow raises its own exception types
            yield Item(loc={"file": str(path)}).fail("read_error", f"cannot read Parquet: {exc}")


def read_inputs(inputs: Iterable[str | Path], options: BatchOptions | None = None) -> Iterator[Item]:
    """Every record of ``inputs`` (files, folders, ``-``) as :class:`Item`, lazily, in input order."""
    return _Reader(options or BatchOptions()).items(inputs)


def count_inputs(inputs: Iterable[str | Path], options: BatchOptions | None = None,
                 stop: threading.Event | None = None, skip: frozenset[Path] | None = None) -> int | None:
    """The number of records :func:`read_inputs` will yield (cheaper: texts are not decoded)."""
    opts = options or BatchOptions()
    n = 0
    for arg in inputs:
        if stop is not None and stop.is_set():
            return None
        if str(arg) == "-":
            return None
        p = Path(arg)
        files: Iterable[Path] = _walk(p, opts.globs, skip) if p.is_dir() else [p]
        for f in files:
            if stop is not None and stop.is_set():
                return None
            fmt, gz = _format_of(f, opts.input_format)
            try:
                if fmt == "txt" or not f.exists():
                    n += 1
                elif fmt == "parquet":
                    import pyarrow.parquet as pq

                    n += pq.ParquetFile(f).metadata.num_rows
                elif fmt == "jsonl":
                    with _open_binary(f, gz) as fh:
                        n += sum(1 for line in fh if line.strip())
                elif fmt == "csv":
                    with io.TextIOWrapper(_open_binary(f, gz), encoding="utf-8", errors="replace", newline="") as fh:
                        n += max(0, sum(1 for _ in csv.reader(fh)) - 1)
            except Exception:
                n += 1
    return n


# --- extraction engines -------------------------------------------------------------------------

_WORKER_EX: Extractor | None = None
_LOCAL = threading.local()


def _serialise(doc: Any, fmt: str) -> bytes:
    from .output import to_bytes, to_dict

    if fmt == "jsonl":
        return orjson.dumps(to_dict(doc)) + b"\n"
    return to_bytes(doc)


def _extract_with(ex: Extractor, payload: tuple[str, list[tuple[str, str, dict]]]) -> tuple[str, list]:
    fmt, items = payload
    out: list[tuple[bool, Any]] = []
    for text, doc_id, meta in items:
        try:
            out.append((True, _serialise(ex.extract(text, doc_id=doc_id, meta=meta), fmt)))
        except Exception as exc:  # one bad document never stops the chunk
            out.append((False, f"{type(exc).__name__}: {exc}"))
    return pipeline_version(), out


def _init_worker(close_fds: tuple[int, ...] = (), parent: int | None = None) -> None:
    """Process-pool initializer: one Extractor per worker, and no hold on the parent's files.

    A forked worker shares the parent's open files; it closes the locked output so that a lock
    dies with the parent, and it exits when the parent is gone (``kill -9`` of the main process
    leaves no orphan extracting for nobody).
    """
    global _WORKER_EX
    for fd in close_fds:
        try:
            os.close(fd)
        except OSError:
            pass
    if parent is not None:
        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(0.5)
            os._exit(1)

        threading.Thread(target=watch, name="vnextract-parent-watch", daemon=True).start()
    if _WORKER_EX is None:  # inherited through fork when the caller gave an Extractor
        _WORKER_EX = Extractor()


def _extract_chunk(payload: tuple[str, list[tuple[str, str, dict]]]) -> tuple[str, list]:
    """Process-pool task: one Extractor per worker process, built by the initializer."""
    global _WORKER_EX
    if _WORKER_EX is None:
        _WORKER_EX = Extractor()
    return _extract_with(_WORKER_EX, payload)


def _extract_chunk_dask(payload: tuple[str, list[tuple[str, str, dict]]]) -> tuple[str, list]:
    """Dask task: one Extractor per worker thread (workers may run several threads)."""
    ex = getattr(_LOCAL, "ex", None)
    if ex is None:
        ex = _LOCAL.ex = Extractor()
    return _extract_with(ex, payload)


class _Done:
    """A finished future for the in-process engine."""

    def __init__(self, value: Any = None, exc: BaseException | None = None) -> None:
        self._v, self._e = value, exc

    def done(self) -> bool:
        return True

    def result(self) -> Any:
        if self._e is not None:
            raise self._e
        return self._v


class _SerialEngine:
    slots = 1

    def __init__(self, extractor: Extractor | None) -> None:
        self.ex = extractor

    def submit(self, payload):
        if self.ex is None:
            self.ex = Extractor()
        try:
            return _Done(_extract_with(self.ex, payload))
        except Exception as exc:
            return _Done(exc=exc)

    def close(self, cancel: bool = False) -> None:
        pass


class _PoolEngine:
    def __init__(self, jobs: int, extractor: Extractor | None, close_fds: tuple[int, ...] = ()) -> None:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        global _WORKER_EX
        if extractor is not None and mp.get_start_method(allow_none=True) in (None, "fork"):
            _WORKER_EX = extractor  # forked workers inherit it instead of loading the rules again
        self.jobs = self.slots = jobs
        args = (tuple(close_fds), os.getpid())
        self._factory = lambda: ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=args)
        self.pool = self._factory()

    def submit(self, payload):
        from concurrent.futures.process import BrokenProcessPool

        try:
            return self.pool.submit(_extract_chunk, payload)
        except BrokenProcessPool:  # a worker died (OOM killer...): start a fresh pool
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = self._factory()
            return self.pool.submit(_extract_chunk, payload)

    def close(self, cancel: bool = False) -> None:
        self.pool.shutdown(wait=True, cancel_futures=cancel)


class _DaskEngine:
    def __init__(self, jobs: int, scheduler: str | None, client: Any = None) -> None:
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise BatchError("--engine dask needs dask[distributed]: pip install 'vnextract[dask]'") from exc
        self.cluster = None
        self._own = client is None
        if client is not None:
            self.client = client
        elif scheduler:
            self.client = Client(scheduler)
        else:
            self.cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                                        dashboard_address=None, silence_logs=logging.ERROR)
            self.client = Client(self.cluster)
        try:
            threads = sum(self.client.nthreads().values())
        except Exception:
            threads = 0
        self.slots = max(1, threads or jobs)
        self._prefix = f"vnextract-{uuid.uuid4().hex[:8]}"
        self._n = 0

    def submit(self, payload):
        self._n += 1
        return self.client.submit(_extract_chunk_dask, payload, pure=False, key=f"{self._prefix}-{self._n}")

    def close(self, cancel: bool = False) -> None:
        if self._own:
            self.client.close()
            if self.cluster is not None:
                self.cluster.close()


# --- output sinks -------------------------------------------------------------------------------


def _atomic_write(path: Path, data: bytes) -> None:
    """Write through ``.<name>.tmp`` beside ``path`` and rename: a crash never leaves half a file.

    The temporary name is fixed per output so that a run killed between write and rename leaves
    nothing that the re-run (which redoes that output) does not replace.
    """
    tmp = path.with_name(f".{path.name}.tmp")
    if os.path.lexists(tmp):
        os.unlink(tmp)  # left by a killed run, or planted: never write through it
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(tmp, flags, 0o644)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, flags, 0o644)
    fh = os.fdopen(fd, "wb")
    try:
        with fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _key(doc_id: str, meta: dict, sha: str) -> str:
    return hashlib.sha256(orjson.dumps([doc_id, meta, sha], option=orjson.OPT_SORT_KEYS)).hexdigest()


class _DirSink:
    """One JSON per document below ``out``, with the resume state in SQLite."""

    fmt = "json"

    def __init__(self, out: Path, version: str, force: bool) -> None:
        self.out = out
        self.version = version
        self.force = force
        out.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(out / STATE_NAME, isolation_level=None, timeout=0.5)
        try:
            self.db.execute("PRAGMA locking_mode=EXCLUSIVE")
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("CREATE TABLE IF NOT EXISTS docs (path TEXT PRIMARY KEY, text_sha256 TEXT NOT NULL, "
                            "key TEXT NOT NULL, version TEXT NOT NULL) WITHOUT ROWID")
            self.db.execute("BEGIN EXCLUSIVE")  # held until close: one run per folder at a time
        except sqlite3.OperationalError as exc:
            self.db.close()
            raise BatchError(f"{out}: the resume state is in use or damaged ({exc}); is another vnextract "
                             "writing there?") from None
        self.db.execute("CREATE TEMP TABLE seen (path TEXT PRIMARY KEY, loc TEXT NOT NULL, ok INTEGER NOT NULL DEFAULT 0) "
                        "WITHOUT ROWID")
        self.db.execute("COMMIT")
        self.db.execute("BEGIN")

    def prepare(self, item: Item, sha: str) -> tuple[str, str | None]:
        rel = item.rel or ""
        try:
            self.db.execute("INSERT INTO seen (path, loc) VALUES (?, ?)", (rel, loc_str(item.loc)))
        except sqlite3.IntegrityError:
            (first,) = self.db.execute("SELECT loc FROM seen WHERE path = ?", (rel,)).fetchone()
            return "collision", f"output {rel} (doc_id {item.doc_id}) collides with {first}; not written"
        item.extra = {"key": _key(item.doc_id or "", item.meta or {}, sha), "sha": sha}
        if not self.force:
            row = self.db.execute("SELECT key, version FROM docs WHERE path = ?", (rel,)).fetchone()
            if row == (item.extra["key"], self.version) and (self.out / rel).is_file():
                self.db.execute("UPDATE seen SET ok = 1 WHERE path = ?", (rel,))
                return "skip", None
        return "extract", None

    def write(self, item: Item, data: bytes) -> None:
        rel = item.rel or ""
        target = self.out / rel
        root = self.out.resolve()
        parent = target.parent.resolve()
        if parent != root and root not in parent.parents:  # (a symlink at the target is replaced, not followed)
            raise OSError(f"{rel} would be written outside {self.out} (through a symbolic link); not written")
        _atomic_write(target, data)
        extra = item.extra or {}
        self.db.execute("INSERT OR REPLACE INTO docs VALUES (?, ?, ?, ?)", (rel, extra["sha"], extra["key"], self.version))
        self.db.execute("UPDATE seen SET ok = 1 WHERE path = ?", (rel,))

    def commit(self) -> None:
        self.db.execute("COMMIT")
        self.db.execute("BEGIN")

    def finish(self, clean: bool) -> None:
        if clean:
            for f in sorted(self.out.rglob("*.json")):
                rel = f.relative_to(self.out).as_posix()
                if not self.db.execute("SELECT 1 FROM seen WHERE path = ? AND ok = 1", (rel,)).fetchone():
                    f.unlink()
                    self.db.execute("DELETE FROM docs WHERE path = ?", (rel,))
        self.close()

    def close(self) -> None:
        try:
            if self.db.in_transaction:
                self.db.execute("COMMIT")
        finally:
            self.db.close()


def _jsonl_errors_path(path: Path) -> Path:
    name = path.name
    base = name[: -len(".jsonl")] if name.endswith(".jsonl") else name
    return path.with_name(base + ".errors.jsonl")


class _JsonlSink:
    """One JSON Lines stream in input order, resumable by walking its complete lines."""

    fmt = "jsonl"

    def __init__(self, path: Path, version: str, force: bool) -> None:
        self.path = path
        self.state = path.with_name(path.name + ".state.json")
        self.version = version
        path.parent.mkdir(parents=True, exist_ok=True)
        existed = path.exists()
        self.fh = open(path, "a+b")  # O_APPEND: every write lands at the (possibly truncated) end
        self.locked_fds = (self.fh.fileno(),)
        try:
            import fcntl

            try:
                fcntl.flock(self.fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                self.fh.close()
                raise BatchError(f"{path}: another vnextract is writing it") from None
        except ImportError:  # pragma: no cover - Windows
            pass
        state_ok = False
        if not force and existed and self.state.exists():
            try:
                state_ok = orjson.loads(self.state.read_bytes()).get("version") == version
            except (orjson.JSONDecodeError, OSError, AttributeError):
                state_ok = False
        self.pos = 0
        self._next: bytes | None = None
        if state_ok:
            self.reader: Any = open(path, "rb")
            self.cursor = True
        else:
            self.fh.truncate(0)  # truncate first, then record the version
            _atomic_write(self.state, orjson.dumps({"version": version}) + b"\n")
            self.reader = None
            self.cursor = False

    def _peek(self) -> bytes | None:
        if self._next is None:
            line = self.reader.readline()
            if not line.endswith(b"\n"):  # end of file, or a line torn by a crash
                return None
            self._next = line
        return self._next

    def _stop(self) -> None:
        """Drop everything after the lines kept so far and append from there."""
        if self.cursor:
            self.cursor = False
            self.reader.close()
            self.fh.truncate(self.pos)

    def prepare(self, item: Item, sha: str) -> tuple[str, str | None]:
        if not self.cursor:
            return "extract", None
        line = self._peek()
        if line is None:
            self._stop()
            return "extract", None
        try:
            d = orjson.loads(line)
            same = (d.get("doc_id") == safe_doc_id(item.doc_id or "") and d.get("text_sha256") == sha
                    and d.get("meta") == _expected_meta(item.meta))
        except (orjson.JSONDecodeError, AttributeError, TypeError, ValueError):
            same = False
        if same:
            self.pos += len(line)
            self._next = None
            return "skip", None
        return "extract_sync", None

    def write(self, item: Item, data: bytes) -> None:
        self._stop()
        self.fh.write(data)

    def commit(self) -> None:
        self.fh.flush()

    def finish(self, clean: bool) -> None:
        self._stop()
        self.close()

    def close(self) -> None:
        if self.cursor:
            self.reader.close()
        self.fh.close()


class _StdoutSink:
    fmt = "jsonl"

    def prepare(self, item: Item, sha: str) -> tuple[str, str | None]:
        return "extract", None

    def write(self, item: Item, data: bytes) -> None:
        sys.stdout.buffer.write(data)

    def commit(self) -> None:
        sys.stdout.buffer.flush()

    def finish(self, clean: bool) -> None:
        self.commit()

    def close(self) -> None:
        pass


def _expected_meta(meta: dict | None) -> dict:
    from .models import Meta
    from .output import _clean

    return _clean(Meta(**(meta or {})).model_dump(mode="python"))


class _ErrorLog:
    """errors.jsonl of this run (rewritten by every run: a resumed run reports every failure again)."""

    def __init__(self, path: Path | None, echo: Callable[[str], None] | None) -> None:
        self.path = path
        self.echo = echo
        self.fh = None
        if path is not None:
            path.unlink(missing_ok=True)

    def add(self, item: Item, reason: str, message: str, extra: dict | None = None) -> None:
        rec: dict[str, Any] = {"reason": reason, "message": message, **item.loc}
        if item.doc_id and "doc_id" not in rec and reason not in ("not_found", "read_error"):
            rec["doc_id"] = item.doc_id
        if item.rel and reason == "collision":
            rec["output"] = item.rel
        for k, v in (extra or {}).items():
            rec.setdefault(k, v)
        if self.path is not None:
            if self.fh is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.fh = open(self.path, "wb")
            self.fh.write(orjson.dumps(_printable_data(rec)) + b"\n")
        if self.echo is not None:
            self.echo(f"error: {loc_str(item.loc)}: {message}")

    def flush(self) -> None:
        if self.fh is not None:
            self.fh.flush()

    def close(self) -> None:
        if self.fh is not None:
            self.fh.close()
            self.fh = None


# --- progress -----------------------------------------------------------------------------------


def _fmt_duration(s: float | None) -> str:
    if s is None:
        return "?"
    if s < 10:
        return f"{s:.1f}s"
    h, rem = divmod(int(round(s)), 3600)
    m, sec = divmod(rem, 60)
    return f"{h}h{m:02d}m{sec:02d}s" if h else f"{m}m{sec:02d}s" if m else f"{sec}s"


class Reporter:
    """Progress display interface (the default shows nothing)."""

    def start(self) -> None: ...

    def set_total(self, total: int | None) -> None: ...

    def update(self, res: BatchResult) -> None: ...

    def close(self, res: BatchResult) -> None: ...


class PlainReporter(Reporter):
    """One line every ``interval`` seconds, for logs (stderr is not a terminal)."""

    def __init__(self, interval: float = 10.0, stream: Any = None) -> None:
        self.interval = interval
        self.stream = stream
        self.total: int | None = None
        self.t0 = self.last = time.monotonic()

    def start(self) -> None:
        self.t0 = self.last = time.monotonic()

    def set_total(self, total: int | None) -> None:
        self.total = total

    def update(self, res: BatchResult) -> None:
        now = time.monotonic()
        if now - self.last < self.interval:
            return
        self.last = now
        done = res.done
        el = max(now - self.t0, 1e-9)
        rate = done / el
        eta = (self.total - done) / rate if self.total is not None and rate > 0 else None
        total = self.total if self.total is not None else "?"
        print(f"vnextract: {done}/{total} docs, {rate:.1f} docs/s, ETA {_fmt_duration(eta)} "
              f"(written {res.written}, skipped {res.skipped}, failed {res.failed})",
              file=self.stream or sys.stderr, flush=True)


class RichReporter(Reporter):
    """A progress bar with docs/s and ETA, for a terminal."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn,
                                   TimeRemainingColumn)
        from rich.text import Text

        class _Rate(ProgressColumn):
            def render(self, task) -> Text:  # type: ignore[no-untyped-def]
                speed = task.finished_speed or task.speed
                return Text(f"{speed:,.1f} docs/s" if speed else "- docs/s", style="progress.data.speed")

        self.progress = Progress(BarColumn(bar_width=24), MofNCompleteColumn(), _Rate(), TextColumn("ETA"),
                                 TimeRemainingColumn(), TextColumn("{task.fields[counts]}"),
                                 console=Console(stderr=True), speed_estimate_period=60)
        self.task = self.progress.add_task("extract", total=None, counts="")

    def start(self) -> None:
        self.progress.start()

    def set_total(self, total: int | None) -> None:
        self.progress.update(self.task, total=total)

    def update(self, res: BatchResult) -> None:
        self.progress.update(self.task, completed=res.done,
                             counts=f"skipped {res.skipped} · failed {res.failed}")

    def close(self, res: BatchResult) -> None:
        self.update(res)
        self.progress.stop()


# --- the batch ----------------------------------------------------------------------------------


@dataclass
class _Chunk:
    items: list[tuple[Item, str, str | None]] = field(default_factory=list)  # (item, action, message)
    todo: list[int] = field(default_factory=list)                             # indices to extract
    future: Any = None


def run_batch(inputs: Iterable[str | Path], *, out_dir: str | Path | None = None,
              jsonl: str | Path | None = None, options: BatchOptions | None = None,
              reporter: Reporter | None = None, echo: Callable[[str], None] | None = None,
              extractor: Extractor | None = None, dask_client: Any = None) -> BatchResult:
    """Extract every record of ``inputs`` into ``out_dir`` (one JSON each) or ``jsonl`` (``"-"``: stdout).

    ``echo`` receives one line per failure (the CLI prints them on stderr); ``reporter`` shows
    progress; ``extractor`` is used in-process when ``jobs == 1`` (and inherited by forked workers);
    ``dask_client`` runs the engine on an existing :class:`dask.distributed.Client`.
    """
    opts = options or BatchOptions()
    if (out_dir is None) == (jsonl is None):
        raise ValueError("give exactly one of out_dir and jsonl")
    t0 = time.monotonic()
    version = pipeline_version()
    res = BatchResult()
    rep = reporter or Reporter()
    inputs = list(inputs)

    own: list[Path] = []
    sink: Any
    if out_dir is not None:
        out = Path(out_dir)
        sink = _DirSink(out, version, opts.force)
        own.append(out)
        err_path = opts.errors_path or out / ERRORS_NAME
    elif str(jsonl) == "-":
        sink = _StdoutSink()
        err_path = opts.errors_path
    else:
        jp = Path(jsonl)  # type: ignore[arg-type]
        if jp.name.endswith(".gz"):
            raise ValueError("--jsonl writes plain JSON Lines (resumable); compress the file afterwards")
        sink = _JsonlSink(jp, version, opts.force)
        err_path = opts.errors_path or _jsonl_errors_path(jp)
        own += [jp, jp.with_name(jp.name + ".state.json")]
    if err_path is not None:
        own.append(err_path)
    skip = frozenset(p.resolve() for p in own)  # never read this run's own outputs as inputs
    errors = _ErrorLog(err_path, echo)
    res.errors_path = err_path

    jobs = opts.jobs or default_jobs()
    engine: Any = None
    stop = threading.Event()

    def get_engine():
        nonlocal engine
        if engine is None:
            if opts.engine == "dask" or dask_client is not None:
                engine = _DaskEngine(jobs, opts.scheduler, dask_client)
            elif jobs <= 1:
                engine = _SerialEngine(extractor)
            else:
                engine = _PoolEngine(jobs, extractor, getattr(sink, "locked_fds", ()))
        return engine

    if type(rep) is not Reporter and "-" not in [str(i) for i in inputs]:
        def count() -> None:
            try:
                total = count_inputs(inputs, opts, stop, skip)
            except Exception:
                total = None
            if total is not None and not stop.is_set():
                rep.set_total(total)
        threading.Thread(target=count, name="vnextract-count", daemon=True).start()

    pending: deque[_Chunk] = deque()
    in_flight = 0

    def emit(chunk: _Chunk) -> None:
        nonlocal in_flight
        results: list | None = None
        if chunk.future is not None:
            in_flight -= 1
            try:
                wver, results = chunk.future.result()
            except Exception as exc:  # the worker died; its documents fail, the batch goes on
                results = [(False, f"worker failed: {type(exc).__name__}: {exc}")] * len(chunk.todo)
                wver = version
            if wver != version:
                raise BatchError(f"a worker runs vnextract {wver}, this process {version}: install the same "
                                 "vnextract and rules on every worker")
        by_index = dict(zip(chunk.todo, results or []))
        for i, (item, action, msg) in enumerate(chunk.items):
            if action == "skip":
                res.skipped += 1
            elif action == "extract":
                ok, value = by_index[i]
                if ok:
                    try:
                        sink.write(item, value)
                    except OSError as exc:  # this output cannot be written (name too long, ...)
                        errors.add(item, "write_error", f"cannot write {item.rel or 'the output'}: "
                                   f"{exc.strerror or exc}")
                        res.failed += 1
                        continue
                    res.written += 1
                else:
                    errors.add(item, "extract_error", value)
                    res.failed += 1
            else:  # a failure found while reading
                errors.add(item, action, msg or "", item.extra if action != "collision" else None)
                res.failed += 1
        sink.commit()
        errors.flush()
        rep.update(res)

    def dispatch(chunk: _Chunk) -> None:
        nonlocal in_flight
        if chunk.todo:
            payload = (sink.fmt, [(chunk.items[i][0].text, chunk.items[i][0].doc_id, chunk.items[i][0].meta)
                                  for i in chunk.todo])
            for i in chunk.todo:
                chunk.items[i][0].text = None  # the worker has it now; keep memory flat
            chunk.future = get_engine().submit(payload)
            in_flight += 1
        pending.append(chunk)

    def drain(block_until: int) -> None:
        """Emit finished chunks in order; wait while more than ``block_until`` are in flight."""
        while pending:
            head = pending[0]
            if head.future is None or head.future.done() or in_flight > block_until:
                pending.popleft()
                emit(head)
            else:
                break

    rep.start()
    completed = False
    try:
        chunk = _Chunk()
        for item in _Reader(opts, skip).items(inputs):
            res.read += 1
            if item.reason is not None:
                chunk.items.append((item, item.reason, item.message))
            else:
                text = item.text or ""
                sha = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
                action, msg = sink.prepare(item, sha)
                if action == "extract_sync":
                    # resuming a JSON Lines stream: this record breaks the kept prefix; extract it alone
                    dispatch(chunk)
                    drain(-1)
                    chunk = _Chunk(items=[(item, "extract", None)], todo=[0])
                    dispatch(chunk)
                    drain(-1)
                    chunk = _Chunk()
                    continue
                chunk.items.append((item, action, msg))
                if action == "extract":
                    chunk.todo.append(len(chunk.items) - 1)
            if len(chunk.todo) >= opts.chunk_size or len(chunk.items) >= _MAX_ITEMS_PER_CHUNK:
                dispatch(chunk)
                chunk = _Chunk()
                window = 3 * (engine.slots if engine is not None else 1)
                drain(window)
            elif pending:
                drain(10**9)
        dispatch(chunk)
        drain(-1)
        completed = True
    finally:
        stop.set()
        if engine is not None:
            engine.close(cancel=not completed)
        errors.close()
        if completed:
            sink.finish(opts.clean)
        else:
            sink.close()
        res.elapsed = time.monotonic() - t0
        rep.close(res)
    if not res.failed:
        res.errors_path = None
    return res
