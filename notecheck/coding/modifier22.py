"""Modifier 22: only with a documented factor that made this removal substantially harder
(DOMAIN decision 6, §4.2)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from notecheck.coding.why import Fact
from notecheck.models import Findings
from notecheck.rules import CodingRules


@dataclass(frozen=True)
class Decision22:
    supported: bool
    reason: Optional[str]
    own_code: bool = False  # the extra work is a separately coded procedure (e.g. tenolysis)
    facts: tuple[Fact, ...] = field(default=())  # what the decision read, in order (--explain)


def decide_22(f: Findings, rules: CodingRules) -> Decision22:
    why: list[Fact] = [Fact.of_values("complexity_factors", f.complexity_factors)]
    decision = _decide(f, rules, why)
    return Decision22(decision.supported, decision.reason, decision.own_code, tuple(why))


def _decide(f: Findings, rules: CodingRules, why: list[Fact]) -> Decision22:
    factors = [c.value for c in f.complexity_factors]
    if not factors:
        return Decision22(False, None)
    names = ", ".join(v.replace("_", " ") for v in factors)
    separately_coded = {p.value for p in f.same_site_procedures} & set(rules.separately_coded_procedures)
    why.append(Fact.of_values("same-site procedures", f.same_site_procedures))
    if separately_coded and set(factors) <= set(rules.factors_of_separate_procedures):
        # DOMAIN decision 6: work that has its own code (formal tenolysis 26440/26445) is
        # reported with that code, not as modifier 22.
        return Decision22(False, (
            f"The extra work documented ({names}) is the {', '.join(sorted(separately_coded))} done with the removal; "
            "report it with its own code (tenolysis 26440/26445, capsulotomy 26525) rather than 22."), own_code=True)
    why.append(Fact("substantial work stated", "yes" if f.substantial_work else "no", "note", tuple(f.substantial_work[:2])))
    if f.substantial_work:
        quote = f.substantial_work[0].text
        return Decision22(True, f"The note documents {names} and states the extra work (\"{quote}\"): 22 is supported (CMS: modifier 22 needs documentation of substantially greater work and its reason).")
    why.append(Fact("factors_without_statement", str(rules.factors_without_statement), "rules"))
    # Work with codes of its own (a debridement) is reported with them: it does not count here.
    counted = set(factors) - set(rules.factors_not_counted_without_statement)
    if len(counted) >= rules.factors_without_statement:
        return Decision22(True, f"The note documents {len(counted)} distinct complexity factors ({names}): 22 is supported (CMS: modifier 22 needs documentation of substantially greater work and its reason).")
    return Decision22(False, f"The note mentions {names} but does not state how it made the work substantially greater; 22 is not supported.")
