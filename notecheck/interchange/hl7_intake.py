"""One HL7 message in, one ACK and (maybe) one result out: the step the CLI, the audit, the
service route and the MLLP listener share. Checking is the caller's (a Checker, or the service's
Engine); `respond` turns its outcome into the ACK and the record."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional, Union

from notecheck.budget import CheckTimeout
from notecheck.interchange.ack import build_ack
from notecheck.interchange.hl7_message import (
    DEFAULT_DOCUMENT_TYPES,
    Hl7Error,
    Hl7Parsed,
    InboundDocument,
    parse_message,
)
from notecheck.interchange.records import result_record
from notecheck.models import ClaimContext, Result
from notecheck.reader import DEFAULT_MAX_BYTES, NoteInputError

CheckFn = Callable[[str, ClaimContext, str], Result]


@dataclass(frozen=True)
class Hl7Exchange:
    ack: str
    ack_code: str
    control_id: str
    event: str
    size: int
    note_id: Optional[str] = None
    record: Optional[dict[str, Any]] = None  # the result record (AA with a document)
    skipped: Optional[str] = None  # AA without a check: why
    error: Optional[str] = None  # AE / AR: why (safe to log)

    def response(self) -> dict[str, Any]:
        """The body of POST /v1/hl7."""
        body: dict[str, Any] = {"ack": self.ack, "result": self.record}
        if self.skipped:
            body["skipped"] = self.skipped
        if self.error:
            body["detail"] = self.error
        return body

    def sink_record(self) -> dict[str, Any]:
        """One line of the listener's output: ids, the ACK code, and the result or the reason."""
        record: dict[str, Any] = {
            "control_id": self.control_id, "note_id": self.note_id, "event": self.event, "ack_code": self.ack_code,
        }
        if self.record is not None:
            record["result"] = self.record
        if self.skipped:
            record["skipped"] = self.skipped
        if self.error:
            record["error"] = self.error
        return record


def _exchange(parsed: Hl7Parsed, **kwargs: Any) -> Hl7Exchange:
    return Hl7Exchange(control_id=parsed.control_id, event=parsed.event, size=parsed.size, **kwargs)


def respond(parsed: Hl7Parsed, outcome: Union[Result, BaseException, None] = None) -> Hl7Exchange:
    """The exchange for a parsed message; `outcome` is the check's result (or what it raised)
    when `parsed` holds a document."""
    if parsed.error is not None:
        err = parsed.error
        return _exchange(parsed, ack=build_ack(parsed, err.ack, err), ack_code=err.ack, error=err.message)
    if parsed.skipped is not None:
        skip = parsed.skipped
        return _exchange(parsed, ack=build_ack(parsed, "AA"), ack_code="AA", skipped=skip.reason, note_id=skip.note_id)
    doc = parsed.document
    assert doc is not None, "respond() needs an interpreted message"
    if isinstance(outcome, Result):
        record = result_record(outcome, doc.text, doc.describe())
        return _exchange(parsed, ack=build_ack(parsed, "AA"), ack_code="AA", note_id=doc.note_id, record=record)
    if isinstance(outcome, NoteInputError):
        err = Hl7Error("AE", 102, "OBX^1^5", str(outcome))
    elif isinstance(outcome, CheckTimeout):
        err = Hl7Error("AE", 207, "OBX^1^5", "the check ran out of its time budget")
    else:
        name = type(outcome).__name__ if outcome is not None else "no result"
        err = Hl7Error("AE", 207, "OBX^1^5", f"the checker failed on this note ({name})")
    return _exchange(parsed, ack=build_ack(parsed, "AE", err), ack_code="AE", note_id=doc.note_id, error=err.message)


def check_document(check: CheckFn, doc: InboundDocument) -> Union[Result, BaseException]:
    try:
        return check(doc.text, doc.claim_context, doc.note_id)
    except Exception as exc:  # one bad note is an AE for that message, never a crash
        return exc


def process_hl7(
    raw: Union[bytes, str],
    check: CheckFn,
    accepted_types: frozenset[str] = DEFAULT_DOCUMENT_TYPES,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Hl7Exchange:
    parsed = parse_message(raw, accepted_types, max_bytes)
    doc = parsed.document
    return respond(parsed, check_document(check, doc) if doc is not None else None)
