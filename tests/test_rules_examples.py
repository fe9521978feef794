"""Every rule file carries its own examples; each example is a test case (Duckling-style).

quantities.yaml  → the quantities found; periods.yaml → the periods; comparisons.yaml → the
comparison bases; indicators.yaml → the indicators; abbreviations.yaml → the sentences.
"""
from __future__ import annotations

from typing import Any

import pytest

from extractor.evaluate import period_key as _ym
from extractor.models import Meta
from extractor.periods import PeriodFinder
from extractor.rules import load_rules


def _examples(name: str) -> list[Any]:
    return load_rules(name)["examples"]



def _ids(examples: list[dict]) -> list[str]:
    return [e["text"][:60] for e in examples]


@pytest.mark.parametrize("ex", _examples("quantities.yaml"), ids=_ids(_examples("quantities.yaml")))
def test_quantity_examples(ex: dict, extractor) -> None:
    got = extractor.extract(ex["text"]).to_dict()["quantities"]
    want = ex["expect"]
    assert [q["text"] for q in got] == [w["text"] for w in want]
    for q, w in zip(got, want):
        assert q["number"] == pytest.approx(w["number"]), w["text"]
        assert q["unit"] == w["unit"] and q["kind"] == w["kind"], w["text"]
        assert q["qualifier"] == w.get("qualifier"), w["text"]
        assert q["low"] == w.get("low") and q["high"] == w.get("high"), w["text"]


@pytest.mark.parametrize("ex", _examples("periods.yaml"), ids=_ids(_examples("periods.yaml")))
def test_period_examples(ex: dict, extractor) -> None:
    ctx = extractor.context(ex["text"], Meta(published=ex.get("published")))
    got = [{"text": ctx.text[p.nstart:p.nend], "year": p.year, "month": p.month, "quarter": p.quarter,
            "months": p.months, "day": p.day} for p in PeriodFinder().find(ctx)]
    want = [{"year": None, "month": None, "quarter": None, "months": None, "day": None} | w for w in ex["expect"]]
    assert got == want


@pytest.mark.parametrize("ex", _examples("comparisons.yaml"), ids=_ids(_examples("comparisons.yaml")))
def test_comparison_examples(ex: dict, extractor) -> None:
    got = extractor.extract(ex["text"]).to_dict()["comparisons"]
    assert [(c["text"], c["kind"]) for c in got] == [(w["text"], w["kind"]) for w in ex["expect"]]
    for c, w in zip(got, ex["expect"]):
        if "period" in w:
            assert _ym(c["period"]) == w["period"], w["text"]


@pytest.mark.parametrize("ex", _examples("indicators.yaml"), ids=_ids(_examples("indicators.yaml")))
def test_indicator_examples(ex: dict, extractor) -> None:
    got = extractor.extract(ex["text"], meta={"published": ex.get("published")}).to_dict()["indicators"]
    assert [i["name"] for i in got] == [w["name"] for w in ex["expect"]]
    for ind, w in zip(got, ex["expect"]):
        if "period" in w:
            assert _ym(ind["period"]) == w["period"], w["name"]
        assert ind["estimated"] == w.get("estimated", False), w["name"]
        assert ind["parent"] == w.get("parent"), w["name"]
        if "value" in w:
            assert ind["value"] is not None, w["name"]
            assert ind["value"]["number"] == pytest.approx(w["value"]["number"])
            assert ind["value"]["unit"] == w["value"]["unit"]
            assert ind["value"]["qualifier"] == w["value"].get("qualifier")
        else:
            assert ind["value"] is None, w["name"]
        if "share" in w:
            assert ind["share"]["amount"]["number"] == w["share"]["number"] and ind["share"]["of"] == w["share"]["of"]
        if "plan_ratio" in w:
            assert ind["plan_ratio"]["number"] == w["plan_ratio"]
        got_ch = [(c["direction"], c["amount"]["number"], c["amount"]["unit"],
                   c["comparison"]["kind"] if c["comparison"] else None,
                   _ym(c["comparison"]["period"]) if c["comparison"] else None, _ym(c["period"]))
                  for c in ind["changes"]]
        want_ch = [(c["direction"], pytest.approx(c["number"]), c["unit"], c["base"], c.get("base_period"),
                    c.get("of_period")) for c in w["changes"]]
        assert got_ch == want_ch, w["name"]


@pytest.mark.parametrize("ex", _examples("abbreviations.yaml"), ids=_ids(_examples("abbreviations.yaml")))
def test_sentence_examples(ex: dict, extractor) -> None:
    doc = extractor.extract(ex["text"])
    assert [ex["text"][s.start:s.end] for s in doc.sentences] == ex["sentences"]


def test_there_are_enough_examples() -> None:
    from extractor.rules import rule_files, parse_rules

    total = sum(len(parse_rules(p.read_text(encoding="utf-8"), str(p)).get("examples", [])) for p in rule_files())
    assert total >= 150
