"""58 / 78 / 79 from the dates, planned status, relatedness and setting (DOMAIN decision 5, §4.1)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from notecheck.coding.why import Fact
from notecheck.models import ClaimContext, Findings, Modifier
from notecheck.rules import CodingRules


@dataclass
class GlobalDecision:
    modifier: Optional[Modifier]  # 58 / 78 / 79 / None
    reason: str
    decidable: bool
    in_window: bool = False
    related: Optional[bool] = None
    billable: bool = True  # False: a complication managed outside the OR inside the global
    index_in_hand_family: bool = False  # the index CPT is a hand fixation, whatever the caller says
    facts: list[Fact] = field(default_factory=list)  # what the decision read, in order (--explain)


def in_hand_family(index_cpt: Optional[str], rules: CodingRules) -> bool:
    try:
        code = int((index_cpt or "")[:5])
    except ValueError:
        return False
    return any(lo <= code <= hi for lo, hi in rules.related_index_ranges)


def is_related(ctx: ClaimContext, rules: CodingRules) -> bool:
    if ctx.index_related is not None:
        return ctx.index_related
    if not ctx.index_cpt:
        # The index date is, by the contract, that of the surgery that placed the hardware.
        return True
    return in_hand_family(ctx.index_cpt, rules)


def decide_global(f: Findings, ctx: ClaimContext, rules: CodingRules) -> GlobalDecision:
    facts: list[Fact] = []
    decision = _decide(f, ctx, rules, facts)
    decision.facts = facts
    return decision


def _related_fact(ctx: ClaimContext, rules: CodingRules, related: bool) -> Fact:
    if ctx.index_related is not None:
        return Fact("index_related", str(related).lower(), "claim")
    if not ctx.index_cpt:
        return Fact("index_related", "true (no index CPT: the index is the surgery that placed the hardware)", "claim")
    ranges = ", ".join(f"{lo}-{hi}" for lo, hi in rules.related_index_ranges)
    return Fact("index_cpt in related_index_ranges", f"{ctx.index_cpt}: {'yes' if related else 'no'} ({ranges})", "rules")


def _decide(f: Findings, ctx: ClaimContext, rules: CodingRules, why: list[Fact]) -> GlobalDecision:
    why.append(Fact("index_surgery_date", str(ctx.index_surgery_date or "not given"), "claim"))
    why.append(Fact("removal_date", str(ctx.removal_date or "not given"), "claim"))
    if ctx.removal_date is None or ctx.index_surgery_date is None:
        missing = [n for n, v in (("index_surgery_date", ctx.index_surgery_date), ("removal_date", ctx.removal_date)) if v is None]
        return GlobalDecision(None, f"58/78/79 cannot be decided without {' and '.join(missing)}.", decidable=False)
    day = (ctx.removal_date - ctx.index_surgery_date).days
    before, after = rules.global_window["before"], rules.global_window["after"]
    why.append(Fact("days_after_index", str(day), "claim"))
    why.append(Fact("global_window", f"day -{before} to {after}", "rules"))
    if not -before <= day <= after:
        return GlobalDecision(None, f"Day {day} after the index surgery is outside its global window (day -{before} to {after}): no 58/78/79.", decidable=True)
    related = is_related(ctx, rules)
    why.append(_related_fact(ctx, rules, related))
    if not related:
        return GlobalDecision(
            "79", f"Day {day} is inside the global of an unrelated index surgery ({ctx.index_cpt or 'index'}): 79.",
            True, True, False, index_in_hand_family=in_hand_family(ctx.index_cpt, rules),
        )
    why.append(Fact("planned_status", f.planned_status.value or "not stated", "note", tuple(f.planned_status.evidence)))
    if f.planned_status.value == "planned":
        return GlobalDecision("58", f"Day {day} inside the index global and the removal was planned at the index surgery (staged): 58.", True, True, True)
    settings = {s.value for s in f.setting}
    why.append(Fact.of_values("setting", f.setting))
    anesthesia = {a.value for a in f.anesthesia}
    if "clinic" in settings and not settings & {"operating_room", "procedure_room"} and \
            not anesthesia & set(rules.operating_room_anesthesia):
        return GlobalDecision(None, f"Day {day} inside the index global, unplanned, but handled in clinic: a complication treated without a return to the OR is part of the global package.", True, True, True, billable=False)
    return GlobalDecision("78", f"Day {day} inside the index global, related and not planned at the index surgery, with a return to the operating/procedure room: 78.", True, True, True)
