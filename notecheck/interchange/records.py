"""The result record interchange entries return: the contract result (CONTRACT.md §2) plus
`text_sha256` (of the rebuilt, normalised text that evidence offsets point into) and
`interchange` (where the note came from: format, ids, mode; never note text)."""
from __future__ import annotations

import hashlib
from typing import Any, Mapping

from notecheck.models import Result


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def result_record(result: Result, text: str, source: Mapping[str, Any]) -> dict[str, Any]:
    record: dict[str, Any] = result.model_dump(mode="json")
    record["text_sha256"] = text_sha256(text)
    record["interchange"] = dict(source)
    return record
