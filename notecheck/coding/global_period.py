"""58 / 78 / 79 from the dates, planned status, relatedness and setting (DOMAIN decision 5, §4.1)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

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
    if ctx.removal_date is None or ctx.index_surgery_date is None:
        missing = [n for n, v in (("index_surgery_date", ctx.index_surgery_date), ("removal_date", ctx.removal_date)) if v is None]
        return GlobalDecision(None, f"58/78/79 cannot be decided without {' and '.join(missing)}.", decidable=False)
    day = (ctx.removal_date - ctx.index_surgery_date).days
    before, after = rules.global_window["before"], rules.global_window["after"]
    if not -before <= day <= after:
        return GlobalDecision(None, f"Day {day} after the index surgery is outside its global window (day -{before} to {after}): no 58/78/79.", decidable=True)
    related = is_related(ctx, rules)
    if not related:
        return GlobalDecision(
            "79", f"Day {day} is inside the global of an unrelated index surgery ({ctx.index_cpt or 'index'}): 79.",
            True, True, False, index_in_hand_family=in_hand_family(ctx.index_cpt, rules),
        )
    if f.planned_status.value == "planned":
        return GlobalDecision("58", f"Day {day} inside the index global and the removal was planned at the index surgery (staged): 58.", True, True, True)
    settings = {s.value for s in f.setting}
    if "clinic" in settings and not settings & {"operating_room", "procedure_room"}:
        return GlobalDecision(None, f"Day {day} inside the index global, unplanned, but handled in clinic: a complication treated without a return to the OR is part of the global package.", True, True, True, billable=False)
    return GlobalDecision("78", f"Day {day} inside the index global, related and not planned at the index surgery, with a return to the operating/procedure room: 78.", True, True, True)
