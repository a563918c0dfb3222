"""Results -> FHIR (INTEGRATIONS.md §1.9): a collection Bundle of DetectedIssue, one per checklist
item that is missing or partial and one per denial risk, each pointing at the DocumentReference,
with evidence spans as a local extension; optionally a draft Task (a physician query) per gap.
Errors -> OperationOutcome. Everything built here is validated with fhir.resources (R4B) before
it is returned, so a bad build fails in our tests, not at the caller's FHIR server.

Offsets in the text-span extension are Python code-point offsets into the rebuilt, normalised text
whose SHA-256 is in the text-sha256 extension (JavaScript consumers count UTF-16 units).
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterable, Optional

from notecheck.interchange.fhir_in import FhirDocument, FhirInputError
from notecheck.interchange.records import text_sha256
from notecheck.models import Evidence, Result

BASE = "https://notecheck.example/fhir"
CS_CHECKLIST = f"{BASE}/CodeSystem/checklist-item"
CS_RISK = f"{BASE}/CodeSystem/denial-risk"
CS_TASK = f"{BASE}/CodeSystem/task-code"
EXT_SPAN = f"{BASE}/StructureDefinition/text-span"
EXT_SHA = f"{BASE}/StructureDefinition/text-sha256"
EXT_ITEM_STATUS = f"{BASE}/StructureDefinition/checklist-status"
NOTE_ID_SYSTEM = f"{BASE}/NamingSystem/note-id"
ITEM_SEVERITY = {"missing": "moderate", "partial": "low"}
RISK_SEVERITY = {"high": "high", "medium": "moderate", "low": "low"}
_NAMESPACE = uuid.UUID("6b1f5a52-4c0e-4f43-9a55-6d0c2f1f6e21")


@dataclass(frozen=True)
class NoteSource:
    """What the FHIR view needs to know about where a checked note came from."""

    reference: dict[str, Any]
    mode: str  # pre_sign -> preliminary issues, audit -> final
    text_sha256: str
    subject: Optional[dict[str, Any]] = None
    author: Optional[dict[str, Any]] = None

    @classmethod
    def from_fhir(cls, doc: FhirDocument) -> "NoteSource":
        return cls(doc.reference, doc.mode, text_sha256(doc.text), doc.subject, doc.author)

    @classmethod
    def from_text(cls, note_id: Optional[str], text: str, mode: str = "pre_sign") -> "NoteSource":
        """A note that did not come as a FHIR resource (HL7, a text file): referenced by its id."""
        ref = {"type": "DocumentReference", "identifier": {"system": NOTE_ID_SYSTEM, "value": note_id or "unidentified"}}
        return cls(ref, mode, text_sha256(text))


def _span(ev: Evidence) -> dict[str, Any]:
    return {
        "url": EXT_SPAN,
        "extension": [
            {"url": "text", "valueString": ev.text},
            {"url": "start", "valueInteger": ev.start},
            {"url": "end", "valueInteger": ev.end},
            {"url": "section", "valueString": ev.section},
        ],
    }


def _full_url(*parts: str) -> str:
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, '|'.join(parts))}"


def _issue(result: Result, source: NoteSource, code: dict[str, Any], severity: str, detail: str,
           evidence: list[Evidence], extra_ext: list[dict[str, Any]], now: str) -> dict[str, Any]:
    ref = source.reference
    issue: dict[str, Any] = {
        "resourceType": "DetectedIssue",
        "extension": [{"url": EXT_SHA, "valueString": source.text_sha256}, *extra_ext],
        "status": "preliminary" if source.mode == "pre_sign" else "final",
        "code": code,
        "severity": severity,
        "identifiedDateTime": now,
        "author": {"type": "Device", "display": f"notecheck (rules {result.rules_version or 'unknown'})"},
        "implicated": [ref],
        "evidence": [{"extension": [_span(ev)], "detail": [ref]} for ev in evidence] or [{"detail": [ref]}],
        "detail": detail,
    }
    subject = source.subject
    if subject and (str(subject.get("reference", "")).startswith("Patient/") or subject.get("type") == "Patient"):
        issue["patient"] = subject
    return issue


def detected_issues(result: Result, source: NoteSource, now: str) -> list[tuple[str, dict[str, Any], Optional[dict[str, Any]]]]:
    """(fullUrl, DetectedIssue, checklist item as dict or None) for one result."""
    out = []
    key = f"{result.note_id}|{source.text_sha256}"
    queries = {q.gap: q for q in result.queries}
    for item in result.checklist:
        if item.status not in ITEM_SEVERITY:
            continue
        code = {"coding": [{"system": CS_CHECKLIST, "code": item.id, "display": item.title}], "text": item.title}
        ext = [{"url": EXT_ITEM_STATUS, "valueCode": item.status}]
        res = _issue(result, source, code, ITEM_SEVERITY[item.status], item.message, item.evidence, ext, now)
        query = queries.get(item.id)
        ask = {"question": query.question, "options": list(query.options)} if query is not None else None
        out.append((_full_url(key, "item", item.id), res, {"id": item.id, "message": item.message, "query": ask}))
    for risk in result.denial_risks:
        code = {"coding": [{"system": CS_RISK, "code": risk.id}], "text": risk.id.replace("_", " ")}
        res = _issue(result, source, code, RISK_SEVERITY.get(risk.severity, "moderate"), risk.message, [], [], now)
        out.append((_full_url(key, "risk", risk.id), res, None))
    return out


def _task(full_url: str, item: dict[str, Any], source: NoteSource, now: str) -> dict[str, Any]:
    task: dict[str, Any] = {
        "resourceType": "Task",
        "status": "draft",
        "intent": "proposal",
        "code": {"coding": [{"system": CS_TASK, "code": "documentation-query", "display": "Documentation query"}]},
        # The engine's compliant query draft for this gap when it wrote one (AHIMA/ACDIS practice
        # brief: open-ended or multiple choice), else the checklist's own request.
        "description": "Physician query: " + (item["query"]["question"] if item.get("query") else item["message"]),
        "focus": source.reference,
        "reasonReference": {"reference": full_url},
        "authoredOn": now,
        "input": [{"type": {"coding": [{"system": CS_CHECKLIST, "code": item["id"]}]}, "valueString": item["message"]}],
    }
    if item.get("query"):
        task["input"] += [{"type": {"text": "option"}, "valueString": option} for option in item["query"]["options"]]
    if source.subject:
        task["for"] = source.subject
    if source.author:
        task["owner"] = source.author
    return task


def issues_bundle(items: Iterable[tuple[Result, NoteSource]], emit_tasks: bool = False,
                  now: Optional[datetime] = None) -> dict[str, Any]:
    """A collection Bundle of DetectedIssue (and draft Tasks) for one or more checked notes."""
    stamp = (now or datetime.now(timezone.utc)).isoformat(timespec="seconds")
    entries: list[dict[str, Any]] = []
    for result, source in items:
        for full_url, issue, item in detected_issues(result, source, stamp):
            entries.append({"fullUrl": full_url, "resource": issue})
            if emit_tasks and item is not None:
                entries.append({"fullUrl": _full_url(full_url, "task"), "resource": _task(full_url, item, source, stamp)})
    bundle: dict[str, Any] = {"resourceType": "Bundle", "type": "collection", "timestamp": stamp, "entry": entries}
    if not entries:
        del bundle["entry"]
    validate_resource(bundle)
    return bundle


def operation_outcome(error: FhirInputError) -> dict[str, Any]:
    issues = []
    for message, expression in error.issues:
        issue: dict[str, Any] = {"severity": "error", "code": error.code, "diagnostics": message}
        if expression:
            issue["expression"] = [expression]
        issues.append(issue)
    outcome = {"resourceType": "OperationOutcome", "issue": issues}
    validate_resource(outcome)
    return outcome


def validate_resource(resource: dict[str, Any]) -> None:
    """Validate with fhir.resources R4B; raises (a bug of ours) when the resource is not valid."""
    from fhir.resources.R4B import get_fhir_model_class

    get_fhir_model_class(resource["resourceType"]).model_validate(resource)
