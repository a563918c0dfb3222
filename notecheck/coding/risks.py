"""Denial risks of a billed claim against what the note supports (DOMAIN §8, the reference
page's common denial reasons). Each risk is an id from patterns/coding.yaml with its severity."""
from __future__ import annotations

from notecheck.coding.global_period import GlobalDecision
from notecheck.coding.ncci import NcciRules
from notecheck.coding.selection import Selection
from notecheck.models import ClaimContext, ClaimLine, DenialRisk, Findings
from notecheck.rules import CodingRules



class _Risks:
    def __init__(self, rules: CodingRules) -> None:
        self.rules = rules
        self.items: dict[str, DenialRisk] = {}

    def add(self, risk_id: str, detail: str = "") -> None:
        text = self.rules.denial_risks[risk_id]
        message = text.message if not detail else f"{text.message} {detail}"
        self.items.setdefault(risk_id, DenialRisk(id=risk_id, severity=text.severity, message=message))


def denial_risks(
    f: Findings, ctx: ClaimContext, sel: Selection, lines: list[ClaimLine], glob: GlobalDecision,
    supports_22: bool, rules: CodingRules, ncci: NcciRules,
) -> list[DenialRisk]:
    r = _Risks(rules)
    if not ctx.has_claim:
        return []
    billed = (ctx.billed_cpt or "").strip()
    mods = set(ctx.billed_modifiers)
    _code_risks(r, f, sel, billed)
    if "wrist_hand_ambiguity" in sel.flags and billed in rules.removal_codes:
        r.add("wrist_hand_ambiguity")
    if billed in rules.removal_codes and glob.in_window and not glob.billable and sel.kind != "pin_pull":
        r.add("non_billable_clinic_complication")
    same_code = sel.cpt is not None and billed == sel.cpt
    if same_code and ctx.billed_units is not None and ctx.billed_units > len(lines):
        # Abstain rather than alarm when each unit is a line of its own and the note names a bone
        # for every one: whether a metacarpal and a phalanx of one ray held one construct or two
        # is not in the words. Several units on one line stay an alarm.
        bones = {(b.value, b.ray, b.side) for b in f.bones}
        own_lines = [line for line in ctx.billed_lines if line.cpt == billed]
        one_unit_each = len(own_lines) > 1 and all(line.units == 1 for line in own_lines)
        if one_unit_each and ctx.billed_units <= len(bones):
            r.add("units_per_site_unclear", f"Sites separated: {len(lines)}; bones named: {len(bones)}; units billed: {ctx.billed_units}.")
        else:
            r.add("units_per_implant", f"The note documents {len(lines)} site(s); {ctx.billed_units} units were billed.")
    # Whatever the note supports: the billed units of the billed code on this date of service.
    if ncci.over_mue(billed, ctx.billed_units) is not None:
        r.add("units_above_mue")
    if same_code:
        _anatomic_risks(r, f, lines, mods)
        _global_risks(r, f, glob, mods, ctx)
        if "22" in mods and not supports_22:
            r.add("modifier_22_unsupported")
        elif supports_22 and "22" not in mods:
            r.add("modifier_22_documented_not_billed")
        finger_on_line = mods & rules.all_finger_modifiers
        if len(finger_on_line) > 1 and not ctx.billed_lines:
            # One line for several digits ("26320 x3 RT F6 F7 F8"): each digit is its own line.
            r.add("finger_modifiers_on_one_line", f"{len(finger_on_line)} finger modifiers on one line.")
        indications = {i.value for i in f.indications}
        if not indications or indications <= {"patient_request"}:
            r.add("medical_necessity_not_documented")
            if not indications:
                # Nothing found is weaker evidence than a wish stated as the only reason.
                _abstain(r, ["medical_necessity_not_documented"], "notecheck found no stated reason; if the note "
                         "gives one (healed fracture, pain, prominence), this is not a risk.")
    if "50" in mods:
        r.add("modifier_50_invalid")
    if "51" in mods:
        r.add("modifier_51_medicare")
    if mods & set(rules.assistant_modifiers):
        r.add("assistant_modifier_not_payable")
    if "F0" in mods:
        r.add("invalid_modifier")
    if f.laterality.conflict:
        _abstain(r, rules.side_dependent_risks, "The note itself names two sides; confirm the side before submitting.")
    return list(r.items.values())


def _abstain(r: _Risks, risk_ids: list[str], why: str) -> None:
    """Abstain rather than guess: when the note's own evidence conflicts, a risk that depends on
    it is a question for a reviewer (medium, with the reason), never a high-severity alarm."""
    for risk_id in risk_ids:
        risk = r.items.get(risk_id)
        if risk is not None and risk.severity == "high":
            r.items[risk_id] = DenialRisk(id=risk.id, severity="medium", message=f"{risk.message} {why}")


def _code_risks(r: _Risks, f: Findings, sel: Selection, billed: str) -> None:
    removal_codes = set(r.rules.removal_codes)
    if not billed:
        return
    if sel.cpt is None:
        if sel.kind == "external_fixator":
            # CPT 20694 is removal *under anesthesia* of an external fixation system: billed for a
            # frame taken off in clinic without anesthesia it is as wrong as 26320 would be.
            under_anesthesia = "20694" in sel.flags
            if billed in removal_codes and (billed != "20694" or not under_anesthesia):
                detail = "An external fixator removed under anesthesia is reported with 20694." if under_anesthesia else (
                    "External fixator removal without anesthesia is part of the index global package (20694 requires anesthesia).")
                r.add("billed_wrong_code", detail)
            return
        if billed not in removal_codes:
            return
        if sel.kind == "not_removal":
            r.add("non_billable_not_a_removal")
            if f.removal_acts_unlinked:
                _abstain(r, ["non_billable_not_a_removal"], "The note tells a removal without naming hardware notecheck "
                         "recognises (findings.removal_acts_unlinked); confirm what came out before changing the claim.")
        elif sel.kind == "pin_pull":
            r.add("non_billable_office_pin_pull")
        elif sel.kind == "integral":
            r.add("non_billable_integral_removal")
        return
    if billed == sel.cpt:
        return
    if billed not in removal_codes:
        # The claim bills another procedure (a fixation, a fusion, a visit): whether the removal
        # is integral to it is the coder's call, and a missing line is a lost charge, not a denial.
        r.add("removal_not_on_claim", f"The note supports {sel.cpt}; the claim carries {billed}.")
        return
    if sel.cpt == "26320" and billed == "20680":
        r.add("billed_20680_for_hand")
    elif sel.cpt == "26320" and billed == "20670":
        r.add("billed_20670_for_hand")
    elif sel.cpt in ("20680", "20670") and billed == "26320" and not any(b.value in r.rules.hand_bones for b in f.bones):
        r.add("billed_26320_for_wrist")
    else:
        r.add("billed_wrong_code", f"The note supports {sel.cpt}; {billed} was billed.")


def _anatomic_risks(r: _Risks, f: Findings, lines: list[ClaimLine], mods: set[str]) -> None:
    expected = {m for line in lines for m in line.modifiers}
    sides = expected & {"LT", "RT"}
    billed_sides = mods & {"LT", "RT"}
    if sides and not billed_sides:
        r.add("missing_laterality_modifier")
    elif billed_sides - sides and sides:
        r.add("laterality_modifier_contradicts_note")
    finger = r.rules.all_finger_modifiers
    want_f = expected & finger
    got_f = mods & finger
    if got_f - want_f:
        if f.laterality.value is None:
            r.add("finger_modifier_without_side")
        elif not f.digits and any(b.value == "metacarpal" for b in f.bones):
            r.add("finger_modifier_on_metacarpal")
        elif not f.digits:
            # Abstain rather than guess: no digit was read from the note, so the billed one
            # cannot be called wrong; it is a question for the coder.
            r.add("finger_modifier_not_documented")
        else:
            r.add("wrong_finger_modifier")
    elif want_f - got_f:
        r.add("missing_finger_modifier")
    if {"LT", "RT"} <= sides:
        r.add("bilateral_same_day")


def _global_risks(r: _Risks, f: Findings, glob: GlobalDecision, mods: set[str], ctx: ClaimContext) -> None:
    billed = mods & {"58", "78", "79"}
    if not glob.decidable:
        if billed and ctx.removal_date is not None and ctx.index_surgery_date is None:
            # The claim is dated but names no index surgery: no global period for 58/78/79 to
            # point to (CMS Claims Processing Manual ch. 12 §40.2: these modifiers report a
            # procedure during the postoperative period of another).
            r.add("global_modifier_without_index")
        elif billed:
            r.add("global_modifier_unverifiable")
        if "78" in billed and f.planned_status.value != "unplanned":
            # Whatever the dates, 78 says a complication brought the patient back to the OR.
            r.add("modifier_78_without_complication")
        else:
            r.add("global_period_undecidable")
        return
    if not glob.in_window:
        if billed:
            r.add("global_modifier_outside_window")
        return
    expected = glob.modifier
    if "78" in billed and not glob.billable:
        r.add("modifier_78_without_or")
    if expected == "79" and "79" in billed and glob.index_in_hand_family:
        r.add("modifier_79_without_distinct_diagnosis")
    if expected is None or expected in billed:
        return
    if not billed:
        r.add("missing_global_modifier")
    elif expected == "78" and "58" in billed:
        r.add("modifier_58_should_be_78")
        if f.planned_status.value is None:
            # 78 is only the default when the note says neither: a question, not an alarm.
            _abstain(r, ["modifier_58_should_be_78"], "The note does not say whether the removal was planned at the "
                     "index surgery; document it (planned/staged: 58; complication: 78).")
    elif expected == "58" and "78" in billed:
        r.add("modifier_78_should_be_58")
    elif "79" in billed and glob.related:
        r.add("modifier_79_for_related")
    else:
        r.add("global_modifier_mismatch")
    _abstain_when_plan_and_complication(r, f)


def _abstain_when_plan_and_complication(r: _Risks, f: Findings) -> None:
    """A note that tells both a removal planned at the index surgery and a complication leaves 58 or
    78 to a reading of which one brought the patient back: a reviewer's question, not an alarm."""
    values = {i.value for i in f.indications}
    plan_told = "staged_removal" in values or bool(f.planned_status.index_plan)
    if plan_told and values & set(r.rules.complication_indications):
        _abstain(r, ["modifier_58_should_be_78", "modifier_78_should_be_58"], "The note tells both a removal planned "
                 "at the index surgery and a complication; confirm which brought the patient back (planned: 58; "
                 "complication: 78).")
