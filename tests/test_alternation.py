"""The trie alternation of ``extractor.rules`` matches exactly like the flat, longest-first one.

Every vocabulary scan of the extractors depends on this: the trie is only a faster way of writing
the same matcher, so both are compared on generated vocabularies and texts (with letters that
``re.I`` equates, and with what callers put after the group) and on the real rule files.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractor.normalise import normalise
from extractor.rules import alternation, flat_alternation, load_rules, rule_files

# what callers write after the group: nothing, a word end, a space, the end of the text, more words
AFTER = ["", r"(?![\w])", r"\s", r"\s*$", r"(?:\s+(?:{A}))*+(?!\w)", r"(?![\w&]|[-.]\w)"]
# "ſ" is "s" under re.I and "K" (Kelvin) is "k": the special cases re handles itself
ALPHABET = "aAbBđĐơƠsSſkKK .-&"
MODES = [(None, 0), (None, re.I), (False, 0), (True, re.I)]


def _pair(forms: list[str], after: str, flags: int, ignorecase: bool | None,
          not_after: str | None = None) -> tuple[re.Pattern[str], re.Pattern[str]]:
    flat, trie = flat_alternation(forms), alternation(forms, ignorecase=ignorecase, not_after=not_after)
    before = f"(?<!{not_after})" if not_after else ""
    return (re.compile(before + f"(?:{flat})" + after.replace("{A}", flat), flags),
            re.compile(f"(?:{trie})" + after.replace("{A}", trie), flags))


def _same(a: re.Pattern[str], b: re.Pattern[str], text: str) -> None:
    assert [m.span() for m in a.finditer(text)] == [m.span() for m in b.finditer(text)]
    for pos in range(len(text) + 1):
        ma, mb = a.match(text, pos), b.match(text, pos)
        assert (ma and ma.span()) == (mb and mb.span())


def test_shape() -> None:
    """Common prefixes are factored, longer continuations come first, the flag decides merging."""
    forms = ["Phó Giám đốc", "Phó Chủ tịch", "Phó", "Giám đốc"]
    assert alternation(forms) == r"Giám\ đốc|Phó(?:\ (?:Chủ\ tịch|Giám\ đốc)|)"
    assert alternation(["Ban", "ban"], ignorecase=True) == "Ban"
    assert alternation(["Ban", "ban"], ignorecase=False) == "Ban|ban"
    assert alternation(["Ban", "ban"]) == "B(?<=b)an|Ban|ban"  # right with and without re.I
    assert alternation(["ab"], not_after=r"[\w]") == r"a(?<![\w]a)b"
    assert alternation([]) == flat_alternation([]) == ""
    assert alternation([""]) == flat_alternation([""]) == ""


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(forms=st.lists(st.text(ALPHABET, min_size=0, max_size=6), min_size=0, max_size=12),
       text=st.text(ALPHABET, max_size=40), after=st.sampled_from(AFTER), mode=st.sampled_from(MODES),
       not_after=st.sampled_from([None, r"[\w]", r"[\w&.\-]"]))
def test_generated(forms: list[str], text: str, after: str, mode: tuple[bool | None, int],
                   not_after: str | None) -> None:
    """Random vocabularies with case variants, prefixes of each other and the empty form."""
    ignorecase, flags = mode
    if not_after and "" in forms:
        forms = [f for f in forms if f]  # callers never pass an empty form with a look-behind
    text = text + " " + " ".join(forms[:3]) + text[:7]
    _same(*_pair(forms, after, flags, ignorecase, not_after), text)


def _vocabularies() -> dict[str, list[str]]:
    """Every list of strings (and every mapping's keys) in the rule files."""
    out: dict[str, list[str]] = {}

    def walk(name: str, v: object) -> None:
        if isinstance(v, list) and v and all(isinstance(x, str) for x in v):
            out[name] = v
        elif isinstance(v, dict):
            if len(v) > 2 and all(isinstance(x, str) for x in v):
                out[name + ":keys"] = list(v)
            for k, x in v.items():
                walk(f"{name}.{k}", x)

    for path in rule_files():
        for key, value in load_rules(path.name).items():
            if key != "examples":
                walk(f"{path.name}:{key}", value)
    people = load_rules("officials.yaml")
    out["titles+roles"] = people["titles"] + people["roles"]
    return out


VOCABULARIES = _vocabularies()
# a third of corpus/ (about 20,000 characters) keeps the comparisons to a few seconds
CORPUS = "\n".join(normalise(p.read_text(encoding="utf-8")).text
                   for p in sorted((Path(__file__).parents[1] / "corpus").glob("*.txt"))[::3])


@pytest.mark.parametrize("name", sorted(VOCABULARIES))
def test_rule_vocabularies_on_corpus(name: str) -> None:
    """The real vocabularies give the same matches over the corpus, in every mode."""
    forms = VOCABULARIES[name]
    for ignorecase, flags in MODES:
        for text in ((CORPUS,) if flags else (CORPUS, CORPUS.lower())):
            for after, not_after in ((r"(?![\w])", r"[\w]"), (r"\s*$", None)):
                a, b = _pair(forms, after, flags, ignorecase, not_after)
                assert [m.span() for m in a.finditer(text)] == [m.span() for m in b.finditer(text)], (name, after)
