#!/usr/bin/env python
"""vnextract benchmark (issue 8): the pipeline against underthesea's ``word_tokenize``.

One command, from the repository root::

    .venv/bin/python benchmarks/run.py            # tables on the terminal (about 3 minutes)
    .venv/bin/python benchmarks/run.py --json     # the same figures as JSON on stdout
    .venv/bin/python benchmarks/run.py --profile  # cProfile of the full pipeline over the corpus

Texts: every ``*.txt`` under ``corpus/`` plus ``../shared/corpus/real/**/*.txt`` when present
(``--corpus PATH`` replaces both). Sections (``--only`` picks some):

``throughput``  the full pipeline ``Extractor().extract(text)`` and underthesea ``word_tokenize``
                alone on the same texts, in this process, after warm-up; medians of ``--runs``
                passes, each timing both document by document (alternating which goes first,
                so that a drifting machine slows both alike); docs/s, chars/s and their ratio.
``stages``      one instrumented pass: every stage ``Extractor.extract`` calls is wrapped with a
                timer (exclusive time, so nested stages are not counted twice), including the
                steps of the word segmentation (extractor.segment), plus ``doc.to_json()`` and
                the lazily built spaCy Doc.
``length``      CPU time per character of texts joined into articles of 20,000, 100,000 and
                400,000 characters, against the same texts one by one: a pass that is quadratic
                in the length of an article shows as a ratio growing with the size.
``cold``        a fresh ``python -c`` per run: import, ``Extractor()``, first document.
``rss``         peak RSS of the single-process CLI ``vnextract extract DIRS --out TMP``
                (``os.wait4`` of that one child, started by a small launcher process).
``batch``       ``Extractor.pipe(records, n_process=1)`` vs ``n_process=2`` on 200+ documents.
``profile``     (only with ``--profile``) cProfile of one pipeline pass; top functions.

Figures are benchmark figures, not tests: the process does not fail when a target is missed.
"""
from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import platform
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPORA = [ROOT / "corpus", ROOT.parent / "shared" / "corpus" / "real"]
SECTIONS = ("throughput", "stages", "length", "cold", "rss", "batch")

TARGETS = {
    "pipeline_vs_word_tokenize": ("full pipeline time / word_tokenize time", "<=", 1.3),
    "cold_start_s": ("cold start to first document (s)", "<=", 1.5),
    "cli_peak_rss_mb": ("peak RSS of the single-process CLI (MB)", "<=", 300.0),
    "batch_speedup_2_jobs": ("throughput of 2 jobs / 1 job", ">=", 1.7),
}

perf = time.perf_counter
cpu = time.process_time


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# inputs and machine
# --------------------------------------------------------------------------------------------

def find_texts(corpora: list[Path]) -> list[tuple[str, Path, str]]:
    """(label, path, decoded text) of every .txt under the given folders (or files), sorted."""
    from extractor.normalise import read_text

    out: list[tuple[str, Path, str]] = []
    for base in corpora:
        if base.is_file():
            out.append((base.name, base, read_text(base)))
            continue
        if not base.is_dir():
            continue
        for f in sorted(base.rglob("*.txt")):
            if f.is_file():
                out.append((f"{base.name}/{f.relative_to(base).as_posix()}", f, read_text(f)))
    return out


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _version(dist: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return None


def _git(*args: str) -> str | None:
    try:
        r = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return r.stdout.strip() if r.returncode == 0 else None


def machine_info() -> dict[str, Any]:
    dirty = _git("status", "--porcelain", "--", "src", "rules")
    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        affinity = os.cpu_count()
    return {
        "nproc": affinity,
        "cpu_count": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "packages": {d: _version(d) for d in ("vnextract", "underthesea", "underthesea_core", "spacy", "pydantic", "orjson")},
        "git_commit": _git("rev-parse", "--short", "HEAD"),
        "git_src_or_rules_modified": bool(dirty) if dirty is not None else None,
        "loadavg_start": _loadavg(),
    }


def _loadavg() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:  # pragma: no cover
        return None


class CpuWatch:
    """CPU used by *other* processes while a section ran: machine-wide busy time from /proc/stat
    minus this process's and its reaped children's CPU time. Average cores in use by others;
    on a 2-core machine anything above ~0.2 disturbs the figures (the 2-job figure most)."""

    def __init__(self) -> None:
        self.t0, self.busy0, self.own0 = perf(), self._busy(), self._own()

    @staticmethod
    def _busy() -> float | None:
        try:
            f = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
        except OSError:  # pragma: no cover - not Linux
            return None
        v = list(map(int, f))
        idle = v[3] + (v[4] if len(v) > 4 else 0)  # idle + iowait
        busy = sum(v[:8]) - idle  # user nice system idle iowait irq softirq steal
        return busy / os.sysconf("SC_CLK_TCK")

    @staticmethod
    def _own() -> float:
        import resource

        s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime

    def others_cores(self) -> float | None:
        busy = self._busy()
        if busy is None or self.busy0 is None:
            return None
        wall = perf() - self.t0
        others = (busy - self.busy0) - (self._own() - self.own0)
        return round(max(others, 0.0) / wall, 2) if wall > 0 else None


def wait_idle(max_wait: float, threshold: float = 0.15, quiet_samples: int = 3) -> float | None:
    """Wait (up to ``max_wait`` s) until other processes use under ``threshold`` cores for
    ``quiet_samples`` consecutive 3-second samples."""
    t_end = perf() + max_wait
    quiet = 0
    while True:
        w = CpuWatch()
        time.sleep(3)
        used = w.others_cores()
        quiet = quiet + 1 if used is None or used < threshold else 0
        if quiet >= quiet_samples:
            return used
        if perf() >= t_end:
            log(f"machine still busy ({used} cores used by others); measuring anyway")
            return used
        if not quiet:
            log(f"waiting for an idle machine ({used} cores used by others)")


def _med(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


# --------------------------------------------------------------------------------------------
# (a) throughput
# --------------------------------------------------------------------------------------------

def bench_throughput(texts: list[str], runs: int) -> dict[str, Any]:
    from underthesea import word_tokenize

    from extractor import Extractor

    ex = Extractor()
    n_chars = sum(map(len, texts))
    log(f"throughput: warm-up, then {runs} runs of word_tokenize and the pipeline over {len(texts)} texts")
    for t in texts[:10]:  # warm-up: model load, rule caches, first-call costs
        word_tokenize(t)
        ex.extract(t)

    def interleaved_pass(first_wt: bool) -> tuple[tuple[float, float], tuple[float, float]]:
        """One pass over the texts timing word_tokenize and the pipeline document by document,
        alternating which goes first: a VM whose speed drifts over seconds slows both alike.
        Returns ((wall, CPU) of word_tokenize, (wall, CPU) of the pipeline)."""
        acc = [0.0, 0.0, 0.0, 0.0]  # wt wall, wt cpu, pipe wall, pipe cpu
        for i, t in enumerate(texts):
            order = (0, 1) if (i % 2 == 0) == first_wt else (1, 0)
            for k in order:
                c0, t0 = cpu(), perf()
                if k == 0:
                    word_tokenize(t)
                else:
                    ex.extract(t)
                acc[2 * k] += perf() - t0
                acc[2 * k + 1] += cpu() - c0
        return (acc[0], acc[1]), (acc[2], acc[3])

    wt: list[tuple[float, float]] = []
    pipe: list[tuple[float, float]] = []
    for r in range(runs):
        gc.collect()
        w, p = interleaved_pass(first_wt=r % 2 == 0)
        wt.append(w)
        pipe.append(p)
        log(f"  run {r + 1}: word_tokenize {w[0]:.2f} s (CPU {w[1]:.2f}), pipeline {p[0]:.2f} s "
            f"(CPU {p[1]:.2f}); × {p[0] / w[0]:.2f} wall, × {p[1] / w[1]:.2f} CPU")

    def rates(pairs: list[tuple[float, float]]) -> dict[str, Any]:
        secs = [w for w, _ in pairs]
        cpus = [c for _, c in pairs]
        m, mc = _med(secs), _med(cpus)
        return {"runs_s": [round(x, 4) for x in secs], "median_s": round(m, 4),
                "docs_per_s": round(len(texts) / m, 2), "chars_per_s": round(n_chars / m),
                "ms_per_doc": round(1000 * m / len(texts), 3),
                "cpu_runs_s": [round(x, 4) for x in cpus], "cpu_median_s": round(mc, 4),
                "cpu_chars_per_s": round(n_chars / mc), "cpu_ms_per_doc": round(1000 * mc / len(texts), 3)}

    return {
        "docs": len(texts),
        "chars": n_chars,
        "runs": runs,
        "word_tokenize": rates(wt),
        "pipeline": rates(pipe),
        # median of the per-run ratios: each run times both on the same documents, interleaved
        "ratio": round(_med([p[0] / w[0] for p, w in zip(pipe, wt)]), 3),
        "ratio_of_medians": round(_med([w for w, _ in pipe]) / _med([w for w, _ in wt]), 3),
        "ratio_per_run": [round(p[0] / w[0], 3) for p, w in zip(pipe, wt)],
        "ratio_cpu": round(_med([p[1] / w[1] for p, w in zip(pipe, wt)]), 3),
        "ratio_cpu_per_run": [round(p[1] / w[1], 3) for p, w in zip(pipe, wt)],
    }


# --------------------------------------------------------------------------------------------
# (b) stages
# --------------------------------------------------------------------------------------------

class StageTimer:
    """Wraps callables; accumulates *exclusive* time per name (children are subtracted)."""

    def __init__(self, clock: Callable[[], float] = perf) -> None:
        self.clock = clock
        self.total: defaultdict[str, float] = defaultdict(float)
        self.calls: Counter[str] = Counter()
        self._stack: list[float] = []

    def wrap(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            self._stack.append(0.0)
            t0 = self.clock()
            try:
                return fn(*args, **kwargs)
            finally:
                elapsed = self.clock() - t0
                child = self._stack.pop()
                self.total[name] += elapsed - child
                self.calls[name] += 1
                if self._stack:
                    self._stack[-1] += elapsed

        timed.__wrapped__ = fn  # type: ignore[attr-defined]
        return timed


# (label, attribute of Extractor holding the object, method name)
_EXTRACTOR_STAGES = [
    ("sentence split", "_splitter", "split"),
    ("numbers", "_numbers", "extract"),
    ("periods", "_periods", "find"),
    ("comparisons", "_comparisons", "find"),
    ("indicators", "_indicators", "extract"),
    ("organizations", "_organizations", "extract"),
    ("officials", "_officials", "extract"),
    ("quotes", "_quotes", "extract"),
]


def bench_stages(texts: list[str], runs: int, clock_name: str = "cpu") -> dict[str, Any]:
    """Time each stage by wrapping what ``Extractor.extract`` calls, so the breakdown follows the
    pipeline's own chaining (if the chain changes, unwrapped work shows up as 'assemble')."""
    import extractor.context as xcontext
    import extractor.pipeline as xpipeline
    import extractor.tokenize as xtokenize
    from extractor import Extractor

    ex = Extractor()
    for t in texts[:10]:
        ex.extract(t).to_json()
    # spaCy is imported lazily by build_doc; import it before timing
    warm_ctx = ex.context(texts[0])
    xtokenize.build_doc(warm_ctx.nt, warm_ctx.tokens)

    clock = cpu if clock_name == "cpu" else perf
    timer = StageTimer(clock)
    saved: list[tuple[Any, str, Any]] = []

    def patch(obj: Any, attr: str, name: str) -> None:
        orig = getattr(obj, attr)
        saved.append((obj, attr, obj.__dict__.get(attr, _MISSING) if hasattr(obj, "__dict__") else orig))
        setattr(obj, attr, timer.wrap(name, orig))

    captured: list[Any] = []
    orig_context = ex.context

    def context_capture(*a: Any, **k: Any) -> Any:
        ctx = orig_context(*a, **k)
        captured.append(ctx)
        return ctx

    patch(xpipeline, "normalise", "normalise")
    patch(xpipeline, "tokenize", "tokenize: align offsets")
    patch(xtokenize, "word_tokenize", "tokenize: word segmentation (CRF tagging, joining)")
    from extractor.segment import FastSegmenter, segmenter
    fast_segmenter = isinstance(segmenter(), FastSegmenter)
    if fast_segmenter:  # the fast path's own steps (extractor.segment); else all is underthesea's
        patch(FastSegmenter, "tokens", "tokenize: segmentation, regex tokens")
        patch(FastSegmenter, "features", "tokenize: segmentation, CRF features")
    patch(xcontext, "build_doc", "spaCy Doc build (on the extraction path)")
    for label, holder, meth in _EXTRACTOR_STAGES:
        patch(getattr(ex, holder), meth, label)
    ex.context = context_capture  # type: ignore[method-assign]
    patch(ex, "extract", "assemble Document (sha256, Meta, sentences, pydantic)")

    doc_build_lazy = 0.0
    doc_built_in_path = 0
    serialise = 0.0
    wall: list[float] = []
    log(f"stages: {runs} instrumented pass(es) over {len(texts)} texts")
    try:
        for _ in range(runs):
            gc.collect()
            t_start = perf()
            for t in texts:
                captured.clear()
                doc = ex.extract(t)
                t0 = clock()
                doc.to_json()
                serialise += clock() - t0
                ctx = captured[0]
                if "doc" in ctx.__dict__:
                    doc_built_in_path += 1
                else:
                    t0 = clock()
                    xtokenize.build_doc(ctx.nt, ctx.tokens)
                    doc_build_lazy += clock() - t0
            wall.append(perf() - t_start)
    finally:
        for obj, attr, orig in reversed(saved):
            if orig is _MISSING:
                delattr(obj, attr)
            else:
                setattr(obj, attr, orig)
        ex.__dict__.pop("context", None)

    n = len(texts) * runs
    extract_total = sum(timer.total.values())
    rows = []
    seg_names = ["tokenize: segmentation, regex tokens", "tokenize: segmentation, CRF features",
                 "tokenize: word segmentation (CRF tagging, joining)"]
    segmentation = sum(timer.total.get(k, 0.0) for k in seg_names)
    order = ["normalise", "sentence split", *seg_names, "tokenize: align offsets",
             "spaCy Doc build (on the extraction path)", *[s[0] for s in _EXTRACTOR_STAGES[1:]],
             "assemble Document (sha256, Meta, sentences, pydantic)"]
    for name in order:
        if name not in timer.total and (name.startswith("spaCy") or name in seg_names[:2]):
            continue
        secs = timer.total.get(name, 0.0)
        rows.append({"stage": name, "in_extract": True, "seconds": round(secs, 4), "calls": timer.calls.get(name, 0),
                     "ms_per_doc": round(1000 * secs / n, 3), "share_of_extract": round(secs / extract_total, 4)})
    rows.append({"stage": "serialise doc.to_json()", "in_extract": False, "seconds": round(serialise, 4), "calls": n,
                 "ms_per_doc": round(1000 * serialise / n, 3), "share_of_extract": round(serialise / extract_total, 4)})
    if doc_built_in_path < n:
        k = n - doc_built_in_path
        rows.append({"stage": "spaCy Doc build (lazy: not used by extract)", "in_extract": False,
                     "seconds": round(doc_build_lazy, 4), "calls": k, "ms_per_doc": round(1000 * doc_build_lazy / k, 3),
                     "share_of_extract": round(doc_build_lazy / extract_total, 4)})
    return {
        "runs": runs,
        "clock": "CPU time of this process (time.process_time)" if clock_name == "cpu" else "wall time (time.perf_counter)",
        "docs_per_run": len(texts),
        "extract_total_s": round(extract_total, 4),
        # extract against the word segmentation inside it (the fast segmenter of extractor.segment
        # when available, else underthesea's word_tokenize), same pass
        "segmenter": "extractor.segment.FastSegmenter" if fast_segmenter else "underthesea.word_tokenize",
        "segmentation_in_extract_s": round(segmentation, 4),
        "ratio_extract_to_its_segmentation": round(extract_total / segmentation, 3) if segmentation else None,
        "extract_plus_serialise_s": round(extract_total + serialise, 4),
        "instrumented_wall_s": [round(w, 3) for w in wall],
        "spacy_doc_built_by_extract": doc_built_in_path,
        "stages": rows,
    }


_MISSING = object()


# --------------------------------------------------------------------------------------------
# (b2) cost per character against article length
# --------------------------------------------------------------------------------------------

def bench_length(texts: list[str], sizes: tuple[int, ...] = (20_000, 100_000, 400_000), reps: int = 3) -> dict[str, Any]:
    """CPU µs per character of the same texts extracted one by one and joined into one article
    (blank lines between), for articles of each size; minimum of ``reps`` interleaved runs. A pass
    that is quadratic in the length of an article shows as a ratio growing with the size."""
    from extractor import Extractor

    ex = Extractor()
    log(f"length: cost per character, texts one by one and joined, articles of up to {max(sizes):,} characters")
    for t in texts[:10]:  # warm-up
        ex.extract(t)
    rows = []
    for size in sizes:
        parts: list[str] = []
        total = 0
        while total < size:
            for t in texts:
                if total >= size:
                    break
                parts.append(t)
                total += len(t) + 2
        big = "\n\n".join(parts)
        sep: list[float] = []
        joined: list[float] = []
        for _ in range(reps):
            gc.collect()
            c0 = cpu()
            for t in parts:
                ex.extract(t)
            sep.append(cpu() - c0)
            gc.collect()
            c0 = cpu()
            ex.extract(big)
            joined.append(cpu() - c0)
        n = len(big)
        rows.append({"chars": n, "texts_joined": len(parts), "separate_us_per_char": round(min(sep) / n * 1e6, 2),
                     "joined_us_per_char": round(min(joined) / n * 1e6, 2), "ratio": round(min(joined) / min(sep), 3)})
    return {"reps": reps, "sizes": rows, "max_ratio": max(r["ratio"] for r in rows)}


# --------------------------------------------------------------------------------------------
# (c) cold start
# --------------------------------------------------------------------------------------------

_COLD_CODE = r"""
import time
t0 = time.perf_counter()
import json, resource, sys
from extractor import Extractor
t1 = time.perf_counter()
ex = Extractor()
t2 = time.perf_counter()
from extractor.normalise import read_text
doc = ex.extract(read_text(sys.argv[1]))
def hwm_mb():
    # VmHWM is this program's own peak; ru_maxrss would also count the benchmark process this
    # child was forked from (Linux keeps it across exec)
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
doc.to_json()
t3 = time.perf_counter()
print(json.dumps({"cpu_s": time.process_time(), "import_s": t1 - t0, "init_s": t2 - t1, "first_doc_s": t3 - t2, "in_process_s": t3 - t0,
                  "rss_mb": hwm_mb(),
                  "modules": sorted(m for m in ("spacy", "pandas", "numpy", "torch", "sklearn", "underthesea", "pydantic", "typer", "rich") if m in sys.modules)}))
"""


_FLOOR_CODE = r"""
import sys
from underthesea import word_tokenize
word_tokenize(open(sys.argv[1], encoding="utf-8-sig").read())
"""


def bench_cold(first_doc: Path, runs: int) -> dict[str, Any]:
    log(f"cold start: {runs} fresh interpreters (plus 'python -c pass' and underthesea-only baselines), first document {first_doc.name}")
    base: list[float] = []
    for _ in range(runs):
        t0 = perf()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        base.append(perf() - t0)
    floor: list[float] = []
    for _ in range(runs):  # the floor: underthesea's import, model load and one word_tokenize
        t0 = perf()
        subprocess.run([sys.executable, "-c", _FLOOR_CODE, str(first_doc)], check=True, cwd=ROOT)
        floor.append(perf() - t0)
    results: list[dict[str, Any]] = []
    for _ in range(runs):
        t0 = perf()
        r = subprocess.run([sys.executable, "-c", _COLD_CODE, str(first_doc)], capture_output=True, text=True, cwd=ROOT)
        wall = perf() - t0
        if r.returncode != 0:
            raise RuntimeError(f"cold-start child failed:\n{r.stderr}")
        d = json.loads(r.stdout.strip().splitlines()[-1])
        d["wall_s"] = wall
        results.append(d)
    med = {k: round(_med([r[k] for r in results]), 4) for k in ("wall_s", "cpu_s", "import_s", "init_s", "first_doc_s", "in_process_s", "rss_mb")}
    # the very first start on a machine: an empty start-up cache (README: $XDG_CACHE_HOME/vnextract)
    first: list[float] = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="vnx-cache-") as cache:
            t0 = perf()
            subprocess.run([sys.executable, "-c", _COLD_CODE, str(first_doc)], capture_output=True, check=True,
                           cwd=ROOT, env={**os.environ, "XDG_CACHE_HOME": cache})
            first.append(perf() - t0)
    return {"runs": runs, "document": first_doc.name, "interpreter_baseline_s": round(_med(base), 4),
            "underthesea_floor_s": round(_med(floor), 4), **med,
            "empty_cache_wall_s": round(_med(first), 4), "empty_cache_wall_runs_s": [round(x, 4) for x in first],
            "wall_runs_s": [round(r["wall_s"], 4) for r in results], "heavy_modules_loaded": results[-1]["modules"]}


# --------------------------------------------------------------------------------------------
# (d) peak RSS of the CLI
# --------------------------------------------------------------------------------------------

def _cli() -> list[str]:
    exe = Path(sys.executable).with_name("vnextract")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "extractor"]


def _cli_single_process_flags(cli: list[str]) -> list[str]:
    """Options that keep the CLI in one process (``--jobs 1``) and quiet, when it has them."""
    try:
        help_text = subprocess.run([*cli, "extract", "--help"], capture_output=True, text=True, timeout=60,
                                   env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    flags = []
    if "--jobs" in help_text:
        flags += ["--jobs", "1"]
    if "--quiet" in help_text:
        flags += ["--quiet"]
    return flags


_LAUNCH_CODE = r"""
import json, os, sys
report, cmd = sys.argv[1], sys.argv[2:]
pid = os.fork()
if pid == 0:
    try:
        os.execvp(cmd[0], cmd)
    finally:
        os._exit(127)
_, status, ru = os.wait4(pid, 0)  # this child's own rusage
with open(report, "w") as f:
    json.dump({"status": status, "maxrss_kb": ru.ru_maxrss, "cpu_s": ru.ru_utime + ru.ru_stime}, f)
"""


def bench_rss(inputs: list[Path], n_docs: int) -> dict[str, Any]:
    cli = _cli()
    flags = _cli_single_process_flags(cli)
    with tempfile.TemporaryDirectory(prefix="vnx-bench-") as tmp:
        cmd = [*cli, "extract", *map(str, inputs), "--out", tmp, *flags]
        log(f"rss: {' '.join(cli)} extract <{len(inputs)} paths> --out TMP {' '.join(flags)}")
        t0 = perf()
        report = Path(tmp) / "rusage.json"
        out_dir = Path(tmp) / "out"
        cmd[cmd.index(tmp)] = str(out_dir)
        # started by a small launcher, not forked from this (large) process: Linux keeps a
        # process's peak RSS across exec, so a child forked from here would report ours
        p = subprocess.Popen([sys.executable, "-c", _LAUNCH_CODE, str(report), *cmd],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
        err = p.communicate()[1].decode("utf-8", "replace")
        wall = perf() - t0
        ru = json.loads(report.read_text(encoding="utf-8"))
        p.returncode = os.waitstatus_to_exitcode(ru["status"])
        written = sum(1 for _ in out_dir.rglob("*.json"))
    return {"command": " ".join(["vnextract", "extract", *[_rel(i) for i in inputs], "--out", "TMP", *flags]),
            "exit_code": p.returncode, "stderr_tail": err.strip().splitlines()[-3:], "docs": n_docs, "written": written,
            "peak_rss_mb": round(ru["maxrss_kb"] / 1024, 1), "wall_s": round(wall, 3),
            "cpu_s": round(ru["cpu_s"], 3),
            "docs_per_s": round(written / wall, 2) if wall else None}


def _rel(p: Path) -> str:
    try:
        return os.path.relpath(p, ROOT)
    except ValueError:  # pragma: no cover
        return str(p)


# --------------------------------------------------------------------------------------------
# (e) batch scaling
# --------------------------------------------------------------------------------------------

def _cpu_all() -> float:
    import resource

    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def bench_batch(items: list[tuple[str, str]], min_docs: int, runs: int) -> dict[str, Any]:
    from extractor import Extractor

    records = [{"text": t, "id": label} for label, t in items]
    reps = -(-min_docs // len(records))  # repeat the texts when there are fewer than min_docs
    records = (records * reps)[:max(min_docs, 1)]
    n_chars = sum(len(r["text"]) for r in records)
    ex = Extractor()
    for r in records[:5]:
        ex.extract(r["text"])
    log(f"batch: pipe(n_process=1) and pipe(n_process=2) on {len(records)} documents, {runs} run(s) each")
    # pool start-up alone: two one-line documents through a fresh 2-process pool
    t0 = perf()
    list(ex.pipe(["Năm 2021 tăng 1%.", "GDP tăng 2%."], n_process=2))
    startup = perf() - t0
    t1: list[float] = []
    t2: list[float] = []
    c1: list[float] = []
    c2: list[float] = []
    for r in range(runs):
        for n_proc in ((1, 2) if r % 2 == 0 else (2, 1)):
            gc.collect()
            cpu0, t0 = _cpu_all(), perf()
            docs = list(ex.pipe(records, n_process=n_proc))
            el = perf() - t0
            assert len(docs) == len(records)
            del docs
            (t1 if n_proc == 1 else t2).append(el)
            (c1 if n_proc == 1 else c2).append(_cpu_all() - cpu0)  # workers are reaped at pool shutdown
        log(f"  run {r + 1}: 1 job {t1[-1]:.2f} s, 2 jobs {t2[-1]:.2f} s (× {t1[-1] / t2[-1]:.2f})")
    m1, m2 = _med(t1), _med(t2)
    return {"docs": len(records), "repeats_of_corpus": reps, "chars": n_chars, "runs": runs,
            "jobs_1": {"runs_s": [round(x, 3) for x in t1], "median_s": round(m1, 3), "docs_per_s": round(len(records) / m1, 2),
                       "cpu_s_all_processes": round(_med(c1), 3)},
            "jobs_2": {"runs_s": [round(x, 3) for x in t2], "median_s": round(m2, 3), "docs_per_s": round(len(records) / m2, 2),
                       "cpu_s_all_processes": round(_med(c2), 3)},
            "speedup": round(m1 / m2, 3),
            "pool_startup_s": round(startup, 3),
            "speedup_excluding_startup": round(m1 / max(m2 - startup, 1e-9), 3)}


# --------------------------------------------------------------------------------------------
# profile
# --------------------------------------------------------------------------------------------

def bench_profile(texts: list[str], top: int, out: Path | None) -> dict[str, Any]:
    from extractor import Extractor

    ex = Extractor()
    for t in texts[:10]:
        ex.extract(t).to_json()
    log(f"profile: cProfile of extract + to_json over {len(texts)} texts")
    prof = cProfile.Profile()
    prof.enable()
    for t in texts:
        ex.extract(t).to_json()
    prof.disable()
    if out:
        prof.dump_stats(str(out))
    st = pstats.Stats(prof)
    total = st.total_tt  # type: ignore[attr-defined]

    def rows(key: str) -> list[dict[str, Any]]:
        buf = io.StringIO()
        s = pstats.Stats(prof, stream=buf)
        s.sort_stats(key)
        res = []
        for func in s.fcn_list[:top]:  # type: ignore[attr-defined]
            cc, nc, tt, ct, _ = s.stats[func]  # type: ignore[attr-defined]
            fn, line, name = func
            where = f"{_short(fn)}:{line}({name})" if line else name
            res.append({"function": where, "calls": nc, "tottime_s": round(tt, 4), "cumtime_s": round(ct, 4),
                        "tottime_share": round(tt / total, 4), "cumtime_share": round(ct / total, 4)})
        return res

    return {"docs": len(texts), "profiled_total_s": round(total, 3), "by_tottime": rows("tottime"),
            "by_cumtime": rows("cumulative"), "dump": str(out) if out else None}


def _short(fn: str) -> str:
    for marker in ("site-packages/", "/src/", "/lib/python"):
        if marker in fn:
            return fn.split(marker, 1)[1]
    return fn


# --------------------------------------------------------------------------------------------
# targets and output
# --------------------------------------------------------------------------------------------

def evaluate(res: dict[str, Any]) -> list[dict[str, Any]]:
    measured = {
        "pipeline_vs_word_tokenize": res.get("throughput", {}).get("ratio"),
        "cold_start_s": res.get("cold", {}).get("wall_s"),
        "cli_peak_rss_mb": res.get("rss", {}).get("peak_rss_mb"),
        "batch_speedup_2_jobs": res.get("batch", {}).get("speedup"),
    }
    out = []
    for key, (desc, op, limit) in TARGETS.items():
        v = measured[key]
        met = None if v is None else (v <= limit if op == "<=" else v >= limit)
        out.append({"target": key, "description": desc, "limit": f"{op} {limit}", "measured": v, "met": met})
    return out


def print_tables(res: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    c = Console() if sys.stdout.isatty() else Console(width=170)
    m = res["machine"]
    c.print(f"[bold]vnextract benchmark[/] — {m['nproc']} CPU ({m['cpu_model']}), Python {m['python']}, "
            f"underthesea {m['packages'].get('underthesea')}, commit {m['git_commit']}"
            f"{' + local changes' if m.get('git_src_or_rules_modified') else ''}; load {m['loadavg_start']} → {m.get('loadavg_end')}")
    corp = res["corpus"]
    c.print(f"Texts: {corp['docs']} documents, {corp['chars']:,} characters from {', '.join(corp['sources'])}")

    if "throughput" in res:
        th = res["throughput"]
        t = Table(title=f"(a) Throughput — medians of {th['runs']} runs, one process, after warm-up")
        for col in ("", "median s", "docs/s", "chars/s", "ms/doc", "runs (s)", "CPU s", "CPU chars/s", "CPU runs (s)"):
            t.add_column(col, justify="right" if col else "left")
        for name, key in (("underthesea word_tokenize", "word_tokenize"), ("full pipeline Extractor.extract", "pipeline")):
            d = th[key]
            t.add_row(name, f"{d['median_s']:.2f}", f"{d['docs_per_s']:.1f}", f"{d['chars_per_s']:,}", f"{d['ms_per_doc']:.2f}",
                      ", ".join(f"{x:.2f}" for x in d["runs_s"]), f"{d['cpu_median_s']:.2f}", f"{d['cpu_chars_per_s']:,}",
                      ", ".join(f"{x:.2f}" for x in d["cpu_runs_s"]))
        t.add_row("[bold]ratio pipeline / word_tokenize (median of runs)[/]", f"[bold]{th['ratio']:.2f}[/]", "", "", "",
                  ", ".join(f"{x:.2f}" for x in th["ratio_per_run"]), f"[bold]{th['ratio_cpu']:.2f}[/]", "",
                  ", ".join(f"{x:.2f}" for x in th["ratio_cpu_per_run"]))
        c.print(t)

    if "stages" in res:
        st = res["stages"]
        t = Table(title=f"(b) Time per stage — exclusive {st['clock']}, {st['runs']} instrumented pass(es) × {st['docs_per_run']} docs")
        for col in ("stage", "in extract", "total s", "ms/doc", "% of extract"):
            t.add_column(col, justify="left" if col == "stage" else "right")
        for r in st["stages"]:
            t.add_row(r["stage"], "yes" if r["in_extract"] else "no", f"{r['seconds']:.3f}", f"{r['ms_per_doc']:.3f}",
                      f"{100 * r['share_of_extract']:.1f}")
        t.add_row("[bold]extract total[/]", "", f"[bold]{st['extract_total_s']:.3f}[/]",
                  f"{1000 * st['extract_total_s'] / (st['runs'] * st['docs_per_run']):.3f}", "100.0")
        c.print(t)
        if st.get("ratio_extract_to_its_segmentation"):
            c.print(f"  extract total / the word segmentation inside it ({st['segmenter']}): "
                    f"[bold]{st['ratio_extract_to_its_segmentation']:.2f}[/]")

    if "cold" in res:
        cd = res["cold"]
        t = Table(title=f"(c) Cold start — fresh interpreter, medians of {cd['runs']}, first document {cd['document']}")
        for col in ("measure", "seconds"):
            t.add_column(col, justify="left" if col == "measure" else "right")
        t.add_row("python -c pass (interpreter alone)", f"{cd['interpreter_baseline_s']:.3f}")
        t.add_row("floor: import underthesea + word_tokenize of the document", f"{cd['underthesea_floor_s']:.3f}")
        t.add_row("import extractor", f"{cd['import_s']:.3f}")
        t.add_row("Extractor()", f"{cd['init_s']:.3f}")
        t.add_row("first document (extract + to_json)", f"{cd['first_doc_s']:.3f}")
        t.add_row("[bold]process wall time, start to first document[/]", f"[bold]{cd['wall_s']:.3f}[/]")
        t.add_row("CPU time of that process", f"{cd['cpu_s']:.3f}")
        t.add_row("peak RSS of that process (MB)", f"{cd['rss_mb']:.0f}")
        if "empty_cache_wall_s" in cd:
            t.add_row("same, first start on a machine (empty start-up cache)", f"{cd['empty_cache_wall_s']:.3f}")
        c.print(t)
        c.print(f"  heavy modules loaded: {', '.join(cd['heavy_modules_loaded'])}")

    if "length" in res:
        ln = res["length"]
        c.print("[bold](b2) Cost per character against article length[/] (CPU, min of "
                f"{ln['reps']}): " + "; ".join(
                    f"{r['chars']:,} chars joined {r['joined_us_per_char']:.2f} µs/char, the same texts one by one "
                    f"{r['separate_us_per_char']:.2f} (×{r['ratio']:.2f})" for r in ln["sizes"]))

    if "rss" in res:
        r = res["rss"]
        c.print(f"[bold](d) CLI[/] `{r['command']}`: peak RSS [bold]{r['peak_rss_mb']:.0f} MB[/], "
                f"{r['written']}/{r['docs']} written in {r['wall_s']:.1f} s ({r['docs_per_s']} docs/s incl. start-up), exit {r['exit_code']}")

    if "batch" in res:
        b = res["batch"]
        t = Table(title=f"(e) Batch scaling — Extractor.pipe on {b['docs']} documents, medians of {b['runs']} run(s)")
        for col in ("jobs", "median s", "docs/s", "runs (s)", "CPU s, all processes"):
            t.add_column(col, justify="right")
        for n in (1, 2):
            d = b[f"jobs_{n}"]
            t.add_row(str(n), f"{d['median_s']:.2f}", f"{d['docs_per_s']:.1f}", ", ".join(f"{x:.2f}" for x in d["runs_s"]),
                      f"{d['cpu_s_all_processes']:.2f}")
        c.print(t)
        c.print(f"  speedup 2 jobs / 1 job: [bold]{b['speedup']:.2f}[/] (pool start-up {b['pool_startup_s']:.2f} s; "
                f"{b['speedup_excluding_startup']:.2f} without it)")

    if "profile" in res:
        p = res["profile"]
        for key, title in (("by_tottime", "own time"), ("by_cumtime", "cumulative time")):
            t = Table(title=f"Profile — top functions by {title} ({p['docs']} docs, {p['profiled_total_s']:.1f} s under cProfile)")
            for col in ("function", "calls", "own s", "cum s", "own %", "cum %"):
                t.add_column(col, justify="left" if col == "function" else "right")
            for r in p[key]:
                t.add_row(r["function"], str(r["calls"]), f"{r['tottime_s']:.3f}", f"{r['cumtime_s']:.3f}",
                          f"{100 * r['tottime_share']:.1f}", f"{100 * r['cumtime_share']:.1f}")
            c.print(t)

    if res.get("targets"):
        t = Table(title="Targets (issue 8)")
        for col in ("target", "limit", "measured", "met"):
            t.add_column(col)
        for r in res["targets"]:
            met = "—" if r["met"] is None else ("[green]met[/]" if r["met"] else "[red]not met[/]")
            t.add_row(r["description"], r["limit"], "—" if r["measured"] is None else str(r["measured"]), met)
        c.print(t)
    oc = m.get("other_processes_cores") or {}
    if oc:
        c.print("CPU used by other processes during each section (average cores; > 0.2 disturbs): "
                + ", ".join(f"{k} {v}" for k, v in oc.items()))
    c.print(f"Total benchmark time {res['elapsed_s']:.0f} s.")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", action="store_true", help="print the results as JSON on stdout (no tables)")
    ap.add_argument("--save", type=Path, help="also write the JSON results to this file")
    ap.add_argument("--corpus", type=Path, action="append", help="folder or file of .txt texts (repeatable; replaces the defaults)")
    ap.add_argument("--only", help=f"comma-separated sections to run: {','.join(SECTIONS)} (default: all)")
    ap.add_argument("--runs", type=int, default=3, help="timed passes for throughput (default 3)")
    ap.add_argument("--stage-runs", type=int, default=1, help="instrumented passes for the stage breakdown (default 1)")
    ap.add_argument("--stage-clock", choices=("cpu", "wall"), default="cpu",
                    help="clock for the stage breakdown (default cpu: robust to other processes)")
    ap.add_argument("--cold-runs", type=int, default=3, help="fresh interpreters for cold start (default 3)")
    ap.add_argument("--batch-runs", type=int, default=2, help="runs of each job count for batch scaling (default 2)")
    ap.add_argument("--batch-docs", type=int, default=200, help="documents for batch scaling (default 200: the texts, repeated if fewer)")
    ap.add_argument("--wait-idle", type=float, default=0, metavar="SECONDS",
                    help="before starting, wait up to this long for other processes to leave the CPUs idle")
    ap.add_argument("--profile", action="store_true", help="run only the cProfile section (unless --only also names sections)")
    ap.add_argument("--profile-top", type=int, default=30, help="functions listed per profile table (default 30)")
    ap.add_argument("--profile-out", type=Path, help="write the cProfile dump here (for snakeviz, pstats)")
    args = ap.parse_args(argv)

    if args.only:
        sections = [s.strip() for s in args.only.split(",") if s.strip()]
        bad = set(sections) - set(SECTIONS) - {"profile"}
        if bad:
            ap.error(f"unknown section(s): {', '.join(sorted(bad))}")
    else:
        sections = [] if args.profile else list(SECTIONS)
    if args.profile and "profile" not in sections:
        sections.append("profile")

    if args.wait_idle > 0:
        wait_idle(args.wait_idle)
    t_all = perf()
    corpora = args.corpus or DEFAULT_CORPORA
    items = find_texts(corpora)
    if not items:
        print("no .txt texts found under " + ", ".join(map(str, corpora)), file=sys.stderr)
        return 2
    texts = [t for _, _, t in items]
    res: dict[str, Any] = {
        "machine": machine_info(),
        "command": " ".join(["python", "benchmarks/run.py", *(argv if argv is not None else sys.argv[1:])]),
        "corpus": {"docs": len(items), "chars": sum(map(len, texts)),
                   "sources": [_rel(c) for c in corpora if c.exists()],
                   "chars_per_doc_median": int(_med([len(t) for t in texts]))},
    }
    seed = ROOT / "corpus" / "hcmc-industry-2021-01.txt"
    runners: dict[str, Callable[[], dict[str, Any]]] = {
        "throughput": lambda: bench_throughput(texts, args.runs),
        "stages": lambda: bench_stages(texts, args.stage_runs, args.stage_clock),
        "length": lambda: bench_length(texts),
        "cold": lambda: bench_cold(seed if seed.exists() else items[0][1], args.cold_runs),
        "rss": lambda: bench_rss([c for c in corpora if c.exists()], len(items)),
        "batch": lambda: bench_batch([(lbl, t) for lbl, _, t in items], args.batch_docs, args.batch_runs),
        "profile": lambda: bench_profile(texts, args.profile_top, args.profile_out),
    }
    contention: dict[str, float | None] = {}
    for name in (*SECTIONS, "profile"):
        if name in sections:
            watch = CpuWatch()
            t0 = perf()
            res[name] = runners[name]()
            res[name]["section_wall_s"] = round(perf() - t0, 1)
            contention[name] = watch.others_cores()
    res["machine"]["other_processes_cores"] = contention
    busy = {k: v for k, v in contention.items() if v is not None and v > 0.2}
    if busy:
        log("WARNING: other processes used CPU during " + ", ".join(f"{k} ({v} cores)" for k, v in busy.items())
            + "; figures are disturbed, rerun on an idle machine")
    res["targets"] = [t for t in evaluate(res) if t["measured"] is not None]
    res["machine"]["loadavg_end"] = _loadavg()
    res["elapsed_s"] = round(perf() - t_all, 1)

    text = json.dumps(res, ensure_ascii=False, indent=2)
    if args.save:
        args.save.parent.mkdir(parents=True, exist_ok=True)
        args.save.write_text(text + "\n", encoding="utf-8")
    if args.json:
        print(text)
    else:
        print_tables(res)
    return 0


if __name__ == "__main__":
    sys.exit(main())
