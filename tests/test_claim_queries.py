"""Physician query drafts (issue 13): one per documentation gap, compliant with the AHIMA/ACDIS
"Guidelines for Achieving a Compliant Query Practice" (2022 update): no code, modifier, payment or
leading diagnosis named; multiple choice offers "Other" and "Unable to determine"."""
from __future__ import annotations

import re

import pytest

from notecheck.coding.ncci import load_ncci
from notecheck.coding.queries import draft_queries
from notecheck.models import ChecklistItem, ClaimContext, DenialRisk
from test_coding import findings

NCCI = load_ncci()
CODE = re.compile(r"\b(?:\d{5}|[A-Z]\d{4}|[A-TV-Z]\d{2}(?:\.[0-9A-Z]{1,4})?|F[A1-9]|LT|RT|XS|XU|XE|XP)\b")
PAYMENT = re.compile(r"\$|\b(?:pay|paid|payment|reimburs\w*|revenue|fee|bill\w*|claim\w*|denial|deny|denied|money|dollars?|modifier|cpt|icd|code[sd]?|coding|rvu|audit)\b", re.I)
# Diagnoses or findings a query must not put in the surgeon's mouth (open-ended questions name none;
# multiple-choice options are balanced alternatives, never a single suggested diagnosis).
LEADING = re.compile(r"\b(?:infect\w*|migrat\w*|broken|breakage|loosen\w*|prominen\w*|pain\w*|complication|osteomyelitis|cellulitis|nonunion|malunion)\b", re.I)


@pytest.mark.parametrize("gap", sorted(NCCI.queries))
def test_query_names_no_code_payment_or_leading_diagnosis(gap: str) -> None:
    q = NCCI.queries[gap]
    for text in [q.question, *q.options]:
        assert not CODE.search(text), (gap, text)
        assert not PAYMENT.search(text), (gap, text)
        assert not LEADING.search(text), (gap, text)
    assert len(q.question) <= 240 and q.question.rstrip().endswith(".")


@pytest.mark.parametrize("gap", sorted(g for g, q in NCCI.queries.items() if q.options))
def test_multiple_choice_offers_other_and_unable_to_determine(gap: str) -> None:
    options = [o.lower() for o in NCCI.queries[gap].options]
    assert any(o.startswith("other") for o in options)
    assert "unable to determine" in options
    assert len(options) == len(set(options)) >= 3


def test_every_note_gap_and_documentation_risk_has_a_query() -> None:
    checklist_ids = {"implant_type", "anatomic_location", "indication", "approach", "planned_status", "modifier_22_support",
                     "anesthesia", "hardware_accounted", "closure"}
    documentation_risks = {"medical_necessity_not_documented", "em_25_without_separate_problem", "em_57_for_planned_procedure",
                           "em_decision_for_surgery_without_57", "ptp_bypass_without_distinct_site", "ptp_59_where_anatomic_modifier_applies",
                           "billed_code_not_documented", "documented_procedure_not_billed", "modifier_79_without_distinct_diagnosis"}
    assert checklist_ids | documentation_risks <= set(NCCI.queries)


def test_one_query_per_gap_and_none_for_claim_data() -> None:
    checklist = [
        ChecklistItem(id="indication", title="Indication", status="missing", message="m"),
        ChecklistItem(id="closure", title="Closure", status="partial", message="m"),
        ChecklistItem(id="approach", title="Approach", status="met", message="m"),
        ChecklistItem(id="global_period", title="Global period", status="missing", message="m"),
    ]
    risks = [DenialRisk(id="billed_code_not_documented", severity="high", message="m", lines=["26445"]),
             DenialRisk(id="medical_necessity_not_documented", severity="high", message="m")]
    f = findings(digits=("ring",))
    f.laterality.conflict = True
    queries = draft_queries(checklist, risks, f, NCCI)
    assert [q.gap for q in queries] == ["indication", "closure", "laterality_conflict", "billed_code_not_documented",
                                        "medical_necessity_not_documented"]
    assert len({q.id for q in queries}) == len(queries)


def test_checked_note_carries_queries(checker) -> None:
    note = ("PROCEDURE: Removal of hardware, left hand.\nDESCRIPTION: An incision was made and the hardware was removed. "
            "A tenolysis of the extensor tendon was performed.\n")
    ctx = ClaimContext(billed_lines=[{"cpt": "99213", "modifiers": "25"}, {"cpt": "26320", "modifiers": "LT"}], place_of_service="24")
    result = checker.check(note, ctx, "q1")
    gaps = {q.gap for q in result.queries}
    assert {"implant_type", "em_25_without_separate_problem"} <= gaps, gaps
    assert all(not PAYMENT.search(q.question) for q in result.queries)
    data = result.model_dump(mode="json")
    assert data["queries"] and {"id", "gap", "question", "options"} <= data["queries"][0].keys()
