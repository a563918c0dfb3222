"""POST /v1/hl7 and POST /v1/fhir/check through FastAPI's TestClient: ACK and result together,
AE/AR as 422 with the ACK, OperationOutcome for bad FHIR (never a 500), API key, no note text in
logs."""
from __future__ import annotations

import base64
import json
import logging
from pathlib import Path
from typing import Any, Iterator

import hl7
import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient  # noqa: E402
from fhir.resources.R4B.bundle import Bundle  # noqa: E402
from fhir.resources.R4B.operationoutcome import OperationOutcome  # noqa: E402

from fhir_samples import GAP_NOTE, bundle, document_reference  # noqa: E402
from notecheck.checker import Checker  # noqa: E402
from notecheck.interchange.records import text_sha256  # noqa: E402
from service.app import create_app  # noqa: E402
from service.settings import Settings  # noqa: E402

FIXTURES = Path(__file__).resolve().parent.parent / "sample_notes" / "interchange"
ER7 = {"content-type": "x-application/hl7-v2+er7"}
FHIR = {"content-type": "application/fhir+json"}


@pytest.fixture
def client(checker: Checker) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(), checker_factory=lambda: checker)) as c:
        yield c


def _msa(ack: str) -> list[str]:
    msa = hl7.parse(ack).segment("MSA")
    return [str(msa(1)), str(msa(2))]


def test_hl7_aa_with_result(client: TestClient) -> None:
    r = client.post("/v1/hl7", content=(FIXTURES / "mdm_t02_ft_presign.hl7").read_bytes(), headers=ER7)
    assert r.status_code == 200
    body = r.json()
    assert _msa(body["ack"]) == ["AA", "MSG000101"]
    result = body["result"]
    text = (FIXTURES / "mdm_t02_ft_presign.expected.txt").read_text(encoding="utf-8")
    assert result["note_id"] == "DOC-2026-000123^DICTSYS" and result["text_sha256"] == text_sha256(text)
    for item in result["checklist"]:
        for ev in item["evidence"]:
            assert text[ev["start"]:ev["end"]] == ev["text"]


def test_hl7_text_plain_and_skip(client: TestClient) -> None:
    r = client.post("/v1/hl7", content=(FIXTURES / "skip_discharge_summary.hl7").read_bytes(),
                    headers={"content-type": "text/plain; charset=utf-8"})
    assert r.status_code == 200
    body = r.json()
    assert _msa(body["ack"])[0] == "AA" and body["result"] is None and "DS" in body["skipped"]


@pytest.mark.parametrize(("name", "code"), [("refuse_empty_text.hl7", "AE"), ("refuse_adt_a01.hl7", "AR")])
def test_hl7_ae_ar_are_422_with_the_ack(client: TestClient, name: str, code: str) -> None:
    r = client.post("/v1/hl7", content=(FIXTURES / name).read_bytes(), headers=ER7)
    assert r.status_code == 422
    body = r.json()
    assert _msa(body["ack"])[0] == code and body["result"] is None and body["detail"]


def test_hl7_garbage_and_wrong_type(client: TestClient) -> None:
    r = client.post("/v1/hl7", content=b"\xff\xfe not hl7", headers=ER7)
    assert r.status_code == 422 and _msa(r.json()["ack"])[0] == "AR"
    r = client.post("/v1/hl7", content=b"MSH|^~\\&|", headers={"content-type": "application/json"})
    assert r.status_code == 415 and "detail" in r.json()


def test_hl7_needs_the_api_key(checker: Checker) -> None:
    with TestClient(create_app(Settings(api_key="k" * 32), checker_factory=lambda: checker)) as c:
        raw = (FIXTURES / "mdm_t02_ft_presign.hl7").read_bytes()
        assert c.post("/v1/hl7", content=raw, headers=ER7).status_code == 401
        assert c.post("/v1/hl7", content=raw, headers={**ER7, "X-API-Key": "k" * 32}).status_code == 200
        assert c.post("/v1/fhir/check", json=document_reference()).status_code == 401


def test_fhir_native_single_and_bundle(client: TestClient) -> None:
    r = client.post("/v1/fhir/check", content=json.dumps(document_reference()), headers=FHIR)
    assert r.status_code == 200
    record = r.json()
    assert record["note_id"] == "DOC-op-000123"
    assert record["text_sha256"] == text_sha256(GAP_NOTE.replace("\r\n", "\n"))
    r = client.post("/v1/fhir/check", json=bundle(document_reference(id="a"), document_reference(id="b", status="superseded")))
    body = r.json()
    assert [x["note_id"] for x in body["results"]] == ["DOC-a"]
    assert body["skipped"] == [{"note_id": "DOC-b", "reason": "status superseded"}]


def test_fhir_detected_issues_on_request(client: TestClient) -> None:
    for kwargs in ({"headers": {**FHIR, "accept": "application/fhir+json"}}, {"headers": FHIR, "params": {"format": "fhir", "queries": "true"}}):
        r = client.post("/v1/fhir/check", content=json.dumps(document_reference()), **kwargs)  # type: ignore[arg-type]
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/fhir+json")
        resource = r.json()
        Bundle.model_validate(resource)
        kinds = {e["resource"]["resourceType"] for e in resource["entry"]}
        assert kinds == ({"DetectedIssue", "Task"} if "params" in kwargs else {"DetectedIssue"})


@pytest.mark.parametrize(
    ("body", "headers", "status"),
    [
        (b"{broken", FHIR, 422),
        (json.dumps({"resourceType": "Patient"}).encode(), FHIR, 422),
        (json.dumps(document_reference(status="superseded")).encode(), FHIR, 422),
        (json.dumps(document_reference(content=[{"attachment": {"contentType": "application/pdf", "data": "JVBERi0="}}])).encode(), FHIR, 415),
        (json.dumps(document_reference()).encode(), {"content-type": "text/xml"}, 415),
        (json.dumps(document_reference(text="\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f\x10 binary")).encode(), FHIR, 422),
    ],
)
def test_bad_fhir_is_operation_outcome(client: TestClient, body: bytes, headers: dict[str, str], status: int) -> None:
    r = client.post("/v1/fhir/check", content=body, headers=headers)
    assert r.status_code == status
    assert r.headers["content-type"].startswith("application/fhir+json")
    OperationOutcome.model_validate(r.json())


def test_no_note_text_in_logs(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    secret = "PROCEDURE: Removal of K-wire, left ring finger. ZEBRA-SECRET-PHRASE."
    with caplog.at_level(logging.DEBUG):
        client.post("/v1/fhir/check", json=document_reference(text=secret))
        client.post("/v1/fhir/check", json=document_reference(text=secret, status="bogus"))
        raw = (FIXTURES / "mdm_t02_ft_presign.hl7").read_bytes().replace(b"Scar tissue", b"ZEBRA-SECRET-PHRASE \\Q\\")
        client.post("/v1/hl7", content=raw, headers=ER7)
    assert "ZEBRA" not in caplog.text
    assert base64.b64encode(secret.encode()).decode()[:40] not in caplog.text
    assert not any("ZEBRA" in str(getattr(r, "fields", "")) for r in caplog.records)
