"""Every span indexes the input text exactly, on the corpus and on the real articles."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import corpus_files
from extractor.normalise import read_text


def spans(doc) -> list[tuple[str, int, int]]:
    d = doc.model_dump()
    out = []
    for key in ("quantities", "comparisons", "quotes"):
        out += [(x["text"], x["start"], x["end"]) for x in d[key]]
    for c in d["comparisons"]:
        if c["period"]:
            out.append((c["period"]["text"], c["period"]["start"], c["period"]["end"]))
    for ind in d["indicators"]:
        out.append((ind["name"], ind["name_start"], ind["name_end"]))
        for ch in ind["changes"]:
            out.append((ch["amount"]["text"], ch["amount"]["start"], ch["amount"]["end"]))
            if ch["comparison"]:
                out.append((ch["comparison"]["text"], ch["comparison"]["start"], ch["comparison"]["end"]))
        if ind["period"]:
            out.append((ind["period"]["text"], ind["period"]["start"], ind["period"]["end"]))
    for key in ("organizations", "officials"):
        for item in d[key]:
            out += [(m["text"], m["start"], m["end"]) for m in item["mentions"]]
    return out


def check(extractor, text: str, doc=None) -> None:
    doc = doc or extractor.extract(text)
    for t, s, e in spans(doc):
        assert text[s:e] == t, (t, s, e)
    for s in doc.sentences:
        assert 0 <= s.start < s.end <= len(text)


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.stem)
def test_corpus_offsets(path: Path, extractor) -> None:
    check(extractor, read_text(path))


@pytest.mark.parametrize("text", [
    "Hoá chất tăng 5%, thuỷ sản giảm 2% so với tháng trước.",
    "Giá\u00a0tăng 5\u00a0% so\u200b với cùng kỳ.",
    "Gia\u0301 ta\u0306ng 5% so vơ\u0301i cu\u0300ng ky\u0300.",  # NFD input
    "“Doanh thu tăng 10%”, ông A nói — rõ ràng.",
    "",
    "\ufeffTăng 3%.",
])
def test_rewritten_and_odd_text_offsets(text: str, extractor) -> None:
    check(extractor, text)
