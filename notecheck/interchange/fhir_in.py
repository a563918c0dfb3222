"""FHIR R4 DocumentReference (alone or in a Bundle) -> operative notes (INTEGRATIONS.md §1.8).

Validated with fhir.resources' R4B models (the package ships no R4 sub-package; the elements used
here are the same in R4). Text comes from `content[].attachment.data` with a `text/plain` content
type, decoded with its charset (default UTF-8). LOINC 11504-8 and its operative-note siblings are
accepted, not required: another type only adds a warning. Every problem is a `FhirInputError`
with an HTTP status, a FHIR issue type and a FHIRPath-like location; messages never quote the note.
"""
from __future__ import annotations

import codecs
import json
import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Literal, Optional, Union

from notecheck.interchange.hl7_message import OPERATIVE_NOTE_LOINC
from notecheck.models import BilledLine, ClaimContext
from notecheck.reader import DEFAULT_MAX_BYTES, NoteInputError, validate_text

Mode = Literal["pre_sign", "audit"]
LOINC = "http://loinc.org"
DOCUMENT_STATUS = {"current"}
SKIPPED_STATUS = {"superseded", "entered-in-error"}
DOC_STATUS_MODE: dict[str, Mode] = {"preliminary": "pre_sign", "final": "audit", "amended": "audit"}
MAX_ISSUES = 10
_CHARSET = re.compile(r";\s*charset\s*=\s*\"?([A-Za-z0-9._:-]+)", re.IGNORECASE)


class FhirInputError(ValueError):
    """Bad FHIR input, answered with an OperationOutcome and `status` (4xx)."""

    def __init__(self, status: int, message: str, expression: Optional[str] = None, code: str = "invalid",
                 issues: Optional[list[tuple[str, Optional[str]]]] = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        # (diagnostics, expression) pairs; the first is the headline.
        self.issues = issues or [(message, expression)]


@dataclass(frozen=True)
class FhirDocument:
    note_id: Optional[str]
    text: str  # the attachment's text, newlines normalised to "\n"
    mode: Mode
    reference: dict[str, Any]  # how output resources point back at this DocumentReference
    subject: Optional[dict[str, Any]] = None
    author: Optional[dict[str, Any]] = None
    removal_date: Optional[date] = None
    type_codes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    # From a Claim in the same Bundle (CONTRACT §3 billed_lines / place_of_service).
    billed_lines: tuple[BilledLine, ...] = ()
    place_of_service: Optional[str] = None

    @property
    def claim_context(self) -> ClaimContext:
        return ClaimContext(note_id=self.note_id, removal_date=self.removal_date,
                            billed_lines=list(self.billed_lines) or None, place_of_service=self.place_of_service)

    def describe(self) -> dict[str, object]:
        return {
            "format": "fhir", "reference": self.reference.get("reference") or self.reference.get("identifier", {}).get("value"),
            "mode": self.mode, "type_codes": list(self.type_codes), "warnings": list(self.warnings),
        }


@dataclass
class FhirIntake:
    documents: list[FhirDocument] = field(default_factory=list)
    skipped: list[tuple[Optional[str], str]] = field(default_factory=list)  # (note_id, reason)
    kind: str = "DocumentReference"  # the resource that came in: DocumentReference or Bundle


def _models() -> tuple[Any, Any]:
    # Imported on first use: the R4B models take about a second to import.
    from fhir.resources.R4B.bundle import Bundle
    from fhir.resources.R4B.documentreference import DocumentReference

    return DocumentReference, Bundle


def _validation_issues(exc: Any, root: str) -> list[tuple[str, Optional[str]]]:
    """pydantic's errors as (message, location); its `input` (possibly note text) is dropped."""
    issues: list[tuple[str, Optional[str]]] = []
    for err in exc.errors()[:MAX_ISSUES]:
        path = root
        for part in err.get("loc", ()):
            path += f"[{part}]" if isinstance(part, int) else f".{part}"
        issues.append((str(err.get("msg", "invalid value")), path))
    return issues


def load_json(payload: Union[bytes, str]) -> Any:
    try:
        return json.loads(payload)
    except (ValueError, UnicodeDecodeError) as exc:
        where = f" at line {exc.lineno} column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else ""
        raise FhirInputError(422, f"body is not valid JSON{where}", code="structure") from None


def looks_like_fhir(data: bytes) -> bool:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"{") and b'"resourceType"' in data[:1_000_000]


def read_fhir(payload: Union[bytes, str, dict], max_bytes: int = DEFAULT_MAX_BYTES) -> FhirIntake:
    """The notes of a DocumentReference or of a Bundle's DocumentReferences (entries and contained)."""
    obj = payload if isinstance(payload, dict) else load_json(payload)
    if not isinstance(obj, dict):
        raise FhirInputError(422, "body is not a FHIR resource (a JSON object)", code="structure")
    kind = obj.get("resourceType")
    if kind not in ("DocumentReference", "Bundle"):
        shown = kind if isinstance(kind, str) and kind.isalnum() and len(kind) < 64 else "missing"
        raise FhirInputError(422, f"resourceType {shown} is not accepted (DocumentReference or Bundle)",
                             "resourceType", code="not-supported")
    DocumentReference, Bundle = _models()
    model = DocumentReference if kind == "DocumentReference" else Bundle
    try:
        resource = model.model_validate(obj)
    except Exception as exc:  # pydantic ValidationError, or the library's own ValueErrors
        issues = _validation_issues(exc, kind) if hasattr(exc, "errors") else [(f"invalid {kind} ({type(exc).__name__})", kind)]
        raise FhirInputError(422, f"invalid {kind}: {issues[0][0]}", issues=issues) from None
    intake = FhirIntake(kind=kind)
    if kind == "DocumentReference":
        _add(intake, resource, "DocumentReference", None, max_bytes)
        return intake
    found = 0
    claims: list[tuple[Any, str]] = []
    for index, entry in enumerate(resource.entry or []):
        res = entry.resource
        if res is None:
            continue
        where = f"Bundle.entry[{index}].resource"
        if res.get_resource_type() == "Claim":
            claims.append((res, where))
        if res.get_resource_type() == "DocumentReference":
            found += 1
            _add(intake, res, where, entry.fullUrl, max_bytes)
        for c_index, contained in enumerate(getattr(res, "contained", None) or []):
            if contained.get_resource_type() == "DocumentReference":
                found += 1
                _add(intake, contained, f"{where}.contained[{c_index}]", None, max_bytes)
    if not found:
        raise FhirInputError(422, "the Bundle holds no DocumentReference", "Bundle.entry", code="required")
    if claims:
        _attach_claims(intake, claims)
    return intake


def _claim_lines(claim: Any, where: str) -> tuple[list[BilledLine], Optional[str]]:
    """A FHIR Claim's items as billed lines (CPT in productOrService, modifiers, quantity, servicedDate)
    and its place of service (an item's locationCodeableConcept, CMS POS code set)."""
    lines, places = [], set()
    for i, item in enumerate(claim.item or []):
        codes = [c.code for c in (item.productOrService.coding or []) if c.code] if item.productOrService else []
        if not codes:
            raise FhirInputError(422, f"{where}.item[{i}]: no procedure code", f"{where}.item[{i}].productOrService")
        modifiers = [c.code for m in (item.modifier or []) for c in (m.coding or [])[:1] if c.code]
        units = int(item.quantity.value) if item.quantity is not None and item.quantity.value is not None else 1
        try:
            lines.append(BilledLine(cpt=codes[0], units=units, modifiers=modifiers, service_date=item.servicedDate))
        except ValueError:
            raise FhirInputError(422, f"{where}.item[{i}]: not a valid billed line", f"{where}.item[{i}]") from None
        loc = item.locationCodeableConcept
        places.update(c.code for c in ((loc.coding or []) if loc is not None else []) if c.code)
    return lines, (next(iter(places)) if len(places) == 1 else None)


def _attach_claims(intake: FhirIntake, claims: list[tuple[Any, str]]) -> None:
    """One Claim in the Bundle bills every note in it; with several, a Claim bills the note its
    supportingInfo references (by fullUrl, reference or id)."""
    parsed = [(claim, *_claim_lines(claim, where)) for claim, where in claims]
    for n, doc in enumerate(intake.documents):
        refs = {doc.reference.get("reference"), f"DocumentReference/{doc.note_id}" if doc.note_id else None} - {None}
        match = [p for p in parsed if len(parsed) == 1 or any(
            getattr(info.valueReference, "reference", None) in refs for info in (p[0].supportingInfo or []))]
        if len(match) == 1:
            _, lines, place = match[0]
            intake.documents[n] = replace(doc, billed_lines=tuple(lines), place_of_service=place)


def _reference(doc: Any, full_url: Optional[str], note_id: Optional[str]) -> dict[str, Any]:
    if doc.id:
        return {"reference": f"DocumentReference/{doc.id}"}
    if full_url:
        return {"reference": full_url}
    return {"type": "DocumentReference", "identifier": {"value": note_id or "unidentified"}}


def _dump(value: Any) -> Optional[dict[str, Any]]:
    return value.model_dump(mode="json", exclude_none=True, by_alias=True) if value is not None else None


def _add(intake: FhirIntake, doc: Any, where: str, full_url: Optional[str], max_bytes: int) -> None:
    note_id = (doc.masterIdentifier.value if doc.masterIdentifier and doc.masterIdentifier.value else None) or doc.id
    if doc.status in SKIPPED_STATUS:
        intake.skipped.append((note_id, f"status {doc.status}"))
        return
    if doc.status not in DOCUMENT_STATUS:
        raise FhirInputError(422, "status must be current, superseded or entered-in-error", f"{where}.status", code="value")
    if doc.docStatus == "entered-in-error":
        intake.skipped.append((note_id, "docStatus entered-in-error"))
        return
    if doc.docStatus is not None and doc.docStatus not in DOC_STATUS_MODE:
        raise FhirInputError(422, "docStatus must be preliminary, final or amended", f"{where}.docStatus", code="value")
    # A stored document with no docStatus is taken as final.
    mode = DOC_STATUS_MODE.get(doc.docStatus or "final", "audit")
    warnings: list[str] = []
    codes = tuple(
        coding.code for coding in ((doc.type.coding or []) if doc.type else []) if coding.code and coding.system == LOINC
    )
    if doc.type is not None and not set(codes) & OPERATIVE_NOTE_LOINC:
        warnings.append("type is not a LOINC operative-note code; checked anyway")
    text = _attachment_text(doc, where, max_bytes, warnings)
    removal: Optional[date] = None
    if doc.context and doc.context.period and doc.context.period.start:
        start = doc.context.period.start
        removal = start.date() if hasattr(start, "date") else None
    intake.documents.append(FhirDocument(
        note_id=note_id, text=text, mode=mode, reference=_reference(doc, full_url, note_id),
        subject=_dump(doc.subject), author=_dump(doc.author[0]) if doc.author else None,
        removal_date=removal, type_codes=codes, warnings=tuple(warnings),
    ))


def _attachment_text(doc: Any, where: str, max_bytes: int, warnings: list[str]) -> str:
    """The first text/plain attachment with inline data, decoded with its charset."""
    other_types: list[str] = []
    url_only = False
    for index, content in enumerate(doc.content or []):
        att = content.attachment
        media = (att.contentType or "").split(";")[0].strip().lower()
        if media not in ("text/plain", ""):
            other_types.append(media)
            continue
        if att.data is None:
            url_only = url_only or bool(att.url)
            continue
        if not media:
            warnings.append("attachment has no contentType; read as text/plain")
        data: bytes = att.data
        if len(data) > max_bytes:
            raise FhirInputError(413, f"attachment is {len(data):,} bytes, over the {max_bytes:,}-byte limit",
                                 f"{where}.content[{index}].attachment.data", code="too-long")
        match = _CHARSET.search(att.contentType or "")
        charset = match.group(1) if match else "utf-8"
        try:
            codecs.lookup(charset)
        except LookupError:
            raise FhirInputError(415, "attachment charset is not supported",
                                 f"{where}.content[{index}].attachment.contentType", code="not-supported") from None
        try:
            text = data.decode("utf-8-sig" if charset.lower().replace("_", "-") in ("utf-8", "utf8") else charset)
        except UnicodeDecodeError:
            raise FhirInputError(422, f"attachment data is not valid {charset} text",
                                 f"{where}.content[{index}].attachment.data", code="value") from None
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        try:
            validate_text(text, max_bytes)
        except NoteInputError as exc:
            raise FhirInputError(422, str(exc), f"{where}.content[{index}].attachment.data", code="value") from None
        return text
    if url_only:
        raise FhirInputError(422, "the text/plain attachment has no inline data (fetching url is not configured)",
                             f"{where}.content", code="not-supported")
    if other_types:
        raise FhirInputError(415, "attachment content type is not supported (text/plain only): " + ", ".join(sorted(set(other_types)))[:200],
                             f"{where}.content", code="not-supported")
    raise FhirInputError(422, "DocumentReference has no text/plain attachment with data", f"{where}.content", code="required")
