"""Invented FHIR resources for the interchange tests."""
from __future__ import annotations

import base64
from typing import Any

GAP_NOTE = (
    "PREOPERATIVE DIAGNOSIS: Symptomatic hardware, left ring finger.\n"
    "PROCEDURE: Removal of 2 K-wires, left ring finger proximal phalanx.\n"
    "DESCRIPTION: A 1.5 cm incision was made over the prior site.\r\n  Scar tissue was released.\n"
)


def document_reference(text: str = GAP_NOTE, id: str = "op-000123", **extra: Any) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "DocumentReference",
        "id": id,
        "masterIdentifier": {"system": "urn:oid:2.16.840.1.113883.19.5", "value": f"DOC-{id}"},
        "status": "current",
        "docStatus": "preliminary",
        "type": {"coding": [{"system": "http://loinc.org", "code": "11504-8", "display": "Surgical operation note"}]},
        "subject": {"reference": "Patient/example-1"},
        "author": [{"reference": "Practitioner/surgeon-1"}],
        "context": {"period": {"start": "2026-11-26T14:30:00Z"}},
        "content": [{"attachment": {"contentType": "text/plain; charset=utf-8",
                                    "data": base64.b64encode(text.encode("utf-8")).decode("ascii")}}],
    }
    resource.update(extra)
    return resource


def bundle(*resources: dict[str, Any], type: str = "collection") -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": type, "entry": [{"resource": r} for r in resources]}
