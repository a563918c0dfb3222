"""JSON request bodies: what a decode failure means for the caller (422 details that never quote
the body), and the /v1/check/batch body parsed with its note count capped before anything is built.

Why a parser of our own for the batch: `json.loads` builds every note before the 100-note cap can
be checked, so 16 MiB of tiny notes meant a million dicts (and a million pydantic models) before
the 413. Here the top-level object is walked with the standard library's C scanner, and the
`notes` array one element at a time: the (max_batch + 1)-th element stops the parse. It runs on a
worker thread (`run_in_threadpool`), never on the event loop.
"""
from __future__ import annotations

import email.message
import json
import re
from json.decoder import scanstring
from typing import Any, Optional

from pydantic import ValidationError

from service.models import BatchRequest

_DECODER = json.JSONDecoder()
_WHITESPACE = re.compile(r"[ \t\n\r]*")


class BodyError(Exception):
    """A request body refused before the route runs: `status` and the JSON `detail` to answer."""

    def __init__(self, status: int, detail: Any) -> None:
        super().__init__(status)
        self.status = status
        self.detail = detail


class TooManyNotes(BodyError):
    def __init__(self, max_batch: int) -> None:
        # 413 (not 422): the request is well-formed, only larger than this server accepts.
        super().__init__(413, f"batch has more than {max_batch} notes, over the limit of {max_batch}")


def json_error_detail(exc: BaseException) -> list[dict[str, Any]]:
    """The 422 detail for a body `json.loads` refused. Each message says what is wrong, never
    where in the text beyond an offset, and never quotes it."""
    loc: list[Any] = ["body"]
    if isinstance(exc, json.JSONDecodeError):
        loc.append(exc.pos)
        msg = f"JSON decode error: {exc.msg}"
    elif isinstance(exc, UnicodeDecodeError):
        msg = "JSON decode error: body is not UTF-8 text"
    elif isinstance(exc, RecursionError):
        msg = "JSON decode error: nested too deeply"
    elif isinstance(exc, ValueError) and "integer string conversion" in str(exc):
        # Python refuses to convert integers of more than 4,300 digits (CVE-2020-10735).
        msg = "JSON decode error: a number has too many digits"
    else:
        msg = "JSON decode error"
    return [{"type": "json_invalid", "loc": loc, "msg": msg}]


def is_json_content_type(value: Optional[str]) -> bool:
    """FastAPI's rule for bodies it parses as JSON: application/json or application/*+json."""
    if not value:
        return False
    message = email.message.Message()
    message["content-type"] = value
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (subtype == "json" or subtype.endswith("+json"))


def _skip(doc: str, pos: int) -> int:
    match = _WHITESPACE.match(doc, pos)
    return match.end() if match else pos


def _notes(doc: str, pos: int, max_batch: int) -> tuple[list[Any], int]:
    """Decode the array starting at doc[pos] == "[", element by element, up to max_batch."""
    notes: list[Any] = []
    pos = _skip(doc, pos + 1)
    if doc.startswith("]", pos):
        return notes, pos + 1
    while True:
        if len(notes) == max_batch:
            raise TooManyNotes(max_batch)
        value, pos = _DECODER.raw_decode(doc, pos)
        notes.append(value)
        pos = _skip(doc, pos)
        if doc.startswith(",", pos):
            pos = _skip(doc, pos + 1)
        elif doc.startswith("]", pos):
            return notes, pos + 1
        else:
            raise json.JSONDecodeError("Expecting ',' delimiter", doc, pos)


def _batch_object(doc: str, max_batch: int) -> dict[str, Any]:
    """`json.loads(doc)` for a top-level object, with the `notes` array capped (see module doc)."""
    pos = _skip(doc, 0)
    if not doc.startswith("{", pos):
        if pos == len(doc):
            raise json.JSONDecodeError("Expecting value", doc, pos)
        # Valid JSON or not, a body that is not an object is no batch; nothing more is decoded.
        raise BodyError(422, [{"type": "dict_type", "loc": ["body"], "msg": "body must be a JSON object"}])
    result: dict[str, Any] = {}
    pos = _skip(doc, pos + 1)
    if doc.startswith("}", pos):
        pos += 1
    else:
        while True:
            if not doc.startswith('"', pos):
                raise json.JSONDecodeError("Expecting property name enclosed in double quotes", doc, pos)
            key, pos = scanstring(doc, pos + 1)
            pos = _skip(doc, pos)
            if not doc.startswith(":", pos):
                raise json.JSONDecodeError("Expecting ':' delimiter", doc, pos)
            pos = _skip(doc, pos + 1)
            if key == "notes" and doc.startswith("[", pos):
                value, pos = _notes(doc, pos, max_batch)
            else:
                value, pos = _DECODER.raw_decode(doc, pos)
            result[key] = value
            pos = _skip(doc, pos)
            if doc.startswith(",", pos):
                pos = _skip(doc, pos + 1)
            elif doc.startswith("}", pos):
                pos += 1
                break
            else:
                raise json.JSONDecodeError("Expecting ',' delimiter", doc, pos)
    end = _skip(doc, pos)
    if end != len(doc):
        raise json.JSONDecodeError("Extra data", doc, end)
    return result


def _location(error: Any) -> list[Any]:
    return ["body", *error.get("loc", ())]


def parse_batch(raw: bytes, content_type: Optional[str], max_batch: int) -> BatchRequest:
    """The validated batch, or BodyError (413 for too many notes, 422 for anything malformed).

    Blocking (decoding and validation are CPU work): call it on a worker thread."""
    if not raw:
        raise BodyError(422, [{"type": "missing", "loc": ["body"], "msg": "Field required"}])
    if not is_json_content_type(content_type):
        raise BodyError(422, [{"type": "missing", "loc": ["body"],
                               "msg": "Field required: send the body as Content-Type: application/json"}])
    try:
        doc = raw.decode(json.detect_encoding(raw), "surrogatepass")
        payload = _batch_object(doc, max_batch)
    except BodyError:
        raise
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise BodyError(422, json_error_detail(exc)) from None
    try:
        return BatchRequest.model_validate(payload)
    except ValidationError as exc:
        # pydantic puts the offending value (for `text`, a whole note) in `input`: keep where and what.
        detail = [{"type": e["type"], "loc": _location(e), "msg": e["msg"]} for e in exc.errors()]
        raise BodyError(422, detail) from None
