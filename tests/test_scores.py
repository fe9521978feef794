"""Where the extractor stands on the hand-checked fact sheets of ../shared (floors only go up).

Scores come from ../shared/tools/score_facts.py itself, run on fresh outputs; skipped with a clear
reason when ../shared is absent.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, SHARED, require_shared

SCORER = SHARED / "tools" / "score_facts.py"


def _scores(output: str) -> dict[str, tuple[int, int, int | None, int | None]]:
    rows = {}
    for line in output.splitlines():
        m = re.match(r"(\S+)\s+recall (\d+)/(\d+)(?:\s+precision (\d+)/(\d+))?", line)
        if m:
            a, b, c, d = (int(x) if x is not None else None for x in m.groups()[1:])
            rows[m.group(1)] = (a, b, c, d)
    return rows


def _extract(inp: Path, out: Path) -> None:
    subprocess.run([sys.executable, "-m", "extractor", "extract", str(inp), "--out", str(out)], check=True, cwd=ROOT)


@pytest.fixture(scope="module")
def seed_scores(tmp_path_factory) -> dict:
    require_shared(SCORER)
    tmp = tmp_path_factory.mktemp("seed")
    (tmp / "in").mkdir()
    shutil.copy(SHARED / "seed" / "000_a1dca3f31718ff10.txt", tmp / "in" / "hcmc-industry-2021-01.txt")
    _extract(tmp / "in", tmp / "out")
    res = subprocess.run([sys.executable, str(SCORER), str(SHARED / "facts" / "hcmc-industry-2021-01.facts.json"),
                          str(tmp / "out" / "hcmc-industry-2021-01.json"), str(tmp / "in" / "hcmc-industry-2021-01.txt")],
                         check=True, capture_output=True, text=True)
    return _scores(res.stdout)


@pytest.fixture(scope="module")
def dev_scores(tmp_path_factory) -> dict:
    require_shared(SHARED / "facts" / "real")
    tmp = tmp_path_factory.mktemp("dev")
    (tmp / "in").mkdir()
    for f in sorted((SHARED / "facts" / "real").glob("*.facts.json")):
        doc = json.loads(f.read_text(encoding="utf-8"))["doc"]
        shutil.copy(SHARED / "corpus" / "real" / doc, tmp / "in" / (doc.removesuffix(".txt").replace("/", "__") + ".txt"))
    _extract(tmp / "in", tmp / "out")
    res = subprocess.run([sys.executable, str(SCORER), "--dir", str(SHARED / "facts" / "real"), str(tmp / "out"),
                          str(SHARED / "corpus" / "real")], check=True, capture_output=True, text=True)
    return _scores(res.stdout)


# measure -> (minimum recall, minimum precision) on the seed
SEED_FLOORS = {
    "changes.strict": (18 / 18, 18 / 18),
    "changes.named": (18 / 18, 18 / 18),
    "values.strict": (4 / 4, None),
    "shares": (1 / 1, None),
    "quantities": (11 / 11, None),
    "traps.avoided": (6 / 6, None),
    "offsets.exact": (1 / 1, None),
}


@pytest.mark.parametrize("measure", sorted(SEED_FLOORS))
def test_seed_floor(measure: str, seed_scores: dict) -> None:
    found, total, good, extracted = seed_scores[measure]
    rmin, pmin = SEED_FLOORS[measure]
    assert found / total >= rmin, f"{measure}: recall {found}/{total}"
    if pmin is not None:
        assert extracted and good / extracted >= pmin, f"{measure}: precision {good}/{extracted}"


def _f1(row) -> float:
    found, total, good, extracted = row
    return 2 * found / (total + extracted) if total + extracted else 0.0


def test_dev_changes_named_f1(dev_scores: dict) -> None:
    assert _f1(dev_scores["changes.named"]) >= 0.93


def test_dev_changes_strict_recall(dev_scores: dict) -> None:
    found, total, _, _ = dev_scores["changes.strict"]
    assert found / total >= 0.90


def test_dev_traps_and_offsets(dev_scores: dict) -> None:
    for m in ("traps.avoided", "offsets.exact"):
        found, total, _, _ = dev_scores[m]
        assert found == total, m
