"""Physician query drafts: one short, non-leading question to the surgeon per documentation gap.

A gap is a checklist item the note leaves partial or missing (claim data such as the global-period
dates is not the surgeon's to document), a denial risk that documentation could resolve, or the
note naming two sides. The texts are data (patterns/ncci.yaml `queries`), written to the AHIMA/ACDIS
"Guidelines for Achieving a Compliant Query Practice" (2022 update): no code, payment or desired
answer is named, and multiple-choice queries offer "Other" and "Unable to determine".
"""
from __future__ import annotations

from notecheck.coding.ncci import NcciRules
from notecheck.models import ChecklistItem, DenialRisk, Findings, PhysicianQuery

# Checklist items about claim data rather than the note: no query to the surgeon.
CLAIM_DATA_ITEMS = frozenset({"global_period"})


def draft_queries(checklist: list[ChecklistItem], risks: list[DenialRisk], f: Findings, ncci: NcciRules) -> list[PhysicianQuery]:
    gaps: list[str] = [i.id for i in checklist if i.status in ("partial", "missing") and i.id not in CLAIM_DATA_ITEMS]
    if f.laterality.conflict:
        gaps.append("laterality_conflict")
    gaps += [r.id for r in risks]
    out: list[PhysicianQuery] = []
    asked: set[str] = set()
    for gap in gaps:
        text = ncci.queries.get(gap)
        if text is None or text.question in asked:
            continue
        asked.add(text.question)
        out.append(PhysicianQuery(id=f"query_{gap}", gap=gap, question=text.question, options=list(text.options)))
    return out
