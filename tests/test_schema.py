"""The committed JSON Schema is generated from the models and every output validates against it."""
from __future__ import annotations

import json

import jsonschema
import pytest

from conftest import OUTPUTS, ROOT
from extractor.output import schema_text

SCHEMA = ROOT / "schema" / "document.schema.json"


def test_committed_schema_is_current() -> None:
    assert SCHEMA.read_text(encoding="utf-8") == schema_text(), "schema is stale: run `make schema`"


@pytest.mark.parametrize("path", sorted(OUTPUTS.rglob("*.json")), ids=lambda p: p.stem)
def test_outputs_validate(path) -> None:
    jsonschema.validate(json.loads(path.read_text(encoding="utf-8")), json.loads(SCHEMA.read_text(encoding="utf-8")))


def test_serialisation_format(extractor) -> None:
    text = extractor.extract("Giá tăng 2% so với tháng trước, đạt 1.200 tỷ đồng “ổn định”.", doc_id="x").to_json()
    assert text.endswith("}\n") and "\n  \"schema_version\": \"1.0\"," in text
    assert "\\u" not in text and "tỷ đồng" in text  # UTF-8, no escapes
    data = json.loads(text)
    q = data["quantities"][0]
    assert q["number"] == 2 and isinstance(q["number"], int) and '"number": 2,' in text
    assert "NaN" not in text
