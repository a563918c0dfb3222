"""FHIR intake (DocumentReference / Bundle -> notes) and output (DetectedIssue Bundle, Task,
OperationOutcome), each output validated with fhir.resources R4B."""
from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.detectedissue import DetectedIssue
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.task import Task

from fhir_samples import GAP_NOTE, bundle, document_reference
from notecheck.interchange.fhir_in import FhirInputError, read_fhir
from notecheck.interchange.fhir_out import EXT_SHA, EXT_SPAN, NoteSource, issues_bundle, operation_outcome
from notecheck.interchange.records import text_sha256


def test_document_reference_is_read() -> None:
    intake = read_fhir(json.dumps(document_reference()).encode())
    [doc] = intake.documents
    assert doc.note_id == "DOC-op-000123"  # masterIdentifier.value before id
    assert doc.text == GAP_NOTE.replace("\r\n", "\n")
    assert doc.mode == "pre_sign" and str(doc.removal_date) == "2026-11-26"
    assert doc.reference == {"reference": "DocumentReference/op-000123"}
    assert doc.subject == {"reference": "Patient/example-1"} and doc.warnings == ()


def test_id_when_no_master_identifier_and_other_types_warn() -> None:
    resource = document_reference(docStatus="final")
    del resource["masterIdentifier"]
    resource["type"] = {"coding": [{"system": "http://loinc.org", "code": "18842-5"}]}
    [doc] = read_fhir(resource).documents
    assert doc.note_id == "op-000123" and doc.mode == "audit"
    assert doc.warnings and "operative-note" in doc.warnings[0]


def test_type_is_not_required_and_charset_is_honoured() -> None:
    resource = document_reference()
    del resource["type"]
    resource["content"] = [{"attachment": {"contentType": "text/plain; charset=ISO-8859-1",
                                           "data": base64.b64encode("Renée: K-wire removed.".encode("latin-1")).decode()}}]
    [doc] = read_fhir(resource).documents
    assert doc.text == "Renée: K-wire removed." and doc.warnings == ()


def test_bundle_entries_contained_and_skips() -> None:
    contained_holder = {"resourceType": "Composition", "status": "final", "type": {"text": "x"}, "date": "2026-11-27",
                        "author": [{"display": "x"}], "title": "x",
                        "contained": [document_reference(id="op-c")]}
    intake = read_fhir(bundle(document_reference(id="op-1"), document_reference(id="op-2", status="superseded"),
                              document_reference(id="op-3", docStatus="entered-in-error"), contained_holder,
                              {"resourceType": "Patient", "id": "example-1"}))
    assert [d.note_id for d in intake.documents] == ["DOC-op-1", "DOC-op-c"]
    assert intake.skipped == [("DOC-op-2", "status superseded"), ("DOC-op-3", "docStatus entered-in-error")]
    assert intake.kind == "Bundle"


@pytest.mark.parametrize(
    ("payload", "status", "code", "needle"),
    [
        (b"{not json", 422, "structure", "not valid JSON"),
        (b"[1, 2]", 422, "structure", "not a FHIR resource"),
        (json.dumps({"resourceType": "Patient"}).encode(), 422, "not-supported", "resourceType Patient"),
        (json.dumps({"resourceType": "DocumentReference", "status": "current", "content": "x"}).encode(), 422, "invalid", "content"),
        (json.dumps(document_reference(status="bogus")).encode(), 422, "value", "status"),
        (json.dumps(document_reference(docStatus="draft")).encode(), 422, "value", "docStatus"),
        (json.dumps(bundle({"resourceType": "Patient", "id": "p"})).encode(), 422, "required", "no DocumentReference"),
        (json.dumps(document_reference(content=[{"attachment": {"contentType": "application/pdf", "data": "JVBERi0="}}])).encode(),
         415, "not-supported", "application/pdf"),
        (json.dumps(document_reference(content=[{"attachment": {"contentType": "text/plain", "url": "Binary/1"}}])).encode(),
         422, "not-supported", "no inline data"),
        (json.dumps(document_reference(content=[{"attachment": {"contentType": "text/plain", "data": "!!!notb64"}}])).encode(),
         422, "invalid", "Base64"),
        (json.dumps(document_reference(text="   \n  ")).encode(), 422, "value", "empty"),
    ],
)
def test_bad_fhir_is_an_operation_outcome(payload: bytes, status: int, code: str, needle: str) -> None:
    with pytest.raises(FhirInputError) as info:
        read_fhir(payload)
    err = info.value
    assert err.status == status and err.code == code
    outcome = operation_outcome(err)
    OperationOutcome.model_validate(outcome)
    assert needle in outcome["issue"][0]["diagnostics"] or needle in str(outcome["issue"][0].get("expression"))


def test_validation_errors_never_echo_the_note() -> None:
    resource = document_reference()
    resource["content"][0]["attachment"]["data"] = "SECRET PATIENT TEXT"
    with pytest.raises(FhirInputError) as info:
        read_fhir(resource)
    assert "SECRET" not in json.dumps(operation_outcome(info.value))


def test_oversized_attachment_is_413() -> None:
    with pytest.raises(FhirInputError) as info:
        read_fhir(document_reference(text="K-wire removed. " * 100), max_bytes=200)
    assert info.value.status == 413


def _entries(resource: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in resource.get("entry", []) if e["resource"]["resourceType"] == kind]


def test_detected_issue_bundle(checker) -> None:  # type: ignore[no-untyped-def]
    [doc] = read_fhir(document_reference()).documents
    result = checker.check(doc.text, doc.claim_context, doc.note_id)
    out = issues_bundle([(result, NoteSource.from_fhir(doc))], emit_tasks=True)
    Bundle.model_validate(out)
    assert out["type"] == "collection"
    issues = _entries(out, "DetectedIssue")
    gaps = [item for item in result.checklist if item.status in ("missing", "partial")]
    assert len(issues) == len(gaps) + len(result.denial_risks) and gaps
    for issue in issues:
        DetectedIssue.model_validate(issue)
        assert issue["status"] == "preliminary"  # docStatus preliminary -> pre-sign
        assert issue["implicated"] == [{"reference": "DocumentReference/op-000123"}]
        assert issue["patient"] == {"reference": "Patient/example-1"}
        assert issue["severity"] in ("high", "moderate", "low")
        assert {"url": EXT_SHA, "valueString": text_sha256(doc.text)} in issue["extension"]
    severities = {i["code"]["coding"][0]["code"]: i["severity"] for i in issues}
    for item in gaps:
        assert severities[item.id] == ("moderate" if item.status == "missing" else "low")
    tasks = _entries(out, "Task")
    assert len(tasks) == len(gaps)
    for task in tasks:
        Task.model_validate(task)
        assert (task["status"], task["intent"]) == ("draft", "proposal")
        assert task["focus"] == {"reference": "DocumentReference/op-000123"}
        assert task["for"] == {"reference": "Patient/example-1"} and task["owner"] == {"reference": "Practitioner/surgeon-1"}
    # Each Task carries the engine's physician query for its gap when there is one.
    questions = {q.gap: q.question for q in result.queries}
    described = {t["input"][0]["type"]["coding"][0]["code"]: t["description"] for t in tasks}
    assert questions and any(gap in described for gap in questions)
    for gap, question in questions.items():
        if gap in described:
            assert described[gap] == "Physician query: " + question


def test_evidence_spans_point_into_the_rebuilt_text(checker) -> None:  # type: ignore[no-untyped-def]
    note = GAP_NOTE + "INDICATIONS: Wire ends prominent.\n"
    [doc] = read_fhir(document_reference(text=note)).documents
    result = checker.check(doc.text, doc.claim_context, doc.note_id)
    for item in result.checklist:
        for ev in item.evidence:
            assert doc.text[ev.start:ev.end] == ev.text
    # A partial item with evidence: the met item with evidence, marked partial.
    with_evidence = next(i for i, item in enumerate(result.checklist) if item.evidence)
    checklist = list(result.checklist)
    checklist[with_evidence] = checklist[with_evidence].model_copy(update={"status": "partial"})
    result = result.model_copy(update={"checklist": checklist})
    out = issues_bundle([(result, NoteSource.from_fhir(doc))])
    spans = 0
    for issue in _entries(out, "DetectedIssue"):
        for evidence in issue["evidence"]:
            for ext in evidence.get("extension", []):
                assert ext["url"] == EXT_SPAN
                parts = {e["url"]: next(v for k, v in e.items() if k.startswith("value")) for e in ext["extension"]}
                assert doc.text[parts["start"]:parts["end"]] == parts["text"]
                spans += 1
    assert spans >= 1
    assert all(issue["evidence"] for issue in _entries(out, "DetectedIssue"))


def test_ready_note_gives_an_empty_collection(checker) -> None:  # type: ignore[no-untyped-def]
    from test_cli import COMPLETE_NOTE

    [doc] = read_fhir(document_reference(text=COMPLETE_NOTE, docStatus="final")).documents
    result = checker.check(doc.text, doc.claim_context, doc.note_id)
    out = issues_bundle([(result, NoteSource.from_fhir(doc))])
    Bundle.model_validate(out)
    assert result.ready_to_sign or out.get("entry")


def _claim(*items: dict, supporting: str | None = None) -> dict:
    claim = {
        "resourceType": "Claim", "status": "active", "use": "claim", "created": "2026-03-02",
        "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type", "code": "professional"}]},
        "patient": {"reference": "Patient/example-1"}, "provider": {"reference": "Practitioner/surgeon-1"},
        "priority": {"coding": [{"code": "normal"}]},
        "insurance": [{"sequence": 1, "focal": True, "coverage": {"reference": "Coverage/1"}}],
        "item": [{"sequence": n + 1, **item} for n, item in enumerate(items)],
    }
    if supporting:
        claim["supportingInfo"] = [{"sequence": 1, "category": {"coding": [{"code": "info"}]},
                                    "valueReference": {"reference": supporting}}]
    return claim


def _item(cpt: str, *mods: str, units: int = 1, pos: str = "24") -> dict:
    return {
        "productOrService": {"coding": [{"system": "http://www.ama-assn.org/go/cpt", "code": cpt}]},
        "modifier": [{"coding": [{"code": m}]} for m in mods], "quantity": {"value": units},
        "servicedDate": "2026-03-02",
        "locationCodeableConcept": {"coding": [{"system": "https://www.cms.gov/place-of-service", "code": pos}]},
    }


def test_a_claim_in_the_bundle_bills_its_note(checker) -> None:  # type: ignore[no-untyped-def]
    """A Claim beside the DocumentReference: its items are the billed lines, its POS the setting
    (CONTRACT §3), and the claim-level checks see them as on the command line."""
    intake = read_fhir(bundle(document_reference(), _claim(_item("99213"), _item("26320", "LT", "F3"))))
    [doc] = intake.documents
    ctx = doc.claim_context
    assert [(line.cpt, line.units, line.modifiers) for line in ctx.billed_lines] == [("99213", 1, []), ("26320", 1, ["LT", "F3"])]
    assert ctx.place_of_service == "24"
    result = checker.check(doc.text, ctx, doc.note_id)
    assert any("99213" in (risk.lines or []) for risk in result.denial_risks), [r.id for r in result.denial_risks]


def test_several_claims_bill_the_note_they_reference() -> None:
    first, second = document_reference(id="op-1"), document_reference(id="op-2")
    intake = read_fhir(bundle(first, second, _claim(_item("26320", "LT", "F3"), supporting="DocumentReference/op-2"),
                              _claim(_item("20680", "LT"), supporting="DocumentReference/op-1")))
    billed = {doc.note_id: [line.cpt for line in doc.claim_context.billed_lines] for doc in intake.documents}
    assert billed == {"DOC-op-1": ["20680"], "DOC-op-2": ["26320"]}  # note_id: masterIdentifier
