"""The public result (CONTRACT.md §2) and claim context (§3) as pydantic models.

Field names are the contract's; fields the contract does not list are extensions (documented in
the README) and never replace a contract field.
"""
from __future__ import annotations

import re
from datetime import date
from typing import Any, Generic, Optional, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

# The vocabularies are imported from here too (`from notecheck.models import Region`).
from notecheck.vocabularies import (  # noqa: F401
    Anesthesia, ApproachType, Bone, Complexity, Cpt, Depth, Digit, Hand, ImplantType, Indication, Modifier,
    PlannedStatus, ProcedureFlag, Region, SameSiteProcedure, Setting, Severity, Side, Status,
)

SCHEMA_VERSION = "1"


def _empty_list() -> Any:
    """A new [] for each instance, "default": [] in the JSON schema as before. A literal [] default
    is deep-copied by pydantic on every instance (a Findings made ~40 such copies, ~2% of a check)."""
    return Field(default_factory=list, json_schema_extra={"default": []})


def _fresh(model: type[BaseModel]) -> Any:
    """`model()` made anew for each instance (not deep-copied from one), same JSON schema default."""
    return Field(default_factory=model, json_schema_extra={"default": model().model_dump(mode="json")})


class Evidence(BaseModel):
    text: str
    start: int
    end: int
    section: str


V = TypeVar("V", bound=str)


class ValueFinding(BaseModel, Generic[V]):
    """A value and its evidence. The subclasses below fix the vocabulary of each field; a plain
    ValueFinding (any string, as the extractors build it) is read by attribute and checked against
    that vocabulary when it joins `Findings`."""

    model_config = ConfigDict(from_attributes=True)

    value: V
    evidence: list[Evidence] = _empty_list()


class RegionFinding(ValueFinding[Region]):
    pass


class IndicationFinding(ValueFinding[Indication]):
    pass


class ComplexityFinding(ValueFinding[Complexity]):
    pass


class AnesthesiaFinding(ValueFinding[Anesthesia]):
    pass


class SettingFinding(ValueFinding[Setting]):
    pass


class DepthFinding(ValueFinding[Depth]):
    pass


class SameSiteProcedureFinding(ValueFinding[SameSiteProcedure]):
    pass


class ImplantFinding(BaseModel):
    type: ImplantType
    count: Optional[int] = None
    evidence: list[Evidence] = _empty_list()


class DigitFinding(BaseModel):
    value: Digit
    side: Optional[Hand] = None  # extension: the hand this digit is on
    evidence: list[Evidence] = _empty_list()


class BoneFinding(BaseModel):
    value: Bone
    ray: Optional[int] = Field(default=None, ge=1, le=5)
    side: Optional[Hand] = None  # extension
    evidence: list[Evidence] = _empty_list()


class LateralityFinding(BaseModel):
    value: Optional[Side] = None
    conflict: bool = False
    header_value: Optional[Side] = None  # extension: the side the diagnosis/procedure header names
    evidence: list[Evidence] = _empty_list()


class ApproachFinding(BaseModel):
    documented: bool = False
    type: Optional[ApproachType] = None
    incision_documented: bool = False
    evidence: list[Evidence] = _empty_list()


class PlannedStatusFinding(BaseModel):
    value: Optional[PlannedStatus] = None
    evidence: list[Evidence] = _empty_list()
    # Extension: the index operation's plan to remove, when the note tells it but the removal is
    # unplanned (a complication brought it forward); it is then not an indication of this removal.
    index_plan: list[Evidence] = _empty_list()


class Findings(BaseModel):
    implants: list[ImplantFinding] = _empty_list()
    region: list[RegionFinding] = _empty_list()
    laterality: LateralityFinding = _fresh(LateralityFinding)
    digits: list[DigitFinding] = _empty_list()
    bones: list[BoneFinding] = _empty_list()
    indications: list[IndicationFinding] = _empty_list()
    approach: ApproachFinding = _fresh(ApproachFinding)
    planned_status: PlannedStatusFinding = _fresh(PlannedStatusFinding)
    complexity_factors: list[ComplexityFinding] = _empty_list()
    # Extensions: what the checklist and the coding rules need beyond the contract's fields.
    generic_hardware_removed: list[Evidence] = _empty_list()
    substantial_work: list[Evidence] = _empty_list()
    # Extension: a plate the note names as spanning the wrist ("dorsal spanning bridge plate"), which
    # makes radius and metacarpal one construct for code selection.
    spanning_plate: list[Evidence] = _empty_list()
    anesthesia: list[AnesthesiaFinding] = _empty_list()
    setting: list[SettingFinding] = _empty_list()
    hardware_accounted: list[Evidence] = _empty_list()
    closure: list[Evidence] = _empty_list()
    depth: list[DepthFinding] = _empty_list()
    same_site_procedures: list[SameSiteProcedureFinding] = _empty_list()
    # Extension: in a note found not to be a removal, the removal acts of this operation that no
    # hardware was linked to ("segment removed w/ needle driver", "small screw (1.5) backed out"):
    # the verdict "not a removal" is then a reviewer's question, never a high-severity alarm.
    removal_acts_unlinked: list[Evidence] = _empty_list()


class Procedure(BaseModel):
    is_implant_removal: bool
    suggested_cpt: Optional[Cpt] = None
    units: int = 0
    reason: str
    flags: list[ProcedureFlag] = _empty_list()  # extension, e.g. "20694" when an external fixator came off under anesthesia


class ChecklistItem(BaseModel):
    id: str
    title: str
    status: Status
    message: str
    evidence: list[Evidence] = _empty_list()


class ClaimLine(BaseModel):
    cpt: Cpt
    units: int = 1
    modifiers: list[Modifier] = _empty_list()
    site: str


class ModifierSuggestion(BaseModel):
    code: Modifier
    reason: str


class Icd10Suggestion(BaseModel):
    code: str
    description: str
    reason: str


class DenialRisk(BaseModel):
    id: str
    severity: Severity
    message: str
    # CONTRACT §3 (0.2): the CPT codes of the billed line(s) a claim-level risk is about.
    lines: list[str] = _empty_list()


class PhysicianQuery(BaseModel):
    """Extension: a draft query to the surgeon for one documentation gap (AHIMA/ACDIS "Guidelines
    for Achieving a Compliant Query Practice", 2022 update: open-ended or multiple choice with
    "other" and "unable to determine", no payment or code named)."""

    id: str
    gap: str  # the checklist item or denial-risk id this query would close
    question: str
    options: list[str] = _empty_list()  # empty: an open-ended query


class Result(BaseModel):
    schema_version: str = SCHEMA_VERSION
    note_id: Optional[str] = None
    procedure: Procedure
    findings: Findings
    checklist: list[ChecklistItem]
    score: int = Field(ge=0, le=100)
    ready_to_sign: bool
    claim_lines: list[ClaimLine] = _empty_list()
    modifiers: list[ModifierSuggestion] = _empty_list()
    icd10_suggestions: list[Icd10Suggestion] = _empty_list()
    denial_risks: list[DenialRisk] = _empty_list()
    rules_version: str = ""  # extension: the patterns/ version that produced this result
    queries: list[PhysicianQuery] = _empty_list()  # extension: draft physician queries, one per documentation gap


_MODIFIER_SPLIT = re.compile(r"[\s,;]+")
_CODE = re.compile(r"^[0-9A-Z][0-9]{3}[0-9A-Z]$")


def split_modifiers(value: object) -> object:
    """Modifiers as a list or one string separated by `,` `;` or spaces, upper-cased, without a
    leading dash."""
    if value is None:
        return []
    if isinstance(value, str):
        return [m.upper().lstrip("-") for m in _MODIFIER_SPLIT.split(value) if m.strip("-")]
    if isinstance(value, list):
        return [str(m).strip().upper().lstrip("-") for m in value if str(m).strip("- ")]
    return value


class BilledLine(BaseModel):
    """One billed line of the claim (`billed_lines`): CPT, units and modifiers."""

    model_config = ConfigDict(extra="ignore")

    cpt: str
    units: int = Field(default=1, ge=0, le=99)
    modifiers: list[str] = _empty_list()
    # Extensions: the line's diagnosis codes (or pointers), and its own date of service when it
    # differs from the procedure's (an E/M the day before).
    icd10: list[str] = _empty_list()
    service_date: Optional[date] = None

    @field_validator("cpt", mode="before")
    @classmethod
    def _code(cls, value: object) -> object:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str):
            value = value.strip().upper()
            if not _CODE.match(value):
                raise ValueError("a CPT/HCPCS code is five characters, e.g. 26320 or G0463")
        return value

    @field_validator("units", mode="before")
    @classmethod
    def _blank_units(cls, value: object) -> object:
        return 1 if value is None or (isinstance(value, str) and not value.strip()) else value

    @field_validator("modifiers", "icd10", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        return split_modifiers(value)

    @field_validator("service_date", mode="before")
    @classmethod
    def _blank_date(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value


class ClaimContext(BaseModel):
    """Optional claim data beside a note: dates, index surgery and what was billed."""

    model_config = ConfigDict(extra="ignore")

    note_id: Optional[str] = None
    removal_date: Optional[date] = None
    index_surgery_date: Optional[date] = None
    index_cpt: Optional[str] = None
    index_related: Optional[bool] = None
    billed_cpt: Optional[str] = None
    billed_units: Optional[int] = Field(default=None, ge=0, le=99)
    billed_modifiers: list[str] = _empty_list()
    # CONTRACT §3 (0.2): every line billed on the date of service, and the place of service.
    billed_lines: list[BilledLine] = Field(default=[], max_length=50)
    place_of_service: Optional[str] = None

    @field_validator("billed_modifiers", mode="before")
    @classmethod
    def _split_modifiers(cls, value: object) -> object:
        return split_modifiers(value)

    @field_validator("billed_lines", mode="before")
    @classmethod
    def _no_lines(cls, value: object) -> object:
        return [] if value is None or value == "" else value

    @field_validator("place_of_service", mode="before")
    @classmethod
    def _pos(cls, value: object) -> object:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str):
            value = value.strip()
            if not value:
                return None
            if not value.isdigit() or len(value) > 2:
                raise ValueError("a CMS place-of-service code is two digits, e.g. 11, 22 or 24")
            return value.zfill(2)
        return value

    @field_validator("index_cpt", "billed_cpt", "note_id", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip()
            return value or None
        return value

    @field_validator("removal_date", "index_surgery_date", "billed_units", "index_related", mode="before")
    @classmethod
    def _blank_scalar_is_none(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @property
    def has_claim(self) -> bool:
        return (self.billed_cpt is not None or bool(self.billed_modifiers) or self.billed_units is not None
                or bool(self.billed_lines))

    def lines(self) -> list[BilledLine]:
        """The claim as lines: `billed_lines` when given, else the single-line fields as one line."""
        if self.billed_lines:
            return list(self.billed_lines)
        if self.billed_cpt is None:
            return []
        try:
            return [BilledLine(cpt=self.billed_cpt, units=1 if self.billed_units is None else self.billed_units,
                               modifiers=self.billed_modifiers)]
        except ValueError:
            return []  # a free-text billed_cpt the single-line checks already judge
