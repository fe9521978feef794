"""Decoding, the matching form and its offset map, sentences, word alignment, the spaCy Doc."""
from __future__ import annotations

import codecs
import unicodedata

import pytest

from extractor.normalise import DecodeError, decode_bytes, normalise
from extractor.tokenize import align_tokens, build_doc, tokenize


@pytest.mark.parametrize("data", [
    "Giá tăng 5%".encode("utf-8"),
    codecs.BOM_UTF8 + "Giá tăng 5%".encode("utf-8"),
    "Giá tăng 5%".encode("utf-16"),  # carries a BOM
    codecs.BOM_UTF16_BE + "Giá tăng 5%".encode("utf-16-be"),
])
def test_decode_supported_encodings(data: bytes) -> None:
    assert decode_bytes(data, "x.txt") == "Giá tăng 5%"


def test_decode_error_names_file_and_offset() -> None:
    with pytest.raises(DecodeError) as e:
        decode_bytes(b"Gi\xc3\xa1 t\xff", "bad.txt")
    assert e.value.offset == 6 and "bad.txt" in str(e.value) and "offset 6" in str(e.value)


@pytest.mark.parametrize("raw, want", [
    ("hoá học", "hóa học"),
    ("thuỷ sản", "thủy sản"),
    ("Hoà Bình", "Hòa Bình"),
    ("khoẻ", "khỏe"),
    ("hoàng", "hoàng"),       # tone stays where a final consonant follows
    ("quý I", "quý I"),        # qu- is a consonant: no change
    ("“a” – b — c", '"a" - b - c'),
    ("a\u00a0b", "a b"),
])
def test_matching_form(raw: str, want: str) -> None:
    assert normalise(raw).text == want


def test_offset_map_after_nfd_and_zero_width() -> None:
    raw = unicodedata.normalize("NFD", "Giá tăng") + "\u200b 5%"
    nt = normalise(raw)
    assert nt.text == "Giá tăng 5%"
    i = nt.text.index("5%")
    s, e = nt.to_orig(i, i + 2)
    assert raw[s:e] == "5%"
    s, e = nt.to_orig(0, 3)
    assert raw[s:e] == unicodedata.normalize("NFD", "Giá")


def test_alignment_survives_rewritten_tokens() -> None:
    norm = "Hoá  chất  tăng"
    spans = align_tokens(norm, ["Hóa chất", "tăng"])
    assert [norm[a:b] for a, b in spans] == ["Hoá  chất", "tăng"]


def test_tokens_and_doc_index_the_input() -> None:
    raw = "Sở Công Thương  TP.HCM cho biết, hoá chất tăng 5%.\nDòng hai"
    nt = normalise(raw)
    toks = tokenize(nt)
    assert all(raw[t.start:t.end].replace("oá", "óa") == t.text or raw[t.start:t.end] for t in toks)
    assert all(raw[t.start:t.end].strip() == raw[t.start:t.end] for t in toks)
    doc = build_doc(nt, toks)
    assert doc.text == raw
    for tok in doc:
        assert raw[tok.idx:tok.idx + len(tok.text)] == tok.text
    assert any(tok.norm_ == "hóa chất" for tok in doc)


def test_doc_supports_matcher_rules() -> None:
    from spacy.matcher import Matcher

    nt = normalise("Hoá chất tăng 5% so với cùng kỳ.")
    doc = build_doc(nt, tokenize(nt))
    matcher = Matcher(doc.vocab)
    matcher.add("SO_VOI", [[{"NORM": "so"}, {"NORM": "với"}]])
    matcher.add("HOA", [[{"NORM": {"IN": ["hóa", "hóa chất"]}}]])
    found = {doc.vocab.strings[m] : doc[s:e].text for m, s, e in matcher(doc)}
    assert found["SO_VOI"] == "so với" and found["HOA"] in ("Hoá", "Hoá chất")  # input text, matched on "hóa"
