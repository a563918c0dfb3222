"""HTTP entries of interchange (CONTRACT.md §6): `POST /v1/hl7` and `POST /v1/fhir/check`.

Included by service/app.py with one line, so it shares the app's middleware (API key, body limit,
catch-all, access log) and Engine. Parsing runs off the event loop; checking on the Engine's
thread. HL7 answers carry the ER7 ACK; FHIR errors are OperationOutcome resources with a 4xx.
"""
from __future__ import annotations

import json
from typing import Any, Optional

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from notecheck.interchange.fhir_in import FhirDocument, FhirInputError, read_fhir
from notecheck.interchange.fhir_out import NoteSource, issues_bundle, operation_outcome
from notecheck.interchange.hl7_intake import respond
from notecheck.interchange.hl7_message import DEFAULT_DOCUMENT_TYPES, parse_message
from notecheck.interchange.records import result_record
from notecheck.models import Result

FHIR_JSON = "application/fhir+json"
HL7_TYPES = ("x-application/hl7-v2+er7", "application/hl7-v2", "text/plain")
FHIR_TYPES = (FHIR_JSON, "application/json")

_string_body = {"type": "string", "example": "MSH|^~\\&|DICTSYS|HANDCTR|NOTECHECK|HANDCTR|20261127093000||MDM^T02^MDM_T02|MSG1|P|2.5.1\r..."}
_fhir_body = {
    "type": "object",
    "required": ["resourceType"],
    "properties": {"resourceType": {"type": "string", "enum": ["DocumentReference", "Bundle"]}},
    "additionalProperties": True,
}
_outcome_schema = {
    "type": "object",
    "required": ["resourceType", "issue"],
    "properties": {"resourceType": {"type": "string", "enum": ["OperationOutcome"]}, "issue": {"type": "array"}},
}
_detail_schema = {"type": "object", "required": ["detail"], "properties": {"detail": {}}}
_ack_schema = {
    "type": "object",
    "required": ["ack", "result"],
    "properties": {
        "ack": {"type": "string", "description": "the ER7 ACK (segments ended by CR): MSA-1 AA, AE or AR"},
        "result": {"anyOf": [{"type": "object"}, {"type": "null"}]},
        "skipped": {"type": "string"},
        "detail": {"type": "string"},
    },
}


def _media(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def _fhir_response(resource: dict[str, Any], status: int = 200) -> Response:
    return Response(json.dumps(resource, ensure_ascii=False), status_code=status, media_type=FHIR_JSON)


def _fhir_error(exc: FhirInputError) -> Response:
    return _fhir_response(operation_outcome(exc), exc.status)


router = APIRouter(prefix="/v1", tags=["interchange"])


@router.post(
    "/hl7",
    summary="Check the operative note of one HL7 v2 message (MDM^T02/T04/T06/T08/T10, ORU^R01)",
    description=(
        "Body: one ER7 message, sent as `x-application/hl7-v2+er7`, `application/hl7-v2` or `text/plain`. 200 with `{ack, result}` when the message is accepted (ACK AA; `result` is "
        "null and `skipped` says why when it is not an operative report); 422 with `{ack, result: null, detail}` "
        "when it is refused (ACK AE or AR, with MSA and ERR)."
    ),
    # Only text/plain in the schema (generic tools cannot serialise the HL7 media types); the route
    # takes all of HL7_TYPES.
    openapi_extra={"requestBody": {"required": True, "content": {"text/plain": {"schema": _string_body}}}},
    responses={
        200: {"content": {"application/json": {"schema": _ack_schema}}, "description": "ACK AA"},
        413: {"content": {"application/json": {"schema": _detail_schema}}, "description": "body over the limit"},
        415: {"content": {"application/json": {"schema": _detail_schema}}, "description": "not an HL7 content type"},
        422: {"content": {"application/json": {"schema": _ack_schema}}, "description": "ACK AE or AR"},
        503: {"content": {"application/json": {"schema": _detail_schema}}, "description": "pipeline loading"},
    },
)
async def hl7_message(request: Request) -> Response:
    if _media(request) not in HL7_TYPES:
        return JSONResponse({"detail": f"Content-Type must be one of {', '.join(HL7_TYPES)}"}, status_code=415)
    settings = request.app.state.settings
    engine = request.app.state.engine
    body = await request.body()
    parsed = await run_in_threadpool(parse_message, body, DEFAULT_DOCUMENT_TYPES, settings.max_note_bytes)
    outcome: Optional[BaseException | Result] = None
    doc = parsed.document
    if doc is not None:
        await engine.wait_ready(settings.ready_wait)
        try:
            outcome = await engine.check(doc.text, doc.claim_context, doc.note_id)
        except Exception as exc:  # an AE for this message, never a 500
            outcome = exc
    exchange = respond(parsed, outcome)
    return JSONResponse(exchange.response(), status_code=200 if exchange.ack_code == "AA" else 422)


@router.post(
    "/fhir/check",
    summary="Check the operative notes of a FHIR R4 DocumentReference or Bundle",
    description=(
        "Body: a DocumentReference (text/plain attachment, base64 `data`) or a Bundle of them. Answer: for a "
        "DocumentReference its result (the `/v1/check` result plus `text_sha256`), for a Bundle `{results, skipped}`; with "
        "`Accept: application/fhir+json` (or `?format=fhir`) a collection Bundle of DetectedIssue, plus a draft "
        "Task per gap with `?queries=true`. Bad FHIR: an OperationOutcome with a 4xx."
    ),
    openapi_extra={
        "requestBody": {"required": True, "content": {t: {"schema": _fhir_body} for t in FHIR_TYPES}},
        "parameters": [
            {"name": "format", "in": "query", "required": False, "schema": {"type": "string", "enum": ["native", "fhir"]}},
            {"name": "queries", "in": "query", "required": False, "schema": {"type": "boolean"}},
        ],
    },
    responses={
        200: {"content": {"application/json": {"schema": {"type": "object"}}, FHIR_JSON: {"schema": {"type": "object"}}},
              "description": "result(s), or a Bundle of DetectedIssue"},
        **{code: {"content": {FHIR_JSON: {"schema": _outcome_schema}}, "description": text}
           for code, text in ((413, "attachment over the limit"), (415, "unsupported media or attachment type"),
                              (422, "invalid FHIR or nothing to check"))},
        503: {"content": {"application/json": {"schema": _detail_schema}}, "description": "pipeline loading"},
    },
)
async def fhir_check(request: Request) -> Response:
    if _media(request) not in FHIR_TYPES:
        return _fhir_error(FhirInputError(415, f"Content-Type must be {FHIR_JSON} or application/json", code="not-supported"))
    settings = request.app.state.settings
    engine = request.app.state.engine
    body = await request.body()
    try:
        intake = await run_in_threadpool(read_fhir, body, settings.max_note_bytes)
    except FhirInputError as exc:
        return _fhir_error(exc)
    single = intake.kind == "DocumentReference"
    if single and not intake.documents:
        reason = intake.skipped[0][1] if intake.skipped else "no document"
        return _fhir_error(FhirInputError(422, f"nothing to check: {reason}", "DocumentReference.status", code="business-rule"))
    await engine.wait_ready(settings.ready_wait)
    checked: list[tuple[Result, FhirDocument]] = []
    for doc in intake.documents:
        try:
            checked.append((await engine.check(doc.text, doc.claim_context, doc.note_id), doc))
        except Exception as exc:  # the checker's own refusal (binary text), or its failure: never a 500
            return _fhir_error(FhirInputError(422, f"a note could not be checked ({type(exc).__name__})", code="processing"))
    params = request.query_params
    if params.get("format") == "fhir" or FHIR_JSON in request.headers.get("accept", ""):
        queries = params.get("queries", "").lower() in ("1", "true", "yes")
        bundle = await run_in_threadpool(
            issues_bundle, [(result, NoteSource.from_fhir(doc)) for result, doc in checked], queries
        )
        return _fhir_response(bundle)
    records = [result_record(result, doc.text, doc.describe()) for result, doc in checked]
    if single:
        return JSONResponse(records[0])
    skipped = [{"note_id": note_id, "reason": reason} for note_id, reason in intake.skipped]
    return JSONResponse({"results": records, "skipped": skipped})

