"""Request and response bodies of the HTTP API (CONTRACT.md §5), with the examples /docs shows.

The result itself is `notecheck.models.Result` (CONTRACT.md §2); these models only add the
envelope, the limits, and the claim-context fields of §3 as they arrive over HTTP (blank form
fields mean "not given", modifiers may be a string or a list).
"""
from __future__ import annotations

import re
from datetime import date
from typing import Any, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from notecheck.errors import describe_validation
from notecheck.models import BilledLine, ClaimContext, Result

EXAMPLE_NOTE = (
    "PROCEDURE: Removal of two K-wires, left ring finger proximal phalanx.\n"
    "INDICATIONS: Healed proximal phalanx fracture; the wires were placed as temporary fixation "
    "at the index surgery and are now prominent.\n"
    "ANESTHESIA: Digital block.\n"
    "DESCRIPTION: A 1 cm incision was made over the wire ends. Both 0.045-inch K-wires were "
    "removed intact. Fluoroscopy confirmed no retained hardware. Skin closed with 5-0 nylon."
)

CHECK_EXAMPLE: dict[str, Any] = {
    "text": EXAMPLE_NOTE,
    "note_id": "op-0042",
    "removal_date": "2026-03-02",
    "index_surgery_date": "2026-01-15",
    "index_cpt": "26720",
    "billed_cpt": "26320",
    "billed_units": 1,
    "billed_modifiers": "LT, F3",
}

_EVIDENCE = {"text": "K-wires", "start": 27, "end": 34, "section": "procedure"}

RESULT_EXAMPLE: dict[str, Any] = {
    "schema_version": "1",
    "note_id": "op-0042",
    "procedure": {
        "is_implant_removal": True,
        "suggested_cpt": "26320",
        "units": 1,
        "reason": "Hardware removed from the left ring finger through an incision: a hand/finger site, so 26320.",
        "flags": [],
    },
    "findings": {
        "implants": [{"type": "k_wire", "count": 2, "evidence": [_EVIDENCE]}],
        "region": [{"value": "finger", "evidence": []}],
        "laterality": {"value": "left", "conflict": False, "header_value": "left", "evidence": []},
        "digits": [{"value": "ring", "side": "left", "evidence": []}],
        "bones": [{"value": "proximal_phalanx", "ray": 4, "side": "left", "evidence": []}],
        "indications": [{"value": "fracture_healed", "evidence": []}, {"value": "prominence", "evidence": []}],
        "approach": {"documented": True, "type": "open", "incision_documented": True, "evidence": []},
        "planned_status": {"value": "planned", "evidence": []},
        "complexity_factors": [],
    },
    "checklist": [
        {
            "id": "implant_type",
            "title": "Implant type and count",
            "status": "met",
            "message": "Implant type and count: documented.",
            "evidence": [_EVIDENCE],
        },
        {
            "id": "modifier_22_support",
            "title": "Modifier 22 support",
            "status": "not_applicable",
            "message": "No complexity is claimed.",
            "evidence": [],
        },
    ],
    "score": 92,
    "ready_to_sign": True,
    "claim_lines": [{"cpt": "26320", "units": 1, "modifiers": ["LT", "F3", "58"], "site": "left ring finger"}],
    "modifiers": [
        {"code": "LT", "reason": "The note documents the left side."},
        {"code": "F3", "reason": "Hardware was removed from the left ring finger (CMS finger modifier F3)."},
        {"code": "58", "reason": "Planned removal within the global period of the index surgery."},
    ],
    "icd10_suggestions": [
        {
            "code": "Z47.2",
            "description": "Encounter for removal of internal fixation device",
            "reason": "Removal without a documented complication.",
        }
    ],
    "denial_risks": [],
    "rules_version": "1",
}


# A character that shows: neither whitespace nor an invisible format character (zero-width space,
# joiners and non-joiners, direction marks and embeddings, word joiner and invisible operators,
# byte-order mark, soft hyphen, interlinear annotation and tag characters). A note of only those
# has no words to check. The same rule as notecheck.reader's empty-note check, applied here so
# that it is a 422 before the request queues for the check thread.
_VISIBLE = re.compile(
    r"[^\s\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff"
    r"\ufff9-\ufffb\U000e0001\U000e0020-\U000e007f]"
)


def _blank(value: str) -> bool:
    return _VISIBLE.search(value) is None


def _encodable(value: str) -> None:
    # JSON allows lone surrogates ("\\ud800"), which Python decodes but no UTF-8 output can carry:
    # refuse them at the door rather than fail while writing the result.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("not valid Unicode text (lone surrogate)") from None


def _blank_to_none(value: object) -> object:
    if isinstance(value, str) and not value.strip():
        return None
    return value


class CheckRequest(BaseModel):
    """One note and its optional claim context. Unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore", json_schema_extra={"examples": [CHECK_EXAMPLE]})

    text: str = Field(
        description="The operative note, exactly as written. At most NOTECHECK_MAX_NOTE_BYTES "
        "UTF-8 bytes (default 1,000,000); larger notes get 413.",
        min_length=1,
    )
    note_id: Optional[str] = Field(default=None, max_length=200, description="Your id, echoed back.")
    removal_date: Optional[date] = Field(default=None, description="Date of this procedure, YYYY-MM-DD.")
    index_surgery_date: Optional[date] = Field(
        default=None, description="Date of the surgery that placed the hardware (or whose global period runs)."
    )
    index_cpt: Optional[str] = Field(default=None, max_length=16, description="CPT of that surgery.")
    index_related: Optional[bool] = Field(
        default=None, description="Is this removal related to that surgery? Omit to let notecheck decide."
    )
    billed_cpt: Optional[str] = Field(default=None, max_length=16, description="CPT the claim submits.")
    billed_units: Optional[int] = Field(default=None, ge=0, le=99, description="Units the claim submits.")
    billed_modifiers: Union[str, list[str], None] = Field(
        default=None,
        description='Modifiers the claim submits: a list, or one string separated by "," ";" or spaces.',
        examples=["LT, F3", ["LT", "F3"]],
    )
    billed_lines: Optional[list[BilledLine]] = Field(
        default=None, max_length=50,
        description="Every line billed on the date of service, E/M included: {cpt, units, modifiers}.",
        examples=[[{"cpt": "99213", "units": 1, "modifiers": "57"}, {"cpt": "26320", "units": 1, "modifiers": ["RT", "F9"]}]],
    )
    place_of_service: Union[str, int, None] = Field(
        default=None, description="CMS place of service: 11 office, 19/22 hospital outpatient, 24 ASC, 21 inpatient.",
        examples=["24"],
    )

    # Filled by the model validator: the same fields as the checker's ClaimContext.
    _context: ClaimContext

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        # The cheap checks only. The rest of notecheck.reader.validate_text (binary-looking text)
        # runs once, on the check thread, right before the pipeline; the size limit is the app's
        # (413, configurable).
        _encodable(value)
        if _blank(value):
            raise ValueError("note is empty")
        return value

    @field_validator("note_id", "index_cpt", "billed_cpt")
    @classmethod
    def _valid_unicode(cls, value: Optional[str]) -> Optional[str]:
        if value is not None:
            _encodable(value)
        return value

    @field_validator("billed_modifiers")
    @classmethod
    def _modifier_sizes(cls, value: Union[str, list[str], None]) -> Union[str, list[str], None]:
        for item in [value] if isinstance(value, str) else value or []:
            _encodable(item)
        if isinstance(value, str) and len(value) > 200:
            raise ValueError("at most 200 characters")
        if isinstance(value, list) and (len(value) > 20 or any(len(m) > 16 for m in value)):
            raise ValueError("at most 20 modifiers of at most 16 characters")
        return value

    @field_validator("note_id", mode="before")
    @classmethod
    def _numeric_id(cls, value: object) -> object:
        # Dictation systems often use numeric ids; accept them as their decimal string.
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return value

    @field_validator(
        "removal_date", "index_surgery_date", "index_cpt", "index_related", "billed_cpt", "billed_units",
        mode="before",
    )
    @classmethod
    def _blank_is_absent(cls, value: object) -> object:
        # An HTML form or a CSV-fed client sends "" for a field it does not have.
        return _blank_to_none(value)

    @model_validator(mode="after")
    def _build_context(self) -> "CheckRequest":
        try:
            self._context = ClaimContext(**self.model_dump(exclude={"text"}, exclude_none=True))
        except ValidationError as exc:
            raise ValueError(describe_validation(exc)) from None
        return self

    @property
    def context(self) -> ClaimContext:
        return self._context


class BatchRequest(BaseModel):
    """Several notes, checked in order. At most NOTECHECK_MAX_BATCH notes (default 100): more get 413."""

    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={
            "examples": [
                {
                    "notes": [
                        CHECK_EXAMPLE,
                        {"text": "Removal of a prominent screw, right 5th metacarpal. ...", "note_id": "op-0043"},
                    ]
                }
            ]
        },
    )

    notes: list[CheckRequest] = Field(description="The notes; results come back in the same order.")


class BatchResponse(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"results": [RESULT_EXAMPLE]}]})

    results: list[Result] = Field(description="One result per note, in request order.")


class ChecklistItemInfo(BaseModel):
    id: str
    title: str
    description: str
    weight: float
    required: bool = Field(description="A missing required item blocks ready_to_sign.")
    scored: bool = Field(description="Whether the item counts towards the score.")
    messages: dict[Literal["partial", "missing"], str] = Field(
        description="What the writer is told when the item is partial or missing."
    )


class ChecklistResponse(BaseModel):
    version: str
    ready_threshold: int = Field(description="Lowest score that can be ready to sign.")
    items: list[ChecklistItemInfo]


class ValidationIssue(BaseModel):
    """One validation problem. Never carries the submitted value, so a note is never echoed."""

    type: str
    loc: list[Union[str, int]]
    msg: str


class ErrorResponse(BaseModel):
    detail: Union[str, list[ValidationIssue]]


class HealthResponse(BaseModel):
    status: Literal["ok"]
    # Extension: the rules this worker checks with (package version + hash of the rule files).
    rules_version: Optional[str] = None


class ReadyResponse(BaseModel):
    status: Literal["ready", "loading", "failed"]
    generation: int = Field(description="How many times this worker has built its pipeline.")
    notes_checked: int


def _error_response(description: str, example: object) -> dict[str, Any]:
    return {"model": ErrorResponse, "description": description,
            "content": {"application/json": {"example": {"detail": example}}}}


ERROR_RESPONSES: dict[Union[int, str], dict[str, Any]] = {
    401: _error_response("API key required (NOTECHECK_API_KEY is set).", "missing or invalid API key"),
    413: _error_response("Body, note or batch over the configured limit.",
                         "note is 1,200,000 bytes, over the 1,000,000-byte limit"),
    422: _error_response(
        "Malformed JSON, missing/blank text, wrong types or bad dates.",
        [{"type": "date_from_datetime_parsing", "loc": ["body", "removal_date"],
          "msg": "Input should be a valid date or datetime, month value is outside expected range of 1-12"}],
    ),
    503: _error_response(
        "The pipeline is still loading (or failed to load), the note or batch was not checked within its "
        "time budget (NOTECHECK_CHECK_BUDGET_S / NOTECHECK_BATCH_BUDGET_S), or the server is shutting down.",
        "note not checked within its 10-second time budget",
    ),
}
