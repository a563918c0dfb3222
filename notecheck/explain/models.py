"""The explanation of one result (`check --explain`, `?explain=true`) as pydantic models.

An explanation goes only to the caller that asked for it: it quotes the note (PHI) and is never
logged.
"""
from __future__ import annotations

from typing import Literal, Optional

from pydantic import BaseModel, SerializerFunctionWrapHandler, model_serializer

from notecheck.models import Evidence, Result

FieldName = Literal[
    "implants", "laterality", "digits", "bones", "indications", "approach", "planned_status", "complexity_factors",
]
CauseKind = Literal[
    "target_filter",  # the target matcher's post-filter dropped the match before it became a mention
    "header",  # the words are a section header's
    "context",  # a ConText trigger modified the mention
    "context_cancelled",  # a ConText trigger that would have modified it lay inside a PSEUDO trigger
    "section_role",  # the mention's section has a role that modifies it (history, plan, other person)
    "extractor",  # an extractor's decision (act linking, provisional hardware, section of indications ...)
    "finding_rule",  # a rule over findings removed the finding this mention supported
]


class Quote(BaseModel):
    """Words of the note: `text == note[start:end]`."""

    text: str
    start: int
    end: int


class Cause(BaseModel):
    kind: CauseKind
    code: str  # e.g. NEGATED, suppressed, requires_near, provisional, act_section
    detail: str
    rule_id: Optional[str] = None  # the ConText rule, or the target rule whose requirement failed
    rule_file: Optional[str] = None
    trigger: Optional[Quote] = None  # the ConText trigger's words
    section: Optional[str] = None
    by_rule_id: Optional[str] = None  # the suppressor, the winning match, the PSEUDO trigger, the linked act
    by_rule_file: Optional[str] = None
    by: Optional[Quote] = None

    @model_serializer(mode="wrap")
    def _without_nulls(self, handler: SerializerFunctionWrapHandler) -> dict:
        # Most causes fill three or four of these fields; nulls would triple the explanation's size.
        return {k: v for k, v in handler(self).items() if v is not None}


class MentionTrace(BaseModel):
    """One match of a rule for a field, and whether the field kept it."""

    label: str
    value: str
    rule_id: str
    rule_file: Optional[str] = None
    text: str
    start: int
    end: int
    section: str
    kept: bool
    reason: str  # one sentence: why kept or dropped
    causes: list[Cause] = []


class Fact(BaseModel):
    """One input a decision read: a finding of the note, a claim field, or a coding rule."""

    name: str
    value: str
    source: Literal["note", "claim", "rules"]
    evidence: list[Evidence] = []


class Decision(BaseModel):
    subject: str  # e.g. "code", "global_period", "modifier LT", "planned_status", "laterality"
    outcome: Optional[str] = None  # the code, modifier or value decided; null: none
    branch: str  # which rule of the decision applied, a short code
    reason: str
    facts: list[Fact] = []
    rules: list[str] = []  # rule file entries involved, e.g. "coding.yaml: global_window"


class FieldExplanation(BaseModel):
    field: FieldName
    value: str  # the result's value for the field, in words ("none" when empty)
    decisions: list[Decision] = []
    mentions: list[MentionTrace] = []


class RuleUse(BaseModel):
    file: str
    ids: list[str]


class Explanation(BaseModel):
    rules_version: str
    fields: list[FieldExplanation]
    planned_status: Decision
    code: Decision
    global_period: Decision  # 58 / 78 / 79, or why none
    modifier_22: Decision
    modifiers: list[Decision] = []  # one per modifier of the result, in its order
    rules_used: list[RuleUse] = []


class ExplainedResult(Result):
    """A result with its explanation (extension; only when the caller asks for it)."""

    explanation: Explanation
