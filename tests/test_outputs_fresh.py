"""outputs/ must be exactly what the code produces from corpus/ (run `make run` to refresh)."""
from __future__ import annotations

import subprocess
import sys

from conftest import CORPUS, OUTPUTS, ROOT
from extractor.review import diff_paths, format_diff


def test_outputs_match_a_fresh_run(tmp_path) -> None:
    fresh = tmp_path / "out"
    subprocess.run([sys.executable, "-m", "extractor", "extract", str(CORPUS), "--out", str(fresh)],
                   check=True, cwd=ROOT)
    want = {p.relative_to(fresh): p.read_bytes() for p in fresh.rglob("*.json")}
    have = {p.relative_to(OUTPUTS): p.read_bytes() for p in OUTPUTS.rglob("*.json")}
    assert sorted(have) == sorted(want), ("outputs/ lists other files than a fresh run: run `make run`.\n"
                                          + format_diff(diff_paths(OUTPUTS, fresh), "text"))
    stale = [str(k) for k in want if want[k] != have[k]]
    # explain a stale outputs/ by content (what changed, per article) before failing
    assert not stale, (f"outputs/ is stale for {stale}: run `make run` and review the diff.\n"
                       + format_diff(diff_paths(OUTPUTS, fresh), "text"))


def test_two_runs_are_byte_identical(tmp_path) -> None:
    runs = []
    for i in range(2):
        out = tmp_path / f"r{i}"
        subprocess.run([sys.executable, "-m", "extractor", "extract", str(CORPUS), "--out", str(out)],
                       check=True, cwd=ROOT)
        runs.append({p.relative_to(out): p.read_bytes() for p in out.rglob("*.json")})
    assert runs[0] == runs[1]
