"""`vnextract eval` agrees with the acceptance scorer, and quality floors hold (floors only go up).

Floors are in tests/quality_floors.json: per fact-sheet set, per measure, the minimum recall and
(where the measure has one) precision. Raise them when the extractor improves; never lower them.
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
from extractor.evaluate import score_dir

FLOORS = json.loads((ROOT / "tests" / "quality_floors.json").read_text(encoding="utf-8"))


def _extract(inp: Path, out: Path) -> None:
    subprocess.run([sys.executable, "-m", "extractor", "extract", str(inp), "--out", str(out)], check=True, cwd=ROOT)


def _stage(facts_dir: Path, texts: Path, tmp: Path) -> Path:
    """Copy each sheet's text as <doc with / → __>.txt and extract them into tmp/out."""
    (tmp / "in").mkdir(parents=True)
    for f in sorted(facts_dir.glob("*.facts.json")):
        doc = json.loads(f.read_text(encoding="utf-8"))["doc"]
        shutil.copy(texts / doc, tmp / "in" / (doc.removesuffix(".txt").replace("/", "__") + ".txt"))
    _extract(tmp / "in", tmp / "out")
    return tmp / "out"


def _sets() -> dict[str, tuple[Path, Path]]:
    sets = {"team": (ROOT / "tests" / "facts", ROOT / "corpus")}
    if SHARED.exists():
        sets["seed"] = (SHARED / "facts", SHARED / "seed")
        sets["dev"] = (SHARED / "facts" / "real", SHARED / "corpus" / "real")
    return sets


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict[str, tuple[Path, Path, Path]]:
    res = {}
    for name, (facts, texts) in _sets().items():
        if name == "seed":
            tmp = tmp_path_factory.mktemp(name)
            (tmp / "in").mkdir()
            shutil.copy(texts / "000_a1dca3f31718ff10.txt", tmp / "in" / "hcmc-industry-2021-01.txt")
            _extract(tmp / "in", tmp / "out")
            res[name] = (facts, tmp / "out", tmp / "in")
        elif any(facts.glob("*.facts.json")):
            res[name] = (facts, _stage(facts, texts, tmp_path_factory.mktemp(name)), texts)
    return res


def _scorer_rows(stdout: str) -> dict[str, tuple]:
    rows = {}
    for line in stdout.splitlines():
        m = re.match(r"(\S+)\s+recall (\d+)/(\d+)(?:\s+precision (\d+)/(\d+))?", line)
        if m:
            rows[m.group(1)] = tuple(int(x) if x is not None else None for x in m.groups()[1:])
    return rows


@pytest.mark.parametrize("name", ["seed", "dev", "team"])
def test_eval_agrees_with_the_acceptance_scorer(name: str, outputs) -> None:
    scorer = require_shared(SHARED / "tools" / "score_facts.py")
    if name not in outputs:
        pytest.skip(f"no fact sheets for {name}")
    facts, out, texts = outputs[name]
    res = subprocess.run([sys.executable, str(scorer), "--dir", str(facts), str(out), str(texts)],
                         check=True, capture_output=True, text=True)
    theirs = _scorer_rows(res.stdout)
    ours = score_dir(facts, out, texts).rows
    assert set(theirs) == set(ours)
    for m, (found, total, matched, extracted) in theirs.items():
        r = ours[m]
        assert (r.found, r.total) == (found, total), m
        if matched is not None:
            assert (r.matched, r.extracted) == (matched, extracted), m


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_quality_floors(name: str, outputs) -> None:
    if name not in outputs:
        pytest.skip(f"{name} fact sheets are absent here")
    facts, out, texts = outputs[name]
    rows = score_dir(facts, out, texts).rows
    low = []
    for m, floor in FLOORS[name].items():
        r = rows[m]
        if r.recall + 1e-9 < floor["recall"]:
            low.append(f"{m} recall {r.recall:.3f} < {floor['recall']}")
        if "precision" in floor and (r.precision or 0.0) + 1e-9 < floor["precision"]:
            low.append(f"{m} precision {r.precision:.3f} < {floor['precision']}")
    assert not low, low


def test_eval_command_prints_table_and_json(outputs, tmp_path) -> None:
    if "seed" not in outputs:
        pytest.skip("../shared is absent")
    facts, out, texts = outputs["seed"]
    r = subprocess.run([sys.executable, "-m", "extractor", "eval", "--dir", str(facts), str(out), str(texts)],
                       capture_output=True, text=True, check=True)
    assert "changes.strict" in r.stdout and "F1" in r.stdout
    r = subprocess.run([sys.executable, "-m", "extractor", "eval", "--dir", "--json", str(facts), str(out), str(texts)],
                       capture_output=True, text=True, check=True)
    assert json.loads(r.stdout)["measures"]["changes.strict"]["total"] == 18
