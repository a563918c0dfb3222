"""One HL7 v2 message -> the operative note it carries (INTEGRATIONS.md §1.2-1.3).

`hl7` (python-hl7 0.4.5) splits segments and fields; we never call its `unescape` (see
hl7_escape). Accepted: MDM^T02/T04/T06/T08/T10 (TXA + OBX) and ORU^R01 (OBR + OBX). Outcomes:

* an `InboundDocument` (the rebuilt, normalised text and what TXA/OBR say about it);
* a `Skipped` reason (not an operative report, a cancelled/obsolete document, a notification
  without content): the sender gets AA, because routing belongs to the interface engine and a
  rejection would only start a resend loop;
* an `Hl7Error` (AE for bad content, AR for a message type/event/version/processing id we do not
  take), carrying the HL7 table 0357 code and the ERR-2 location.

Error messages name segments, fields, codes and sizes, never field text.
"""
from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Iterator, Literal, Optional, Union

import hl7

from notecheck.interchange.hl7_escape import Delimiters, decode_text
from notecheck.models import BilledLine, ClaimContext
from notecheck.reader import DEFAULT_MAX_BYTES, NoteInputError, validate_text

Mode = Literal["pre_sign", "audit"]
AckCode = Literal["AA", "AE", "AR"]

# HL7 table 0270 code for an operative report; sites add local codes through `accepted_types`.
DEFAULT_DOCUMENT_TYPES = frozenset({"OP"})
# LOINC codes of operative notes (C-CDA SurgicalOperationNoteDocumentTypeCode value set) and
# US Core's "Procedure note" (INTEGRATIONS.md §1.8); shared with the FHIR intake.
OPERATIVE_NOTE_LOINC = frozenset(
    {"11504-8", "34868-0", "34870-6", "34874-8", "34137-0", "28573-4", "78240-9", "28570-0"}
)
CONTENT_EVENTS = {"T02": "original", "T04": "status_change", "T06": "addendum", "T08": "edit", "T10": "replacement"}
NOTIFICATION_EVENTS = {"T01", "T03", "T05", "T07", "T09", "T11"}
# Table 0271 -> what kind of check (a design choice, INTEGRATIONS.md §1.2). DI/IP ("dictated",
# "in progress") still get a pre-sign check when the message does carry text.
COMPLETION_MODE: dict[str, Mode] = {
    "DO": "pre_sign", "IN": "pre_sign", "PA": "pre_sign", "DI": "pre_sign", "IP": "pre_sign",
    "AU": "audit", "LA": "audit",
}
ORU_STATUS_MODE: dict[str, Mode] = {"P": "pre_sign", "F": "audit", "C": "audit"}
TEXT_TYPES = frozenset({"", "TX", "FT", "ST", "TEXT"})
PRESENTATIONS = frozenset({"", "TX", "FT", "ST", "TEXT"})
PROCESSING_IDS = frozenset({"", "P", "T", "D"})
# Interface engines that cut OBX-5 at a fixed size leave a value of exactly that size.
TRUNCATION_SIZES = frozenset({1000, 32767, 65535, 65536})
# MSH-18 (table 0211) -> Python codec.
CHARSETS = {
    "ASCII": "ascii", "ISO IR6": "ascii", "UNICODE UTF-8": "utf-8", "UTF-8": "utf-8", "UNICODE": "utf-8",
    "ISO IR192": "utf-8", "ISO IR100": "iso8859-1", "8859/1": "iso8859-1", "8859/2": "iso8859-2",
    "8859/3": "iso8859-3", "8859/4": "iso8859-4", "8859/5": "iso8859-5", "8859/6": "iso8859-6",
    "8859/7": "iso8859-7", "8859/8": "iso8859-8", "8859/9": "iso8859-9", "8859/15": "iso8859-15",
    "GB 18030-2000": "gb18030", "KS X 1001": "euc-kr", "BIG-5": "big5", "CNS 11643-1992": "big5",
    "WINDOWS-1252": "cp1252", "CP1252": "cp1252",
}
_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")


class Hl7Error(Exception):
    """A message we answer with AE or AR. `message` is safe to log and to put in ERR-8."""

    def __init__(self, ack: AckCode, code: int, location: str, message: str) -> None:
        super().__init__(message)
        self.ack: AckCode = ack
        self.code = code
        self.location = location
        self.message = message

    @property
    def code_text(self) -> str:
        return ERROR_TEXT.get(self.code, "Application error")


# Table 0357 (message error condition codes).
ERROR_TEXT = {
    0: "Message accepted", 100: "Segment sequence error", 101: "Required field missing", 102: "Data type error",
    103: "Table value not found", 104: "Value too long", 200: "Unsupported message type",
    201: "Unsupported event code", 202: "Unsupported processing id", 203: "Unsupported version id",
    207: "Application internal error",
}


@dataclass(frozen=True)
class InboundDocument:
    note_id: str
    text: str  # rebuilt from OBX-5, decoded, newlines normalised to "\n"
    mode: Mode
    event: str  # "MDM^T02", "ORU^R01", ...
    role: str  # original, addendum (T06: the addendum text only), edit, replacement, status_change
    parent_id: Optional[str]
    removal_date: Optional[date]
    control_id: str
    document_type: str
    charset: str
    warnings: tuple[str, ...] = ()
    # FT1 segments beside the document: what was billed for it (CONTRACT §3 billed_lines).
    billed_lines: tuple[BilledLine, ...] = ()

    @property
    def claim_context(self) -> ClaimContext:
        return ClaimContext(note_id=self.note_id, removal_date=self.removal_date, billed_lines=list(self.billed_lines) or None)

    def describe(self) -> dict[str, object]:
        """What the result carries about where the note came from (ids and codes, no PHI)."""
        return {
            "format": "hl7v2", "event": self.event, "control_id": self.control_id, "mode": self.mode,
            "role": self.role, "parent_id": self.parent_id, "document_type": self.document_type,
            "charset": self.charset, "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class Skipped:
    reason: str
    note_id: Optional[str] = None


@dataclass
class Hl7Parsed:
    """A message as far as it could be read: `message` is None only when there is no usable MSH."""

    message: Optional[hl7.Message]
    control_id: str
    event: str = ""
    outcome: Union[InboundDocument, Skipped, Hl7Error, None] = None
    size: int = 0
    warnings: list[str] = field(default_factory=list)
    charset: str = "utf-8"

    @property
    def document(self) -> Optional[InboundDocument]:
        return self.outcome if isinstance(self.outcome, InboundDocument) else None

    @property
    def error(self) -> Optional[Hl7Error]:
        return self.outcome if isinstance(self.outcome, Hl7Error) else None

    @property
    def skipped(self) -> Optional[Skipped]:
        return self.outcome if isinstance(self.outcome, Skipped) else None


# --- bytes -> segments -------------------------------------------------------------------------


def _msh_fields(data: bytes) -> list[str]:
    """MSH's fields from the raw bytes (MSH is ASCII), so that MSH-18 can pick the codec."""
    start = data.find(b"MSH")
    if start < 0:
        return []
    line = re.split(rb"[\r\n]", data[start:], maxsplit=1)[0].decode("latin-1")
    if len(line) < 4:
        return []
    return line.split(line[3])


def _decode(data: bytes, declared: str, warnings: list[str]) -> tuple[str, str]:
    """The message text and the codec used: MSH-18's, else UTF-8, else cp1252."""
    codec = CHARSETS.get(declared.strip().upper()) if declared.strip() else None
    if declared.strip() and codec is None:
        warnings.append("MSH-18 charset is not one notecheck knows; read as UTF-8 (else cp1252)")
    if codec:
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError:
            warnings.append(f"message bytes are not valid {codec} as MSH-18 says; read as UTF-8 (else cp1252)")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def split_segments(text: str, field_sep: str = "|") -> list[str]:
    """Segments of one message. CR, LF and CRLF all end a segment; a line that does not start
    like a segment (a raw line break inside OBX-5) is put back onto the segment it broke."""
    segment_start = re.compile(r"[A-Z][A-Z0-9]{2}" + re.escape(field_sep or "|"))
    segments: list[str] = []
    for line in re.split(r"\r\n|\r|\n", text.strip("\x0b\x1c\r\n\x0c ")):
        if segments and not segment_start.match(line):
            segments[-1] += "\n" + line
        elif line.strip():
            segments.append(line)
    return [s.rstrip("\n") for s in segments]


def read_message(raw: Union[bytes, str]) -> Hl7Parsed:
    """Parse the envelope. Never raises: an unreadable message is an Hl7Parsed with an AR error."""
    data = raw.encode("utf-8") if isinstance(raw, str) else raw
    fields = _msh_fields(data)
    warnings: list[str] = []
    if not fields or not data.lstrip(b"\x0b\r\n\x0c \t\xef\xbb\xbf").startswith(b"MSH") or len(fields) < 2:
        return Hl7Parsed(None, "", outcome=Hl7Error("AR", 100, "MSH", "message does not start with an MSH segment"),
                         size=len(data))
    declared = fields[17].split(fields[1][1:2] or "~")[0] if len(fields) > 17 else ""
    if isinstance(raw, str):
        # Already text: MSH-18 only says how to read \X..\ bytes.
        text, codec = raw, CHARSETS.get(declared.strip().upper(), "utf-8")
    else:
        text, codec = _decode(data, declared, warnings)
    segments = split_segments(text, fields[0][3:4] if len(fields[0]) > 3 else "|")
    try:
        message = hl7.parse("\r".join(segments))
    except Exception as exc:  # python-hl7 raises assorted errors on mangled headers
        return Hl7Parsed(None, "", outcome=Hl7Error("AR", 100, "MSH", f"MSH cannot be parsed ({type(exc).__name__})"),
                         size=len(data))
    msh = message.segment("MSH")
    parsed = Hl7Parsed(message, _plain(msh, 10), size=len(data), warnings=warnings, charset=codec)
    parsed.event = f"{_plain(msh, 9, 1)}^{_plain(msh, 9, 2)}"
    return parsed


# --- field access ---------------------------------------------------------------------------------


def _raw(segment: hl7.Segment, index: int) -> str:
    """The field as written (components re-joined), '' when the segment is shorter."""
    return str(segment[index]) if index < len(segment) else ""


def _plain(segment: hl7.Segment, index: int, component: int = 1) -> str:
    """One component, stripped and de-escaped with default delimiters (codes and ids only)."""
    value = _raw(segment, index)
    if not value:
        return ""
    delims = _delimiters_of(segment)
    parts = value.split(delims.repetition)[0].split(delims.component)
    return decode_text(parts[component - 1], delims).strip() if component <= len(parts) else ""


def _delimiters_of(segment: hl7.Segment) -> Delimiters:
    # python-hl7's separators: segment, field, repetition, component, sub-component
    seps = getattr(segment, "separators", "\r|~^&")
    seps = (seps + "\r|~^&"[len(seps):])[:5]
    return Delimiters(field=seps[1], repetition=seps[2], component=seps[3], subcomponent=seps[4],
                      escape=getattr(segment, "esc", "\\") or "\\")


def _entity_id(segment: hl7.Segment, index: int) -> str:
    """An EI as note id: entity id, with '^namespace' when there is one (CONTRACT §6)."""
    entity, namespace = _plain(segment, index, 1), _plain(segment, index, 2)
    if not entity:
        return ""
    return f"{entity}^{namespace}" if namespace else entity


def _hl7_date(value: str) -> Optional[date]:
    match = _DATE.match(value)
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


# --- the document --------------------------------------------------------------------------------


def interpret(
    parsed: Hl7Parsed,
    accepted_types: frozenset[str] = DEFAULT_DOCUMENT_TYPES,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Hl7Parsed:
    """Fill `parsed.outcome` (unless reading already failed) and return it."""
    if parsed.outcome is not None or parsed.message is None:
        return parsed
    try:
        parsed.outcome = _interpret(parsed, accepted_types, max_bytes)
    except Hl7Error as exc:
        parsed.outcome = exc
    return parsed


def parse_message(
    raw: Union[bytes, str],
    accepted_types: frozenset[str] = DEFAULT_DOCUMENT_TYPES,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Hl7Parsed:
    return interpret(read_message(raw), accepted_types, max_bytes)


def _interpret(parsed: Hl7Parsed, accepted_types: frozenset[str], max_bytes: int) -> Union[InboundDocument, Skipped]:
    message = parsed.message
    assert message is not None
    msh = message.segment("MSH")
    version = _plain(msh, 12)
    if not version.startswith("2."):
        raise Hl7Error("AR", 203, "MSH^1^12", "unsupported HL7 version (notecheck reads v2.x)")
    if _plain(msh, 11).upper() not in PROCESSING_IDS:
        raise Hl7Error("AR", 202, "MSH^1^11", "unsupported processing id (P, T or D)")
    kind, event = _plain(msh, 9, 1).upper(), _plain(msh, 9, 2).upper()
    delims = Delimiters.from_msh(_raw(msh, 1), _raw(msh, 2))
    codec = parsed.charset
    warnings = tuple(parsed.warnings)
    if kind == "MDM":
        if event in NOTIFICATION_EVENTS:
            return Skipped(f"MDM^{event} carries no document text")
        if event not in CONTENT_EVENTS:
            raise Hl7Error("AR", 201, "MSH^1^9^2", "unsupported MDM event")
        return _mdm(message, event, parsed.control_id, delims, codec, accepted_types, max_bytes, warnings)
    if kind == "ORU":
        if event != "R01":
            raise Hl7Error("AR", 201, "MSH^1^9^2", "unsupported ORU event (R01 only)")
        return _oru(message, parsed.control_id, delims, codec, accepted_types, max_bytes, warnings)
    raise Hl7Error("AR", 200, "MSH^1^9", "unsupported message type (MDM or ORU only)")


def _segments(message: hl7.Message, name: str) -> list[hl7.Segment]:
    try:
        return list(message.segments(name))
    except KeyError:
        return []


def _obx_codes(obxs: list[hl7.Segment]) -> set[str]:
    return {_plain(obx, 3, 1) for obx in obxs} | {_plain(obx, 3, 4) for obx in obxs}


def _mdm(
    message: hl7.Message, event: str, control_id: str, delims: Delimiters, codec: str,
    accepted_types: frozenset[str], max_bytes: int, warnings: tuple[str, ...],
) -> Union[InboundDocument, Skipped]:
    txas = _segments(message, "TXA")
    if not txas:
        raise Hl7Error("AE", 100, "TXA", "MDM message has no TXA segment")
    txa = txas[0]
    obxs = _segments(message, "OBX")
    doc_type = _plain(txa, 2).upper()
    note_id = _entity_id(txa, 12)
    if doc_type not in accepted_types and not (not doc_type and _obx_codes(obxs) & OPERATIVE_NOTE_LOINC):
        return Skipped(f"document type {doc_type or '(none)'} is not an operative report", note_id or None)
    availability = _plain(txa, 19).upper()
    if availability in ("CA", "OB"):
        return Skipped(f"document availability {availability} (cancelled or obsolete)", note_id or None)
    if _plain(txa, 3).upper() not in PRESENTATIONS:
        raise Hl7Error("AE", 102, "TXA^1^3", "unsupported document presentation (TX or FT)")
    if not note_id:
        raise Hl7Error("AE", 101, "TXA^1^12", "unique document number is missing")
    status = _plain(txa, 17).upper()
    if not status:
        raise Hl7Error("AE", 101, "TXA^1^17", "document completion status is missing")
    if status not in COMPLETION_MODE:
        raise Hl7Error("AE", 103, "TXA^1^17", "document completion status not in table 0271")
    text, text_warnings = _rebuild(obxs, delims, codec, max_bytes)
    activity = _plain(txa, 4)
    removal = _hl7_date(activity)
    if activity and removal is None:
        text_warnings.append("TXA-4 is not a date; no removal date")
    return InboundDocument(
        note_id=note_id, text=text, mode=COMPLETION_MODE[status], event=f"MDM^{event}", role=CONTENT_EVENTS[event],
        parent_id=_entity_id(txa, 13) or None, removal_date=removal, control_id=control_id,
        document_type=doc_type, charset=codec, warnings=warnings + tuple(text_warnings),
        billed_lines=_ft1_lines(message),
    )


def _oru(
    message: hl7.Message, control_id: str, delims: Delimiters, codec: str,
    accepted_types: frozenset[str], max_bytes: int, warnings: tuple[str, ...],
) -> Union[InboundDocument, Skipped]:
    obrs = _segments(message, "OBR")
    if not obrs:
        raise Hl7Error("AE", 100, "OBR", "ORU message has no OBR segment")
    obr = obrs[0]
    obxs = _segments(message, "OBX")
    note_id = _entity_id(obr, 3) or _entity_id(obr, 2) or control_id
    codes = {_plain(obr, 4, 1).upper(), _plain(obr, 4, 4).upper()} - {""}
    if not codes & (OPERATIVE_NOTE_LOINC | accepted_types):
        shown = _plain(obr, 4, 1) or "(none)"
        return Skipped(f"universal service id {shown} is not an operative note", note_id)
    status = _plain(obr, 25).upper() or (_plain(obxs[0], 11).upper() if obxs else "")
    if status in ("X", "D"):
        return Skipped(f"result status {status} (cancelled or deleted)", note_id)
    if not status:
        raise Hl7Error("AE", 101, "OBR^1^25", "result status is missing")
    if status not in ORU_STATUS_MODE:
        raise Hl7Error("AE", 103, "OBR^1^25", "result status not P, F or C")
    text, text_warnings = _rebuild(obxs, delims, codec, max_bytes)
    observed = _plain(obr, 7)
    removal = _hl7_date(observed)
    if observed and removal is None:
        text_warnings.append("OBR-7 is not a date; no removal date")
    return InboundDocument(
        note_id=note_id, text=text, mode=ORU_STATUS_MODE[status], event="ORU^R01",
        role="correction" if status == "C" else "original", parent_id=None, removal_date=removal,
        control_id=control_id, document_type=_plain(obr, 4, 1), charset=codec,
        warnings=warnings + tuple(text_warnings), billed_lines=_ft1_lines(message),
    )


def _ft1_lines(message: hl7.Message) -> tuple[BilledLine, ...]:
    """Billed lines from FT1 segments (HL7 v2.5 ch. 6): FT1-25 procedure code, FT1-26 modifiers
    (repeating), FT1-10 quantity, FT1-4 transaction date."""
    lines = []
    for i, ft1 in enumerate(_segments(message, "FT1"), start=1):
        code = _plain(ft1, 25)
        if not code:
            continue
        delims = _delimiters_of(ft1)
        modifiers = [m.split(delims.component)[0].strip() for m in _raw(ft1, 26).split(delims.repetition) if m.strip()]
        quantity = _plain(ft1, 10)
        try:
            lines.append(BilledLine(cpt=code, units=int(float(quantity)) if quantity else 1, modifiers=modifiers,
                                    service_date=_hl7_date(_plain(ft1, 4))))
        except ValueError:
            raise Hl7Error("AE", 102, f"FT1^{i}^25", "FT1 is not a valid billed line") from None
    return tuple(lines)


def _rebuild(obxs: list[hl7.Segment], delims: Delimiters, codec: str, max_bytes: int) -> tuple[str, list[str]]:
    """The note text: OBX-5 values in order, one line per OBX and per repetition, escapes decoded,
    leading spaces kept, CR/CRLF normalised to LF."""
    if not obxs:
        raise Hl7Error("AE", 101, "OBX", "message has no OBX segment (no note text)")
    lines: list[str] = []
    warnings: list[str] = []
    size = 0
    for position, obx in enumerate(obxs, start=1):
        value_type = _plain(obx, 2).upper()
        raw = _raw(obx, 5)
        if len(raw) in TRUNCATION_SIZES:
            warnings.append(f"OBX {position} value is exactly {len(raw)} characters (an interface engine may have cut it)")
        if value_type == "ED":
            lines.append(_encapsulated(raw, position, delims, codec))
        elif value_type in TEXT_TYPES:
            lines.extend(decode_text(rep, delims, codec) for rep in raw.split(delims.repetition))
        else:
            continue  # coded or numeric observations are not note text
        size += len(lines[-1])
        if size > max_bytes:
            raise Hl7Error("AE", 104, f"OBX^{position}^5", f"note text is over the {max_bytes:,}-character limit")
    text = "\n".join(lines).replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise Hl7Error("AE", 101, "OBX^1^5", "Operative note text is empty")
    try:
        validate_text(text, max_bytes)
    except NoteInputError as exc:
        raise Hl7Error("AE", 102, "OBX^1^5", str(exc)) from None
    return text, warnings


def _encapsulated(raw: str, position: int, delims: Delimiters, codec: str) -> str:
    """ED (source^type^subtype^encoding^data): only plain text is read in v1."""
    parts = raw.split(delims.component)
    parts += [""] * (5 - len(parts))
    data_type, subtype, encoding = parts[1].upper(), parts[2].upper(), parts[3].upper()
    data = delims.component.join(parts[4:])
    if data_type not in ("TEXT", "TX") and subtype not in ("PLAIN", "TEXT/PLAIN"):
        raise Hl7Error("AE", 102, f"OBX^{position}^5", "encapsulated data other than plain text is not supported")
    if encoding == "BASE64":
        try:
            payload = base64.b64decode(decode_text(data, delims, codec), validate=False)
            return payload.decode("utf-8-sig")
        except (binascii.Error, ValueError):
            raise Hl7Error("AE", 102, f"OBX^{position}^5", "encapsulated text is not valid base64 UTF-8") from None
    if encoding in ("A", ""):
        return decode_text(data, delims, codec)
    raise Hl7Error("AE", 102, f"OBX^{position}^5", "encapsulated data encoding must be Base64 or A")


# --- files of messages ----------------------------------------------------------------------------


def split_batch(data: bytes) -> Iterator[bytes]:
    """The messages of a file: MLLP-framed, an FHS/BHS batch, or messages one after the other
    (each starting at its MSH). Batch header/trailer segments are dropped."""
    if b"\x0b" in data and b"\x1c" in data:
        for frame in data.split(b"\x0b")[1:]:
            body = frame.split(b"\x1c", 1)[0]
            if body.strip():
                yield body
        return
    current: list[bytes] = []
    for line in re.split(rb"\r\n|\r|\n|\x0c", data.lstrip(b"\xef\xbb\xbf")):
        head = line[:3]
        if head in (b"FHS", b"BHS", b"BTS", b"FTS") and line[3:4] in (b"|", b""):
            continue
        if head == b"MSH":
            if current:
                yield b"\r".join(current)
            current = [line]
        elif current:
            current.append(line)
    if current:
        yield b"\r".join(current)


def looks_like_hl7(data: bytes) -> bool:
    """Whether bytes start like an HL7 v2 message or batch (MSH/FHS/BHS and a field separator)."""
    head = data.lstrip(b"\xef\xbb\xbf\x0b\r\n\x0c \t")
    sep = head[3:4]
    return head[:3] in (b"MSH", b"FHS", b"BHS") and bool(sep) and not sep.isalnum() and not sep.isspace()
