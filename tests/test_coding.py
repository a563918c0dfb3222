"""The coding engine (notecheck.coding) on Findings built by hand, no NLP: code selection, claim
lines and units, modifiers (LT/RT, FA-F9, 58/78/79, 22), ICD-10 suggestions and denial risks.

Expectations come from DOMAIN.md "Project decisions" 1-8 and §2-§4, §6, §8 and CONTRACT.md §1-§3.
"""
from __future__ import annotations

import itertools
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Optional

import pytest
import yaml

from notecheck.coding import Coding, code_note
from notecheck.models import (
    BilledLine,
    ApproachFinding, BoneFinding, ClaimContext, DigitFinding, Evidence, Findings, ImplantFinding,
    LateralityFinding, PlannedStatusFinding, ValueFinding,
)
from notecheck.rules import load_coding

RULES, ICD, _CHECKLIST = load_coding()
CODING_YAML = Path(__file__).resolve().parents[1] / "patterns" / "coding.yaml"
FINGER_MODS = {"FA", "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9"}
GLOBAL_MODS = {"58", "78", "79"}
INDEX = date(2026, 1, 10)


def _ev(text: str = "x") -> Evidence:
    return Evidence(text=text, start=0, end=len(text), section="procedure_description")


def _values(values) -> list[ValueFinding]:
    return [ValueFinding(value=v, evidence=[_ev(v)]) for v in values]


def findings(
    *,
    implants=(("k_wire", 2),),
    digits=(),
    bones=(),
    side: Optional[str] = "left",
    region=None,
    indications=(),
    planned: Optional[str] = None,
    approach: Optional[str] = "open",
    incision: bool = True,
    complexity=(),
    substantial: bool = False,
    anesthesia=("local",),
    setting=("operating_room",),
    depth=(),
    same_site=(),
    closure: bool = True,
) -> Findings:
    """Findings as the extractor would produce them. digits: "ring" or ("ring", "left");
    bones: ("metacarpal", 5) or ("metacarpal", 5, "right")."""
    digit_items = []
    for d in digits:
        value, d_side = (d, None) if isinstance(d, str) else d
        digit_items.append(DigitFinding(value=value, side=d_side or (side if side in ("left", "right") else None), evidence=[_ev(value)]))
    bone_items = []
    for b in bones:
        value, ray, b_side = (b + (None,))[:3]
        bone_items.append(BoneFinding(value=value, ray=ray, side=b_side or (side if side in ("left", "right") else None), evidence=[_ev(value)]))
    if region is None:
        kinds = {b.value for b in bone_items}
        if digit_items or kinds & {"proximal_phalanx", "middle_phalanx", "distal_phalanx"}:
            region = ("finger",) + (("hand",) if "metacarpal" in kinds else ())
        elif "metacarpal" in kinds:
            region = ("hand",)
        elif kinds & {"carpal", "radius", "ulna"}:
            region = ("wrist",)
        elif kinds:
            region = ("other",)
        else:
            region = ()
    return Findings(
        implants=[ImplantFinding(type=t, count=c, evidence=[_ev(t)]) for t, c in implants],
        region=_values(region),
        laterality=LateralityFinding(value=side, evidence=[_ev(side)] if side else []),
        digits=digit_items,
        bones=bone_items,
        indications=_values(indications),
        approach=ApproachFinding(documented=approach is not None, type=approach, incision_documented=incision and approach is not None,
                                 evidence=[_ev("incision")] if approach else []),
        planned_status=PlannedStatusFinding(value=planned, evidence=[_ev("planned")] if planned else []),
        complexity_factors=_values(complexity),
        substantial_work=[_ev("substantially more difficult")] if substantial else [],
        anesthesia=_values(anesthesia),
        setting=_values(setting),
        closure=[_ev("closed with 5-0 nylon")] if closure else [],
        depth=_values(depth),
        same_site_procedures=_values(same_site),
    )


def ctx(day: Optional[int] = None, **kw: Any) -> ClaimContext:
    """Claim context with the removal `day` days after the index surgery (None: no dates)."""
    if day is not None:
        kw.setdefault("index_surgery_date", INDEX)
        kw.setdefault("removal_date", INDEX + timedelta(days=day))
        kw.setdefault("index_cpt", "26727")
    return ClaimContext(**kw)


def code(f: Findings, context: Optional[ClaimContext] = None) -> Coding:
    return code_note(f, context or ClaimContext(), RULES, ICD)


def line_mods(c: Coding) -> list[tuple[str, ...]]:
    return sorted(tuple(sorted(line.modifiers)) for line in c.claim_lines)


def all_mods(c: Coding) -> set[str]:
    return {m for line in c.claim_lines for m in line.modifiers}


def risk_ids(c: Coding) -> set[str]:
    return {r.id for r in c.risks}


def high_risks(c: Coding) -> list[str]:
    return [f"{r.id}: {r.message}" for r in c.risks if r.severity == "high"]


# ---- typical findings ------------------------------------------------------------------------------

LEFT_RING_P1 = dict(digits=("ring",), bones=(("proximal_phalanx", 4),))
STAGED = dict(indications=("staged_removal", "fracture_healed"), planned="planned")
INFECTED = dict(indications=("infection",), planned="unplanned")
PIN_PULL = dict(approach="percutaneous", incision=False, anesthesia=("no_anesthesia",), setting=("clinic",), closure=False)


# ---- code selection ----------------------------------------------------------------------------------

# fmt: off
SELECTION = [
    pytest.param(dict(**LEFT_RING_P1, **STAGED), True, "26320", id="hand-phalanx-incision"),
    pytest.param(dict(bones=(("metacarpal", 5),), implants=(("plate", 1), ("screw", 6))), True, "26320", id="metacarpal-only"),
    pytest.param(dict(bones=(("metacarpal", 1),), side="right"), True, "26320", id="thumb-metacarpal"),
    pytest.param(dict(digits=("thumb",), bones=(("distal_phalanx", 1),)), True, "26320", id="thumb-distal-phalanx"),
    pytest.param(dict(digits=("index",), implants=(("joint_implant", 1),), indications=("breakage",)), True, "26320", id="joint-implant-mcp"),
    pytest.param(dict(**LEFT_RING_P1, implants=(("k_wire", 1),), depth=("superficial",)), True, "26320",
                 id="hand-buried-wire-small-incision-still-26320"),
    pytest.param(dict(**LEFT_RING_P1, same_site=("tenolysis",)), True, "26320", id="tenolysis-is-separate-not-integral"),
    pytest.param(dict(**LEFT_RING_P1, approach="percutaneous", incision=False, anesthesia=("general",), setting=("operating_room",)),
                 True, "26320", id="pins-pulled-in-or-under-anesthesia"),
    pytest.param(dict(bones=(("carpal", None),), implants=(("screw", 1),), depth=("deep",)), True, "20680", id="carpal-scaphoid-screw"),
    pytest.param(dict(bones=(("radius", None),), implants=(("plate", 1), ("screw", 8)), depth=("deep",)), True, "20680", id="distal-radius-plate"),
    pytest.param(dict(bones=(("ulna", None),), implants=(("plate", 1),)), True, "20680", id="ulna-plate"),
    pytest.param(dict(bones=(("radius", None),), implants=(("k_wire", 1),), depth=("superficial",)), True, "20670",
                 id="wrist-buried-wire-small-incision-simple-closure"),
    pytest.param(dict(**LEFT_RING_P1, **PIN_PULL), True, None, id="clinic-pin-pull"),
    pytest.param(dict(**LEFT_RING_P1, approach="percutaneous", incision=False, anesthesia=(), setting=("clinic",), closure=False),
                 True, None, id="clinic-pin-pull-anesthesia-unstated"),
    pytest.param(dict(**LEFT_RING_P1, same_site=("fusion",)), True, None, id="integral-fusion"),
    pytest.param(dict(**LEFT_RING_P1, same_site=("revision",)), True, None, id="integral-revision-fixation"),
    pytest.param(dict(**LEFT_RING_P1, same_site=("amputation",)), True, None, id="integral-amputation"),
    pytest.param(dict(**LEFT_RING_P1, same_site=("arthroplasty",), implants=(("joint_implant", 1),)), True, None, id="integral-new-arthroplasty"),
    pytest.param(dict(**LEFT_RING_P1, same_site=("refixation",)), True, None, id="integral-refixation"),
    pytest.param(dict(**LEFT_RING_P1, implants=(("external_fixator", 1),), anesthesia=("general",)), True, None, id="exfix-under-anesthesia"),
    pytest.param(dict(implants=(), side="right", region=("finger",), approach=None, anesthesia=(), setting=()), False, None, id="not-a-removal"),
]
# fmt: on


@pytest.mark.parametrize("kw, is_removal, cpt", SELECTION)
def test_code_selection(kw: dict, is_removal: bool, cpt: Optional[str]):
    c = code(findings(**kw))
    assert c.procedure.is_implant_removal is is_removal
    assert c.procedure.suggested_cpt == cpt, c.procedure.reason
    assert c.procedure.reason.strip()
    if cpt is None:
        assert c.claim_lines == [] and c.procedure.units == 0
    else:
        assert {line.cpt for line in c.claim_lines} == {cpt}


def test_exfix_under_anesthesia_names_20694():
    c = code(findings(**LEFT_RING_P1, implants=(("external_fixator", 1),), anesthesia=("general",)))
    assert c.procedure.suggested_cpt is None
    assert "20694" in c.procedure.flags or "20694" in c.procedure.reason


def test_exfix_pulled_in_clinic_without_anesthesia_is_not_20694():
    c = code(findings(**LEFT_RING_P1, implants=(("external_fixator", 1),), anesthesia=("no_anesthesia",), setting=("clinic",)))
    assert c.procedure.suggested_cpt is None
    assert "20694" not in c.procedure.flags


def test_not_a_removal_has_no_codes():
    c = code(Findings(laterality=LateralityFinding(value="left"), region=_values(["finger"])))
    assert c.procedure.is_implant_removal is False
    assert c.procedure.suggested_cpt is None
    assert c.claim_lines == [] and c.modifiers == [] and c.icd10 == []


# ---- claim lines and units -------------------------------------------------------------------------------

# fmt: off
CLAIM_LINES = [
    pytest.param(dict(**LEFT_RING_P1), [("F3", "LT")], id="one-digit"),
    pytest.param(dict(digits=("ring", "small"), bones=(("proximal_phalanx", 4), ("proximal_phalanx", 5)), side="right"),
                 [("F8", "RT"), ("F9", "RT")], id="two-digits"),
    pytest.param(dict(bones=(("metacarpal", 5),)), [("LT",)], id="metacarpal-only"),
    pytest.param(dict(bones=(("metacarpal", 2),), side="right", implants=(("plate", 1), ("screw", 6))), [("RT",)], id="metacarpal-plate-and-screws"),
    pytest.param(dict(digits=("ring",), bones=(("proximal_phalanx", 4), ("metacarpal", 4))), [("F3", "LT")], id="metacarpal-and-phalanx-same-ray"),
    pytest.param(dict(digits=("index",), bones=(("proximal_phalanx", 2), ("metacarpal", 5)), side="right"),
                 [("F6", "RT"), ("RT",)], id="metacarpal-and-phalanx-different-rays"),
    pytest.param(dict(bones=(("metacarpal", 2), ("metacarpal", 3))), [("LT",), ("LT",)], id="two-metacarpals"),
    pytest.param(dict(digits=(("index", "right"), ("index", "left")),
                      bones=(("proximal_phalanx", 2, "right"), ("proximal_phalanx", 2, "left")), side="bilateral"),
                 [("F1", "LT"), ("F6", "RT")], id="bilateral-digits"),
    pytest.param(dict(bones=(("metacarpal", 5, "right"), ("metacarpal", 5, "left")), side="bilateral"),
                 [("LT",), ("RT",)], id="bilateral-metacarpals"),
    pytest.param(dict(**LEFT_RING_P1, implants=(("plate", 1), ("screw", 6), ("k_wire", 2))), [("F3", "LT")], id="many-implants-one-site"),
    pytest.param(dict(digits=("ring",), bones=(("proximal_phalanx", 4), ("middle_phalanx", 4))), [("F3", "LT")], id="two-phalanges-one-digit"),
]
# fmt: on


@pytest.mark.parametrize("kw, expected", CLAIM_LINES)
def test_claim_lines(kw: dict, expected: list[tuple[str, ...]]):
    c = code(findings(**kw))
    assert line_mods(c) == sorted(expected)
    assert all(line.units == 1 for line in c.claim_lines)
    assert c.procedure.units == len(c.claim_lines)
    assert all(line.site for line in c.claim_lines)


@pytest.mark.parametrize("kw, expected", CLAIM_LINES)
def test_never_50_51_f0(kw: dict, expected):
    """DOMAIN decision 4: never 50 (bilateral indicator 0), never 51 (Medicare), never F0 (does not exist)."""
    c = code(findings(**kw), ctx(30, **{"billed_cpt": "26320"}))
    mods = all_mods(c) | {m.code for m in c.modifiers}
    assert not mods & {"50", "51", "F0"}


def test_modifiers_are_union_of_lines_with_reasons():
    c = code(findings(digits=("ring", "small"), bones=(("proximal_phalanx", 4), ("proximal_phalanx", 5)), side="right", **STAGED), ctx(20))
    assert {m.code for m in c.modifiers} == all_mods(c) == {"RT", "F8", "F9", "58"}
    assert all(m.reason.strip() for m in c.modifiers)


def test_side_unknown_gives_no_side_or_finger_modifier():
    c = code(findings(**LEFT_RING_P1, side=None))
    assert len(c.claim_lines) == 1
    assert not all_mods(c) & (FINGER_MODS | {"LT", "RT"})


@pytest.mark.parametrize("n_digits, flagged", [(4, False), (5, True)])
def test_mue_four_lines(n_digits: int, flagged: bool):
    names = ["thumb", "index", "middle", "ring", "small"][:n_digits]
    c = code(findings(digits=names, side="right"), ctx(200, billed_cpt="26320", billed_units=n_digits,
                                                        billed_modifiers="RT " + " ".join(["F5", "F6", "F7", "F8", "F9"][:n_digits])))
    assert len(c.claim_lines) == n_digits
    raised = "units_above_mue" in set(c.procedure.flags) | risk_ids(c)
    assert raised is flagged


# ---- finger modifiers --------------------------------------------------------------------------------------

# CONTRACT.md §1: FA left thumb, F1-F4 left 2nd-5th, F5 right thumb, F6-F9 right 2nd-5th.
# fmt: off
FINGER_TABLE = [
    ("left", "thumb", "FA"), ("left", "index", "F1"), ("left", "middle", "F2"), ("left", "ring", "F3"), ("left", "small", "F4"),
    ("right", "thumb", "F5"), ("right", "index", "F6"), ("right", "middle", "F7"), ("right", "ring", "F8"), ("right", "small", "F9"),
]
# fmt: on


@pytest.mark.parametrize("side, digit, modifier", FINGER_TABLE)
def test_finger_modifier_mapping(side: str, digit: str, modifier: str):
    c = code(findings(digits=(digit,), side=side))
    assert line_mods(c) == [tuple(sorted((modifier, "LT" if side == "left" else "RT")))]


# ---- global period: 58 / 78 / 79 -----------------------------------------------------------------------------

# fmt: off
GLOBAL = [
    # day, extra findings, claim-context overrides, expected global modifier
    pytest.param(-2, STAGED, {}, None, id="planned-day-minus-2"),
    pytest.param(-1, STAGED, {}, "58", id="planned-day-minus-1"),
    pytest.param(0, STAGED, {}, "58", id="planned-day-0"),
    pytest.param(28, STAGED, {}, "58", id="planned-day-28"),
    pytest.param(90, STAGED, {}, "58", id="planned-day-90"),
    pytest.param(91, STAGED, {}, None, id="planned-day-91"),
    pytest.param(-2, INFECTED, {}, None, id="unplanned-day-minus-2"),
    pytest.param(-1, INFECTED, {}, "78", id="unplanned-day-minus-1"),
    pytest.param(0, INFECTED, {}, "78", id="unplanned-day-0"),
    pytest.param(12, INFECTED, {}, "78", id="unplanned-day-12"),
    pytest.param(90, INFECTED, {}, "78", id="unplanned-day-90"),
    pytest.param(91, INFECTED, {}, None, id="unplanned-day-91"),
    pytest.param(12, dict(indications=("migration",), planned="unplanned"), {}, "78", id="unplanned-migration"),
    pytest.param(12, dict(indications=("breakage",), planned="unplanned", setting=("procedure_room",)), {}, "78", id="unplanned-procedure-room"),
    pytest.param(12, dict(indications=("infection",), planned="unplanned", setting=("clinic",)), {}, None, id="unplanned-in-clinic-not-78"),
    pytest.param(-1, dict(indications=("prominence",)), {"index_cpt": "64721"}, "79", id="unrelated-ctr-day-minus-1"),
    pytest.param(40, dict(indications=("prominence",)), {"index_cpt": "64721"}, "79", id="unrelated-ctr-day-40"),
    pytest.param(90, dict(indications=("prominence",)), {"index_cpt": "27447"}, "79", id="unrelated-knee-day-90"),
    pytest.param(91, dict(indications=("prominence",)), {"index_cpt": "64721"}, None, id="unrelated-day-91"),
    pytest.param(40, dict(indications=("prominence",)), {"index_cpt": "26055"}, "79", id="unrelated-trigger-release-is-not-fixation"),
    pytest.param(40, STAGED, {"index_cpt": "64721", "index_related": True}, "58", id="index-related-override-true"),
    pytest.param(40, INFECTED, {"index_cpt": "26727", "index_related": False}, "79", id="index-related-override-false"),
    pytest.param(30, STAGED, {"index_cpt": "26735"}, "58", id="related-orif-phalanx-26735"),
    pytest.param(30, STAGED, {"index_cpt": "26615"}, "58", id="related-orif-metacarpal-26615"),
    pytest.param(30, STAGED, {"index_cpt": "26608"}, "58", id="related-pinning-metacarpal-26608"),
    pytest.param(30, STAGED, {"index_cpt": "26650"}, "58", id="related-bennett-26650"),
    pytest.param(30, STAGED, {"index_cpt": "26765"}, "58", id="related-orif-distal-phalanx-26765"),
    pytest.param(30, STAGED, {"index_cpt": "26860"}, "58", id="related-ip-arthrodesis-26860"),
]
# fmt: on


@pytest.mark.parametrize("day, extra, overrides, expected", GLOBAL)
def test_global_period_modifier(day: int, extra: dict, overrides: dict, expected: Optional[str]):
    c = code(findings(**LEFT_RING_P1, **extra), ctx(day, **overrides))
    got = all_mods(c) & GLOBAL_MODS
    assert got == ({expected} if expected else set()), [m.reason for m in c.modifiers if m.code in GLOBAL_MODS]
    # the global modifier sits on every line beside the anatomic ones
    for line in c.claim_lines:
        assert {"LT", "F3"} <= set(line.modifiers)
    if expected:
        reason = next(m.reason for m in c.modifiers if m.code == expected)
        assert reason.strip()


@pytest.mark.parametrize("context", [
    ClaimContext(),
    ClaimContext(removal_date=INDEX),
    ClaimContext(index_surgery_date=INDEX, index_cpt="26727"),
], ids=["no-dates", "removal-date-only", "index-date-only"])
def test_no_dates_no_global_modifier(context: ClaimContext):
    c = code(findings(**LEFT_RING_P1, **STAGED), context)
    assert not all_mods(c) & GLOBAL_MODS
    assert not c.global_decision.decidable
    assert "date" in c.global_decision.reason


def test_no_dates_with_claim_raises_low_undecidable_risk():
    c = code(findings(**LEFT_RING_P1, **STAGED), ClaimContext(billed_cpt="26320", billed_units=1, billed_modifiers="LT F3"))
    risks = {r.id: r.severity for r in c.risks}
    assert risks.get("global_period_undecidable") == "low"
    assert high_risks(c) == []


def test_no_claim_no_risks():
    c = code(findings(**LEFT_RING_P1, **STAGED))
    assert c.risks == []


def test_complication_handled_in_clinic_inside_global_is_not_billable():
    """DOMAIN §4.1: a complication treated in the office without a return to the OR is part of the
    global package, so billing a removal code for it (with or without 78) is a high risk."""
    f = findings(**LEFT_RING_P1, indications=("infection",), planned="unplanned", setting=("clinic",))
    for mods in ("LT F3", "LT F3 78"):
        c = code(f, ctx(12, billed_cpt="26320", billed_units=1, billed_modifiers=mods))
        assert high_risks(c), mods


# ---- modifier 22 --------------------------------------------------------------------------------------------------

# fmt: off
MODIFIER_22 = [
    pytest.param(dict(complexity=("scar_tissue",), substantial=True), True, id="factor-with-substantial-statement"),
    pytest.param(dict(complexity=("embedded_hardware",), substantial=True), True, id="embedded-with-statement"),
    pytest.param(dict(complexity=("broken_or_stripped_hardware",), substantial=True), True, id="stripped-with-statement"),
    pytest.param(dict(complexity=("scar_tissue",)), False, id="factor-mention-alone"),
    pytest.param(dict(complexity=("neurovascular_proximity",)), False, id="nerve-mention-alone"),
    pytest.param(dict(substantial=True), False, id="statement-without-factor"),
    pytest.param(dict(), False, id="nothing"),
]
# fmt: on


@pytest.mark.parametrize("kw, supported", MODIFIER_22)
def test_modifier_22(kw: dict, supported: bool):
    c = code(findings(**LEFT_RING_P1, **kw))
    assert c.supports_22 is supported
    assert all(("22" in line.modifiers) is supported for line in c.claim_lines)
    assert ("22" in {m.code for m in c.modifiers}) is supported


# ---- ICD-10 ----------------------------------------------------------------------------------------------------------

# fmt: off
ICD_FIXATION = [
    ("breakage", "T84.210A"), ("migration", "T84.220A"), ("prominence", "T84.290A"), ("exposure", "T84.290A"),
    ("infection", "T84.69XA"), ("pain", "T84.84XA"),
]
ICD_JOINT = [("breakage", "T84.018A"), ("migration", "T84.028A"), ("loosening", "T84.038A"), ("infection", "T84.59XA")]
# fmt: on


def _icd(c: Coding) -> list[str]:
    return [s.code for s in c.icd10]


@pytest.mark.parametrize("indication, icd", ICD_FIXATION)
def test_icd10_fixation_complication(indication: str, icd: str):
    c = code(findings(**LEFT_RING_P1, indications=(indication, "fracture_healed")))
    assert icd in _icd(c)
    assert "Z47.2" not in _icd(c)


@pytest.mark.parametrize("indication, icd", ICD_JOINT)
def test_icd10_joint_implant(indication: str, icd: str):
    c = code(findings(digits=("index",), implants=(("joint_implant", 1),), indications=(indication,)))
    assert icd in _icd(c)
    assert "Z47.2" not in _icd(c)


@pytest.mark.parametrize("indications", [("fracture_healed",), ("staged_removal", "fracture_healed"), ("staged_removal",)])
def test_icd10_z47_2_when_no_complication(indications):
    c = code(findings(**LEFT_RING_P1, indications=indications))
    assert "Z47.2" in _icd(c)
    assert not [x for x in _icd(c) if x.startswith("T84")]


ALL_INDICATIONS = ["prominence", "pain", "irritation", "infection", "migration", "loosening", "breakage", "exposure",
                   "fracture_healed", "staged_removal", "stiffness", "patient_request", "other"]


@pytest.mark.parametrize("site", [dict(LEFT_RING_P1), dict(bones=(("radius", None),), implants=(("plate", 1),))], ids=["hand", "radius"])
def test_icd10_never_z47_2_with_t84_6_or_t84_1(site: dict):
    for combo in itertools.chain(itertools.combinations(ALL_INDICATIONS, 1), itertools.combinations(ALL_INDICATIONS, 2)):
        codes = _icd(code(findings(**site, indications=combo)))
        if "Z47.2" in codes:
            assert not [x for x in codes if x.startswith(("T84.6", "T84.1"))], (combo, codes)


def test_icd10_infection_suppresses_z47_2():
    codes = _icd(code(findings(**LEFT_RING_P1, indications=("infection", "fracture_healed", "staged_removal"))))
    assert "T84.69XA" in codes and "Z47.2" not in codes


def test_icd10_suggestions_explained():
    c = code(findings(**LEFT_RING_P1, indications=("pain", "migration")))
    assert c.icd10
    assert all(s.description.strip() and s.reason.strip() for s in c.icd10)
    assert len(_icd(c)) == len(set(_icd(c)))


# ---- denial risks ---------------------------------------------------------------------------------------------------

HAND = dict(**LEFT_RING_P1, **STAGED)
HAND_CLEAN = dict(billed_cpt="26320", billed_units=1, billed_modifiers="LT F3 58")
UNPLANNED = dict(**LEFT_RING_P1, **INFECTED)
WRIST = dict(bones=(("carpal", None),), implants=(("screw", 1),), side="right", indications=("prominence",), depth=("deep",))
METACARPAL = dict(bones=(("metacarpal", 4),), **STAGED)
BILATERAL = dict(digits=(("index", "right"), ("index", "left")), bones=(("proximal_phalanx", 2, "right"), ("proximal_phalanx", 2, "left")),
                 side="bilateral", **STAGED)
TWO_DIGITS = dict(digits=("ring", "small"), bones=(("proximal_phalanx", 4), ("proximal_phalanx", 5)), side="right", **STAGED)
ELECTIVE = dict(**LEFT_RING_P1, indications=("prominence", "fracture_healed"))
# A phalanx named without its finger: the billed finger modifier can be neither confirmed nor refuted.
NO_DIGIT = dict(bones=(("proximal_phalanx", None),), side="left", **STAGED)
# A phalanx and the metacarpal of the same ray: one construct or two sites, the words do not say.
RAY_TWO_BONES = dict(digits=("ring",), bones=(("proximal_phalanx", 4), ("metacarpal", 4)), side="left", **STAGED)


def _claim(day: Optional[int] = 31, **kw: Any) -> ClaimContext:
    return ctx(day, **kw)


# fmt: off
# risk id -> (findings of the wrong claim, wrong claim, findings of the clean claim, clean claim)
RISKS: dict[str, tuple[dict, ClaimContext, dict, ClaimContext]] = {
    "billed_20680_for_hand": (HAND, _claim(billed_cpt="20680", billed_units=1, billed_modifiers="LT F3 58"), HAND, _claim(**HAND_CLEAN)),
    "billed_20670_for_hand": (HAND, _claim(billed_cpt="20670", billed_units=1, billed_modifiers="LT F3 58"), HAND, _claim(**HAND_CLEAN)),
    "billed_26320_for_wrist": (WRIST, _claim(200, billed_cpt="26320", billed_units=1, billed_modifiers="RT"),
                               WRIST, _claim(200, billed_cpt="20680", billed_units=1, billed_modifiers="RT")),
    "billed_wrong_code": (WRIST, _claim(200, billed_cpt="20670", billed_units=1, billed_modifiers="RT"),
                          WRIST, _claim(200, billed_cpt="20680", billed_units=1, billed_modifiers="RT")),
    "units_per_implant": (HAND, _claim(billed_cpt="26320", billed_units=2, billed_modifiers="LT F3 58"), HAND, _claim(**HAND_CLEAN)),
    "units_per_site_unclear": (RAY_TWO_BONES, _claim(billed_lines=[BilledLine(cpt="26320", units=1, modifiers=["LT", "F3", "58"]),
                                                                BilledLine(cpt="26320", units=1, modifiers=["LT", "58"])]),
                               RAY_TWO_BONES, _claim(**HAND_CLEAN)),
    "units_above_mue": (HAND, _claim(billed_cpt="26320", billed_units=5, billed_modifiers="LT F3 58"), HAND, _claim(**HAND_CLEAN)),
    "missing_laterality_modifier": (METACARPAL, _claim(billed_cpt="26320", billed_units=1, billed_modifiers="58"),
                                    METACARPAL, _claim(billed_cpt="26320", billed_units=1, billed_modifiers="LT 58")),
    "laterality_modifier_contradicts_note": (METACARPAL, _claim(billed_cpt="26320", billed_units=1, billed_modifiers="RT 58"),
                                             METACARPAL, _claim(billed_cpt="26320", billed_units=1, billed_modifiers="LT 58")),
    "missing_finger_modifier": (HAND, _claim(billed_cpt="26320", billed_units=1, billed_modifiers="LT 58"), HAND, _claim(**HAND_CLEAN)),
    "wrong_finger_modifier": (HAND, _claim(billed_cpt="26320", billed_units=1, billed_modifiers="LT F4 58"), HAND, _claim(**HAND_CLEAN)),
    "finger_modifier_without_side": ({**HAND, "side": None}, _claim(billed_cpt="26320", billed_units=1, billed_modifiers="F3 58"),
                                     {**HAND, "side": None}, _claim(billed_cpt="26320", billed_units=1, billed_modifiers="58")),
    "finger_modifier_not_documented": (NO_DIGIT, _claim(billed_cpt="26320", billed_units=1, billed_modifiers="LT F3 58"),
                                       NO_DIGIT, _claim(billed_cpt="26320", billed_units=1, billed_modifiers="LT 58")),
    "finger_modifier_on_metacarpal": (METACARPAL, _claim(billed_cpt="26320", billed_units=1, billed_modifiers="LT F3 58"),
                                      METACARPAL, _claim(billed_cpt="26320", billed_units=1, billed_modifiers="LT 58")),
    "missing_global_modifier": (HAND, _claim(billed_cpt="26320", billed_units=1, billed_modifiers="LT F3"), HAND, _claim(**HAND_CLEAN)),
    "modifier_58_should_be_78": (UNPLANNED, _claim(12, billed_cpt="26320", billed_units=1, billed_modifiers="LT F3 58"),
                                 UNPLANNED, _claim(12, billed_cpt="26320", billed_units=1, billed_modifiers="LT F3 78")),
    "modifier_78_should_be_58": (HAND, _claim(billed_cpt="26320", billed_units=1, billed_modifiers="LT F3 78"), HAND, _claim(**HAND_CLEAN)),
    "modifier_79_for_related": (HAND, _claim(billed_cpt="26320", billed_units=1, billed_modifiers="LT F3 79"), HAND, _claim(**HAND_CLEAN)),
    "global_modifier_mismatch": (ELECTIVE, _claim(40, index_cpt="64721", billed_cpt="26320", billed_units=1, billed_modifiers="LT F3 58"),
                                 ELECTIVE, _claim(40, index_cpt="64721", billed_cpt="26320", billed_units=1, billed_modifiers="LT F3 79")),
    "global_modifier_outside_window": (HAND, _claim(120, billed_cpt="26320", billed_units=1, billed_modifiers="LT F3 58"),
                                       HAND, _claim(120, billed_cpt="26320", billed_units=1, billed_modifiers="LT F3")),
    "global_modifier_unverifiable": (HAND, _claim(None, billed_cpt="26320", billed_units=1, billed_modifiers="LT F3 58"), HAND, _claim(**HAND_CLEAN)),
    "modifier_78_without_or": ({**UNPLANNED, "setting": ("clinic",)}, _claim(12, billed_cpt="26320", billed_units=1, billed_modifiers="LT F3 78"),
                               {**UNPLANNED, "setting": ("clinic",)}, _claim(12)),
    "non_billable_clinic_complication": ({**UNPLANNED, "setting": ("clinic",)}, _claim(12, billed_cpt="26320", billed_units=1, billed_modifiers="LT F3"),
                                         {**UNPLANNED, "setting": ("clinic",)}, _claim(12)),
    "modifier_79_without_distinct_diagnosis": (
        ELECTIVE, _claim(40, index_cpt="26735", index_related=False, billed_cpt="26320", billed_units=1, billed_modifiers="LT F3 79"),
        ELECTIVE, _claim(40, index_cpt="64721", index_related=False, billed_cpt="26320", billed_units=1, billed_modifiers="LT F3 79")),
    "modifier_22_unsupported": (HAND, _claim(billed_cpt="26320", billed_units=1, billed_modifiers="LT F3 58 22"), HAND, _claim(**HAND_CLEAN)),
    "modifier_50_invalid": (BILATERAL, _claim(billed_cpt="26320", billed_units=1, billed_modifiers="50 58"),
                            BILATERAL, _claim(billed_cpt="26320", billed_units=2, billed_modifiers="RT F6 LT F1 58")),
    "modifier_51_medicare": (TWO_DIGITS, _claim(billed_cpt="26320", billed_units=2, billed_modifiers="RT F8 F9 58 51"),
                             TWO_DIGITS, _claim(billed_cpt="26320", billed_units=2, billed_modifiers="RT F8 F9 58")),
    "assistant_modifier_not_payable": (HAND, _claim(billed_cpt="26320", billed_units=1, billed_modifiers="LT F3 58 80"), HAND, _claim(**HAND_CLEAN)),
    "invalid_modifier": (dict(digits=("thumb",), **STAGED), _claim(billed_cpt="26320", billed_units=1, billed_modifiers="LT F0 58"),
                         dict(digits=("thumb",), **STAGED), _claim(billed_cpt="26320", billed_units=1, billed_modifiers="LT FA 58")),
    "non_billable_office_pin_pull": (dict(**LEFT_RING_P1, **STAGED, **PIN_PULL), _claim(28, billed_cpt="26320", billed_units=1, billed_modifiers="LT F3 58"),
                                     dict(**LEFT_RING_P1, **STAGED, **PIN_PULL), _claim(28, billed_cpt="99024", billed_units=1)),
    "non_billable_integral_removal": (dict(**ELECTIVE, same_site=("fusion",)), _claim(200, billed_cpt="26320", billed_units=1, billed_modifiers="LT F3"),
                                      dict(**ELECTIVE, same_site=("fusion",)), _claim(200, billed_cpt="26860", billed_units=1, billed_modifiers="LT F3")),
    "non_billable_not_a_removal": (dict(implants=(), side="left", approach=None), _claim(0, billed_cpt="26320", billed_units=1, billed_modifiers="LT"),
                                   dict(implants=(), side="left", approach=None), _claim(0, billed_cpt="26727", billed_units=1, billed_modifiers="LT F3")),
    "medical_necessity_not_documented": (dict(**LEFT_RING_P1, indications=("patient_request",)),
                                         _claim(200, billed_cpt="26320", billed_units=1, billed_modifiers="LT F3"),
                                         dict(**LEFT_RING_P1, indications=("patient_request", "pain")),
                                         _claim(200, billed_cpt="26320", billed_units=1, billed_modifiers="LT F3")),
    "global_period_undecidable": (HAND, _claim(None, billed_cpt="26320", billed_units=1, billed_modifiers="LT F3"), HAND, _claim(**HAND_CLEAN)),
    "bilateral_same_day": (BILATERAL, _claim(billed_cpt="26320", billed_units=2, billed_modifiers="RT F6 LT F1 58"),
                           BILATERAL, _claim(billed_cpt="26320", billed_units=2, billed_modifiers="RT F6 LT F1 58")),
    "wrist_hand_ambiguity": (dict(bones=(("metacarpal", 2), ("carpal", None)), implants=(("k_wire", 3),), indications=("fracture_healed",)),
                             _claim(200, billed_cpt="20680", billed_units=1, billed_modifiers="LT"),
                             dict(bones=(("metacarpal", 2), ("carpal", None)), implants=(("k_wire", 3),), indications=("fracture_healed",)),
                             _claim(200, billed_cpt="20680", billed_units=1, billed_modifiers="LT")),
    "removal_not_on_claim": (HAND, _claim(billed_cpt="26727", billed_units=1, billed_modifiers="LT F3"), HAND, _claim(**HAND_CLEAN)),
    "modifier_22_documented_not_billed": (dict(**HAND, complexity=("scar_tissue",), substantial=True), _claim(**HAND_CLEAN),
                                          dict(**HAND, complexity=("scar_tissue",), substantial=True),
                                          _claim(billed_cpt="26320", billed_units=1, billed_modifiers="LT F3 58 22")),
    "finger_modifiers_on_one_line": (TWO_DIGITS, _claim(billed_cpt="26320", billed_units=2, billed_modifiers="RT F8 F9 58"),
                                     TWO_DIGITS, _claim(billed_cpt="26320", billed_units=2, billed_modifiers="RT F8 F9 58",
                                                        billed_lines=[BilledLine(cpt="26320", units=1, modifiers=["RT", "F8", "58"]),
                                                                      BilledLine(cpt="26320", units=1, modifiers=["RT", "F9", "58"])])),
    # A dated claim that names no index surgery: 58 points at no global period.
    "global_modifier_without_index": (HAND, _claim(None, removal_date=INDEX, billed_cpt="26320", billed_units=1,
                                                    billed_modifiers="LT F3 58"),
                                      HAND, _claim(None, removal_date=INDEX, billed_cpt="26320", billed_units=1,
                                                   billed_modifiers="LT F3")),
    "modifier_78_without_complication": (ELECTIVE, _claim(None, billed_cpt="26320", billed_units=1, billed_modifiers="LT F3 78"),
                                         ELECTIVE, _claim(None, billed_cpt="26320", billed_units=1, billed_modifiers="LT F3")),
}
# fmt: on


def _declared_risks() -> dict[str, str]:
    data = yaml.safe_load(CODING_YAML.read_text(encoding="utf-8"))
    return {k: v["severity"] for k, v in data["denial_risks"].items()}


def test_every_declared_risk_has_a_scenario():
    assert sorted(set(_declared_risks()) - set(RISKS)) == []


@pytest.mark.parametrize("risk_id", sorted(_declared_risks()))
def test_wrong_claim_raises_risk(risk_id: str):
    if risk_id not in RISKS:
        pytest.fail(f"no scenario for declared risk {risk_id!r}")
    f_wrong, wrong, _, _ = RISKS[risk_id]
    c = code(findings(**f_wrong), wrong)
    assert risk_id in risk_ids(c), sorted(risk_ids(c))
    risk = next(r for r in c.risks if r.id == risk_id)
    assert risk.severity == _declared_risks()[risk_id]
    assert risk.message.strip()


@pytest.mark.parametrize("risk_id", sorted(RISKS))
def test_clean_claim_raises_no_high_risk(risk_id: str):
    _, _, f_clean, clean = RISKS[risk_id]
    c = code(findings(**f_clean), clean)
    assert high_risks(c) == []


def test_external_fixator_billed_as_implant_removal_is_wrong_code():
    """DOMAIN §2.1 rule 6: an external fixator removed under anesthesia is 20694, not 26320."""
    f = findings(**LEFT_RING_P1, implants=(("external_fixator", 1),), anesthesia=("general",), **STAGED)
    wrong = code(f, _claim(billed_cpt="26320", billed_units=1, billed_modifiers="LT F3 58"))
    assert "billed_wrong_code" in risk_ids(wrong) and "20694" in wrong.procedure.flags
    assert high_risks(code(f, _claim(billed_cpt="20694", billed_units=1, billed_modifiers="LT 58"))) == []


def test_clean_claim_matches_suggestion():
    """The clean hand claim is exactly what notecheck suggests: one line 26320 LT F3 58."""
    c = code(findings(**HAND), _claim(**HAND_CLEAN))
    assert [(line.cpt, line.units, sorted(line.modifiers)) for line in c.claim_lines] == [("26320", 1, ["58", "F3", "LT"])]
    assert c.risks == []


@pytest.mark.parametrize("setting, flagged", [
    ("Procedure (clinic exam room, no anesthesia): frame disassembled, 3 pins pulled with a needle driver.", True),
    ("Procedure (OR, digital block and MAC): frame disassembled, 3 pins pulled with a needle driver.", False),
])
def test_20694_billed_for_a_frame_taken_off_without_anesthesia(checker: Checker, setting: str, flagged: bool) -> None:
    # CPT 20694 is removal *under anesthesia* of an external fixation system.
    note = "5 wks s/p dynamic external fixator L small finger for PIP pilon fracture.\n" f"{setting}\n"
    claim = ClaimContext(removal_date="2024-05-07", index_surgery_date="2024-04-02", index_cpt="20690", related_to_index=True,
                         billed_cpt="20694", billed_units=1, billed_modifiers=["LT", "F4", "58"])
    result = checker.check(note, claim)
    assert ("billed_wrong_code" in {r.id for r in result.denial_risks}) is flagged


def test_a_finger_beside_a_separate_radius_site_is_26320_and_a_carpal_construct_stays_20680() -> None:
    # A radius or ulna is a distinct anatomic site beside the finger (coding.yaml
    # separate_from_hand_bones); a carpal bone may share one construct with a metacarpal; and hand
    # and wrist told only as regions name no forearm bone at all.
    separate = code(findings(digits=("small",), bones=(("proximal_phalanx", 5), ("radius", None)), implants=(("plate", 2),)))
    spanning = code(findings(bones=(("metacarpal", 2), ("carpal", None)), implants=(("k_wire", 3),)))
    regions_only = code(findings(region=("hand", "wrist"), implants=(("plate", 1),)))
    assert (separate.procedure.suggested_cpt, separate.procedure.flags) == ("26320", ["wrist_hand_ambiguity"])
    assert spanning.procedure.suggested_cpt == "20680"
    assert regions_only.procedure.suggested_cpt == "20680"


@pytest.mark.parametrize("planned, billed, risk_id", [
    ("planned", "LT F3 78", "modifier_78_should_be_58"),
    ("unplanned", "LT F3 58", "modifier_58_should_be_78"),
])
def test_a_plan_and_a_complication_told_together_make_58_or_78_a_question(planned: str, billed: str, risk_id: str):
    """Abstain rather than alarm: the note tells both the index plan and a complication, so which
    brought the patient back is a reviewer's reading (medium, with the reason)."""
    f = findings(**LEFT_RING_P1, indications=("staged_removal", "migration"), planned=planned)
    c = code(f, _claim(30, billed_cpt="26320", billed_units=1, billed_modifiers=billed))
    risk = next(r for r in c.risks if r.id == risk_id)
    assert risk.severity == "medium" and "58" in risk.message and "78" in risk.message
    # Without the complication the planned removal's 78 stays an alarm.
    if planned == "planned":
        alone = code(findings(**LEFT_RING_P1, **STAGED), _claim(30, billed_cpt="26320", billed_units=1, billed_modifiers=billed))
        assert next(r for r in alone.risks if r.id == risk_id).severity == "high"
