"""vnextract: statistical and institutional facts from Vietnamese news as structured JSON.

    >>> from extractor import Extractor, extract
    >>> doc = Extractor().extract("Chỉ số giá tiêu dùng tháng 1 tăng 0,5% so với tháng trước.")
    >>> doc.to_json()  # deterministic JSON as ../shared/SPEC.md describes

Licensed GPL-3.0-or-later (it builds on underthesea, GPL-3.0).
"""
from .models import Document, SCHEMA_VERSION
from .normalise import DecodeError, decode_bytes, read_text
from .pipeline import Extractor, extract

__all__ = ["Extractor", "extract", "Document", "SCHEMA_VERSION", "DecodeError", "decode_bytes", "read_text"]
__version__ = "0.1.0"
