"""Golden JSON for every corpus article (pytest-regressions).

After a rule change: ``.venv/bin/pytest tests/test_golden.py --force-regen``, then read the diff
of tests/test_golden/ line by line before committing it.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import CORPUS, corpus_files
from extractor.cli import plan_inputs
from extractor.normalise import read_text


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.stem)
def test_golden_json(path: Path, extractor, file_regression) -> None:
    (_, rel, label), = [x for x in plan_inputs([CORPUS]) if x[0] == path]
    doc = extractor.extract(read_text(path), doc_id=rel.stem, meta={"source": label})
    file_regression.check(doc.to_json(), extension=".json", basename=rel.stem, encoding="utf-8")
