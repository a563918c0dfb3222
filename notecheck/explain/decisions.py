"""Why the code, each modifier, 58/78/79, 22 and the planned status came out as they did: read from
the facts the coding decisions recorded while deciding (notecheck.coding.why) and from the
planned-status branch the extractor recorded (notecheck.trace)."""
from __future__ import annotations

from typing import Iterable, Optional

from notecheck.coding import Coding
from notecheck.coding.why import Fact as CodingFact
from notecheck.explain.models import Decision, Fact, FieldExplanation
from notecheck.models import Findings, Result
from notecheck.rules import CodingRules


def _facts(facts: Iterable[CodingFact]) -> list[Fact]:
    return [Fact(name=f.name, value=f.value, source=f.source, evidence=list(f.evidence)) for f in facts]


def _rules(facts: Iterable[CodingFact]) -> list[str]:
    return list(dict.fromkeys(f"coding.yaml: {f.name}" for f in facts if f.source == "rules"))


def code_decision(coding: Coding) -> Decision:
    sel = coding.selection
    facts = _facts(sel.facts)
    if sel.flags:
        facts.append(Fact(name="flags", value=", ".join(sel.flags), source="rules"))
    return Decision(subject="code", outcome=sel.cpt, branch=sel.kind, reason=sel.reason, facts=facts,
                    rules=_rules(sel.facts))


def global_decision(coding: Coding, planned: Decision) -> Decision:
    g = coding.global_decision
    if g.modifier:
        branch = g.modifier
    elif not g.decidable:
        branch = "undecidable"
    elif not g.in_window:
        branch = "outside_window"
    else:
        branch = "not_billable"
    facts, rules = _facts(g.facts), _rules(g.facts)
    if any(f.name == "planned_status" for f in facts):
        # 58 against 78 turns on the planned status: say which of its rules decided it.
        evidence = planned.facts[0].evidence if planned.facts else []
        facts.append(Fact(name="planned status decided by", value=f"{planned.branch}: {planned.reason}", source="note",
                          evidence=evidence))
        rules += planned.rules
    return Decision(subject="global_period", outcome=g.modifier, branch=branch, reason=g.reason, facts=facts, rules=rules)


def modifier22_decision(coding: Coding) -> Decision:
    facts = coding.facts_22
    supported, reason = coding.supports_22, coding.reason_22
    branch = "supported" if supported else ("own_code" if coding.own_code_22 else ("not_supported" if reason else "no_factors"))
    return Decision(subject="modifier_22", outcome="22" if supported else None, branch=branch,
                    reason=reason or "No complexity factor is documented for this removal.",
                    facts=_facts(facts), rules=_rules(facts))


def planned_decision(planned: FieldExplanation) -> Decision:
    """The planned-status field's own branch, as the extractor recorded it."""
    if planned.decisions:
        last = planned.decisions[-1]
        return last.model_copy(update={"subject": "planned_status"})
    return Decision(subject="planned_status", outcome=None, branch="not_removal",
                    reason="Not an implant removal: the planned status stays null.")


def modifier_decisions(result: Result, coding: Coding, rules: CodingRules, laterality: Optional[Decision],
                       glob: Decision, d22: Decision) -> list[Decision]:
    f = result.findings
    finger = {code: (side, digit) for side, table in rules.finger_modifiers.items() for digit, code in table.items()}
    side_codes = {code: side for side, code in rules.side_modifiers.items()}
    out = []
    for m in result.modifiers:
        lines = [line.site for line in result.claim_lines if m.code in line.modifiers]
        where = Fact(name="claim lines", value="; ".join(lines), source="rules")
        if m.code in side_codes:
            side = side_codes[m.code]
            facts = [where, _side_fact(f, side)]
            if laterality is not None:
                facts.append(Fact(name="laterality decided by", value=f"{laterality.branch}: {laterality.reason}", source="note"))
            out.append(Decision(subject=f"modifier {m.code}", outcome=m.code, branch="side", reason=m.reason, facts=facts,
                                rules=[f"coding.yaml: side_modifiers.{side}"]))
        elif m.code in finger:
            side, digit = finger[m.code]
            digits = [d for d in f.digits if d.value == digit]
            facts = [where, Fact(name="digit", value=f"{side} {digit}", source="note",
                                 evidence=[e for d in digits for e in d.evidence[:3]]), _side_fact(f, side)]
            out.append(Decision(subject=f"modifier {m.code}", outcome=m.code, branch="finger", reason=m.reason, facts=facts,
                                rules=[f"coding.yaml: finger_modifiers.{side}.{digit}"]))
        elif m.code == glob.outcome:
            out.append(glob.model_copy(update={"subject": f"modifier {m.code}"}))
        elif m.code == "22":
            out.append(d22.model_copy(update={"subject": "modifier 22"}))
        else:
            out.append(Decision(subject=f"modifier {m.code}", outcome=m.code, branch="other", reason=m.reason, facts=[where]))
    return out


def _side_fact(f: Findings, side: str) -> Fact:
    sided = [e for item in [*f.digits, *f.bones] if item.side == side for e in item.evidence[:2]]
    return Fact(name="side", value=side, source="note", evidence=(f.laterality.evidence if f.laterality.value == side else [])[:4] or sided[:4])
