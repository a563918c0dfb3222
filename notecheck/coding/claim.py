"""Claim-level checks: every billed line of the date of service judged together and against the
note (issue 13). Each finding is a denial risk from patterns/coding.yaml naming the line(s) it
concerns; the edit data (PTP pairs, MUEs, E/M codes, place of service) is patterns/ncci.yaml.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Optional

from notecheck.coding.em import em_risks
from notecheck.coding.ncci import NcciRules
from notecheck.coding.selection import Selection
from notecheck.models import BilledLine, ClaimContext, ClaimLine, DenialRisk, Findings
from notecheck.rules import CodingRules


class ClaimRisks:
    """Risks by id; the same id found again (another pair, another line) adds its lines."""

    def __init__(self, rules: CodingRules, ncci: NcciRules, existing: list[DenialRisk]) -> None:
        self.texts = {**rules.denial_risks, **ncci.denial_risks}
        self.items: dict[str, DenialRisk] = {r.id: r for r in existing}

    def add(self, risk_id: str, lines: list[str], detail: str = "") -> None:
        current = self.items.get(risk_id)
        if current is None:
            text = self.texts[risk_id]
            message = f"{text.message} {detail}".strip()
            self.items[risk_id] = DenialRisk(id=risk_id, severity=text.severity, message=message, lines=list(dict.fromkeys(lines)))
            return
        merged = list(dict.fromkeys([*current.lines, *lines]))
        message = current.message if not detail or detail in current.message else f"{current.message} {detail}"
        self.items[risk_id] = current.model_copy(update={"lines": merged, "message": message})


def removal_view(ctx: ClaimContext, preferred: Optional[str], removal_codes: list[str]) -> ClaimContext:
    """The single-line fields the per-line checks read, from a multi-line claim: the removal code's
    lines (the suggested code when billed, else the first removal code), units summed and
    modifiers unioned — the contract's `modifiers` is the same union over claim lines."""
    if not ctx.billed_lines:
        return ctx
    removal = [l for l in ctx.billed_lines if l.cpt in removal_codes]
    if not removal:
        return ctx.model_copy(update={"billed_cpt": None, "billed_units": None, "billed_modifiers": []})
    code = preferred if preferred in {l.cpt for l in removal} else removal[0].cpt
    chosen = [l for l in removal if l.cpt == code]
    mods = list(dict.fromkeys(m for l in chosen for m in l.modifiers))
    return ctx.model_copy(update={"billed_cpt": code, "billed_units": sum(l.units for l in chosen), "billed_modifiers": mods})


def _finger_side(rules: CodingRules) -> dict[str, str]:
    return {code: side for side, table in rules.finger_modifiers.items() for code in table.values()}


def _site(line: BilledLine, rules: CodingRules) -> tuple[Optional[str], Optional[str]]:
    """(side, finger modifier) a line names; None where it names none (or contradicts itself)."""
    fingers = [m for m in line.modifiers if m in rules.all_finger_modifiers]
    finger = fingers[0] if len(fingers) == 1 else None
    sides = {s for m, s in _finger_side(rules).items() if m in fingers}
    sides |= {side for side, code in rules.side_modifiers.items() if code in line.modifiers}
    return (next(iter(sides)) if len(sides) == 1 else None), finger


def _anatomically_distinct(a: BilledLine, b: BilledLine, rules: CodingRules) -> bool:
    side_a, finger_a = _site(a, rules)
    side_b, finger_b = _site(b, rules)
    if finger_a and finger_b:
        return finger_a != finger_b
    return bool(side_a and side_b and side_a != side_b)


def claim_risks(
    f: Findings, ctx: ClaimContext, sel: Selection, note_lines: list[ClaimLine], rules: CodingRules,
    ncci: NcciRules, existing: list[DenialRisk],
) -> list[DenialRisk]:
    lines = ctx.lines()
    if not lines:
        return existing
    r = ClaimRisks(rules, ncci, existing)
    # The single-line fields stay what they were: one "line" whose modifiers may be the union over
    # several sites (CONTRACT §2 `modifiers`), so line-structure checks need `billed_lines`.
    if ctx.billed_lines:
        # The per-line checks judged the removal line(s): name them.
        view = removal_view(ctx, sel.cpt, rules.removal_codes)
        for risk in existing:
            if view.billed_cpt and not risk.lines:
                r.items[risk.id] = risk.model_copy(update={"lines": [view.billed_cpt]})
        _ptp(r, lines, note_lines, rules, ncci)
        em_risks(r.add, f, ctx, lines, rules, ncci)
        _units(r, lines, ncci)
        _line_modifiers(r, lines, rules)
        _documentation(r, f, sel, lines, note_lines, ncci)
    setting = ncci.setting(ctx.place_of_service)
    if setting in ncci.no_or_settings:
        with_78 = [l.cpt for l in lines if "78" in l.modifiers]
        if with_78:
            r.add("modifier_78_pos_office", with_78, f"Place of service {ctx.place_of_service} is an office.")
    return list(r.items.values())


def _ptp(r: ClaimRisks, lines: list[BilledLine], note_lines: list[ClaimLine], rules: CodingRules, ncci: NcciRules) -> None:
    anatomic = set(ncci.anatomic_modifiers)
    distinct = set(ncci.distinct_modifiers)
    note_fingers = {m for l in note_lines for m in l.modifiers if m in rules.all_finger_modifiers}
    for edit in ncci.ptp:
        if edit.kind == "em":
            continue  # judged by the E/M rules (57/25/24), which know the dates
        for col1 in (l for l in lines if l.cpt in edit.column1):
            for col2 in (l for l in lines if l.cpt in edit.column2 and l is not col1):
                pair = [col1.cpt, col2.cpt]
                why = f"{col2.cpt} with {col1.cpt}: {edit.rationale}."
                if edit.indicator == 0:
                    r.add("ptp_not_bypassable", pair, why)
                    continue
                if _anatomically_distinct(col1, col2, rules):
                    _, finger = _site(col2, rules)
                    if col2.cpt in rules.removal_codes and note_fingers and finger and finger not in note_fingers:
                        r.add("ptp_bypass_without_distinct_site", pair, why)
                    continue
                if set(col2.modifiers) & distinct:
                    if len(note_lines) <= 1:
                        r.add("ptp_bypass_without_distinct_site", pair, why)
                    elif note_fingers and not (set(col2.modifiers) & anatomic & rules.all_finger_modifiers):
                        r.add("ptp_59_where_anatomic_modifier_applies", pair, why)
                    continue
                if col2.cpt == "20670" and col1.cpt == "26320":
                    r.add("implant_removal_20670_same_site", pair)
                elif edit.kind == "mutually_exclusive":
                    r.add("ptp_mutually_exclusive", pair, why)
                else:
                    r.add("ptp_bundled", pair, why)


def _units(r: ClaimRisks, lines: list[BilledLine], ncci: NcciRules) -> None:
    by_code: dict[str, list[BilledLine]] = defaultdict(list)
    for line in lines:
        by_code[line.cpt].append(line)
    for code, group in by_code.items():
        most = max(l.units for l in group)
        total = sum(l.units for l in group)
        mue = ncci.over_mue(code, most)
        if mue is not None:
            r.add("mue_line_exceeded", [code], f"{code}: {most} units on one line, MUE {mue}.")
        elif len(group) > 1 and (mue := ncci.over_mue(code, total)) is not None:
            r.add("units_above_mue", [code], f"{code}: {total} units over {len(group)} lines, MUE {mue}.")


def _line_modifiers(r: ClaimRisks, lines: list[BilledLine], rules: CodingRules) -> None:
    finger_side = _finger_side(rules)
    seen: dict[tuple[str, str], int] = defaultdict(int)
    for line in lines:
        fingers = [m for m in line.modifiers if m in rules.all_finger_modifiers]
        sides = {rules.side_modifiers[s] for s in rules.side_modifiers if rules.side_modifiers[s] in line.modifiers}
        implied = {rules.side_modifiers[finger_side[m]] for m in fingers}
        if len(set(fingers)) > 1 or len(sides) > 1 or (sides and implied and sides != implied):
            r.add("line_modifiers_contradict", [line.cpt], f"{line.cpt} carries {' '.join(line.modifiers)}.")
        for m in set(fingers):
            seen[(line.cpt, m)] += 1
    for (code, finger), count in seen.items():
        if count > 1:
            r.add("same_digit_two_lines", [code], f"{code} is billed {count} times with {finger}.")


def _documentation(r: ClaimRisks, f: Findings, sel: Selection, lines: list[BilledLine], note_lines: list[ClaimLine], ncci: NcciRules) -> None:
    procedures = {p.value for p in f.same_site_procedures}
    factors = {c.value for c in f.complexity_factors}
    for line in lines:
        for what, doc in ncci.documented_by.items():
            if line.cpt in doc.codes and not (procedures & set(doc.procedures) or factors & set(doc.complexity)):
                r.add("billed_code_not_documented", [line.cpt], f"{line.cpt} ({what.replace('_', ' ')}) is not described in the note.")
    codes = {l.cpt for l in lines}
    for what, code_set in ncci.separately_reportable.items():
        if what in procedures and sel.is_removal and not any(c in code_set for c in codes):
            r.add("documented_procedure_not_billed", [], f"The note documents a {what.replace('_', ' ')}.")
    if sel.cpt and sel.cpt in codes:
        billed = sum(l.units for l in lines if l.cpt == sel.cpt)
        if billed < len(note_lines):
            r.add("documented_site_not_billed", [sel.cpt], f"The note documents {len(note_lines)} site(s); {billed} unit(s) of {sel.cpt} were billed.")
