"""Findings + claim context -> code, claim lines, modifiers, ICD-10 and denial risks.

Pure functions over pydantic models and rule data: no spaCy here, so every rule is a row in a
table-driven test.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from notecheck.coding.claim import claim_risks, removal_view
from notecheck.coding.claim_lines import build_lines
from notecheck.coding.global_period import GlobalDecision, decide_global
from notecheck.coding.icd10 import suggest_icd10
from notecheck.coding.modifier22 import decide_22
from notecheck.coding.ncci import NcciRules, load_ncci
from notecheck.coding.risks import denial_risks
from notecheck.coding.selection import Selection, select_code
from notecheck.coding.why import Fact
from notecheck.models import ClaimContext, ClaimLine, DenialRisk, Findings, Icd10Suggestion, ModifierSuggestion, Procedure
from notecheck.rules import CodingRules, Icd10Rules

__all__ = ["Coding", "code_note"]


@dataclass
class Coding:
    procedure: Procedure
    selection: Selection
    global_decision: GlobalDecision
    supports_22: bool
    reason_22: Optional[str]
    own_code_22: bool = False
    facts_22: tuple[Fact, ...] = ()  # what the 22 decision read (--explain)
    claim_lines: list[ClaimLine] = field(default_factory=list)
    modifiers: list[ModifierSuggestion] = field(default_factory=list)
    icd10: list[Icd10Suggestion] = field(default_factory=list)
    risks: list[DenialRisk] = field(default_factory=list)


def _modifier_reasons(f: Findings, lines: list[ClaimLine], glob: GlobalDecision, reason_22: Optional[str], rules: CodingRules) -> list[ModifierSuggestion]:
    out: dict[str, str] = {}
    finger_names = {code: (side, digit) for side, table in rules.finger_modifiers.items() for digit, code in table.items()}
    for line in lines:
        for code in line.modifiers:
            if code in out:
                continue
            if code in ("LT", "RT"):
                out[code] = f"The note documents the {'left' if code == 'LT' else 'right'} side ({line.site})."
            elif code in finger_names:
                side, digit = finger_names[code]
                out[code] = f"Hardware was removed from the {side} {digit if digit == 'thumb' else digit + ' finger'} (CMS finger modifier {code})."
            elif code in ("58", "78", "79"):
                out[code] = glob.reason
            elif code == "22":
                out[code] = reason_22 or "Substantially greater work is documented."
    return [ModifierSuggestion(code=c, reason=r) for c, r in out.items()]


def code_note(f: Findings, ctx: ClaimContext, rules: CodingRules, icd: Icd10Rules, ncci: Optional[NcciRules] = None) -> Coding:
    ncci = ncci or load_ncci()
    sel = select_code(f, rules)
    glob = decide_global(f, ctx, rules)
    d22 = decide_22(f, rules)
    supports_22, reason_22 = d22.supported, d22.reason
    lines: list[ClaimLine] = []
    if sel.cpt is not None:
        extra = [glob.modifier] if glob.modifier else []
        if supports_22:
            extra.append("22")
        lines = build_lines(sel.cpt, f, rules, extra, sel.forearm_cpt)
    if ncci.over_mue(sel.cpt, len(lines)) is not None:
        sel.flags.append("units_above_mue")
    procedure = Procedure(
        is_implant_removal=sel.is_removal, suggested_cpt=sel.cpt, units=sum(l.units for l in lines),
        reason=sel.reason, flags=sel.flags,
    )
    return Coding(
        procedure=procedure, selection=sel, global_decision=glob, supports_22=supports_22, reason_22=reason_22, own_code_22=d22.own_code,
        facts_22=d22.facts,
        claim_lines=lines, modifiers=_modifier_reasons(f, lines, glob, reason_22, rules),
        icd10=suggest_icd10(f, icd) if sel.is_removal else [],
        risks=claim_risks(
            f, ctx, sel, lines, rules, ncci,
            denial_risks(f, removal_view(ctx, sel.cpt, rules.removal_codes), sel, lines, glob, supports_22, rules, ncci),
        ),
    )
