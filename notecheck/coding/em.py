"""E/M lines on a surgical claim: 57, 25 and 24 (DOMAIN §4.1, §8 #15; CMS RAC issue 0034 lists 24,
25 and 57 as the modifiers that take an E/M out of a 090 global).

- E/M on the day before or the day of a 090 procedure is part of its global unless it was the
  decision for surgery (57, CMS Claims Processing Manual ch. 12 §30.6.6) or a significant,
  separately identifiable service for another problem (25, which the claim shows by pointing the
  E/M at a diagnosis the procedure line does not carry).
- 57 for a removal planned at the index surgery: the decision was made then, and a pre-op visit
  for a scheduled case is included (IBX policy as quoted in DOMAIN §4.1).
- E/M later inside the index surgery's global is post-operative care unless unrelated (24).
"""
from __future__ import annotations

from datetime import date
from typing import Callable, Optional

from notecheck.coding.ncci import NcciRules
from notecheck.models import BilledLine, ClaimContext, Findings
from notecheck.rules import CodingRules

Add = Callable[[str, list[str], str], None]


def _date_of(line: BilledLine, ctx: ClaimContext) -> Optional[date]:
    return line.service_date or ctx.removal_date


def _days_before(em: BilledLine, proc: BilledLine, ctx: ClaimContext) -> int:
    """How many days the E/M precedes the procedure; lines without dates are on one date of service."""
    em_day, proc_day = _date_of(em, ctx), _date_of(proc, ctx)
    if em_day is None or proc_day is None:
        return 0
    return (proc_day - em_day).days


def _separate_problem(em: BilledLine, proc: BilledLine) -> bool:
    """The claim points the E/M at a diagnosis the procedure line does not carry."""
    return bool(em.icd10) and not set(em.icd10) <= set(proc.icd10)


def em_risks(add: Add, f: Findings, ctx: ClaimContext, lines: list[BilledLine], rules: CodingRules, ncci: NcciRules) -> None:
    ems = [l for l in lines if ncci.is_em(l.cpt)]
    majors = [l for l in lines if ncci.is_major(l.cpt)]
    before, after = rules.global_window["before"], rules.global_window["after"]
    for em in ems:
        mods = set(em.modifiers)
        proc = next((p for p in majors if _days_before(em, p, ctx) in range(0, before + 1)), None)
        if proc is not None:
            when = "the day before" if _days_before(em, proc, ctx) == 1 else "the day of"
            if "57" in mods:
                if f.planned_status.value == "planned":
                    add("em_57_for_planned_procedure", [em.cpt, proc.cpt], "")
            elif "25" in mods:
                if not _separate_problem(em, proc):
                    add("em_25_without_separate_problem", [em.cpt, proc.cpt], "")
            else:
                add("em_decision_for_surgery_without_57", [em.cpt, proc.cpt], f"The E/M is on {when} {proc.cpt}.")
            continue
        em_day = _date_of(em, ctx)
        if ctx.index_surgery_date is None or em_day is None:
            continue
        day = (em_day - ctx.index_surgery_date).days
        if 1 <= day <= after and "24" not in mods:
            add("em_in_global_without_24", [em.cpt], f"The E/M is on day {day} of the index surgery's global period.")
