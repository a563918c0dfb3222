"""Claim-level checks (issue 13) on hand-built findings and real-looking multi-line claims: NCCI PTP
families, E/M with 57/25/24, MUE per line and per claim, digit and modifier contradictions, codes
the note does not document, documented work left off the claim, and place of service.

Each claim is what a hand surgeon's office would submit for one date of service. Expectations come
from DOMAIN.md §3-§5 and §8 and patterns/ncci.yaml (NCCI practitioner tables 07-2024).
"""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any, Optional

import pytest
import yaml

from notecheck.coding import Coding, code_note
from notecheck.coding.ncci import load_ncci
from notecheck.models import ClaimContext
from test_coding import ICD, INDEX, LEFT_RING_P1, RULES, STAGED, findings

NCCI = load_ncci()
RULES_DIR = Path(__file__).resolve().parents[1] / "patterns"
UNPLANNED = dict(**LEFT_RING_P1, indications=("migration",), planned="unplanned")
TWO_DIGITS = dict(digits=("ring", "small"), bones=(("proximal_phalanx", 4), ("proximal_phalanx", 5)), **STAGED)
ELECTIVE = dict(**LEFT_RING_P1, indications=("prominence", "fracture_healed"))


def claim(*lines: str, day: Optional[int] = 30, pos: Optional[str] = "24", **kw: Any) -> ClaimContext:
    """Lines as "CPT:UNITS:MODS[:ICD10 ICD10][:DAYS_BEFORE]"; the removal `day` days after the index."""
    billed = []
    removal = INDEX + timedelta(days=day) if day is not None else date(2026, 6, 1)
    for text in lines:
        parts = (text.split(":") + ["", "", "", ""])[:5]
        line: dict[str, Any] = {"cpt": parts[0], "units": parts[1], "modifiers": parts[2], "icd10": parts[3]}
        if parts[4]:
            line["service_date"] = removal - timedelta(days=int(parts[4]))
        billed.append(line)
    if day is not None:
        kw.setdefault("index_surgery_date", INDEX)
        kw.setdefault("index_cpt", "26727")
    return ClaimContext(removal_date=removal, billed_lines=billed, place_of_service=pos, **kw)


def code(f_kw: dict, ctx: ClaimContext) -> Coding:
    return code_note(findings(**f_kw), ctx, RULES, ICD, NCCI)


def risks(c: Coding) -> dict[str, list[str]]:
    return {r.id: r.lines for r in c.risks}


HAND = dict(**LEFT_RING_P1, **STAGED)
CLEAN_REMOVAL = "26320:1:LT F3 58"

# (id, findings, claim lines, claim options, risk expected, the lines it must name)
# fmt: off
CASES = [
    # --- PTP families (DOMAIN §5) ---
    ("20670-same-site", HAND, [CLEAN_REMOVAL, "20670:1:LT F3 58"], {}, "implant_removal_20670_same_site", ["26320", "20670"]),
    ("20670-no-modifier", HAND, [CLEAN_REMOVAL, "20670:1:58"], {}, "implant_removal_20670_same_site", ["26320", "20670"]),
    ("20670-other-digit-not-in-note", HAND, [CLEAN_REMOVAL, "20670:1:LT F4 58"], {}, "ptp_bypass_without_distinct_site", ["26320", "20670"]),
    ("capsulotomy-same-digit", dict(**HAND, same_site=("capsulotomy",)), [CLEAN_REMOVAL, "26525:1:LT F3"], {}, "ptp_bundled", ["26320", "26525"]),
    ("arthrotomy-bundled", HAND, [CLEAN_REMOVAL, "26075:1:LT"], {}, "ptp_bundled", ["26320", "26075"]),
    ("debridement-xs-one-site", dict(**HAND, complexity=("infection_debridement",)), [CLEAN_REMOVAL, "11042:1:XS"], {},
     "ptp_bypass_without_distinct_site", ["26320", "11042"]),
    ("repair-59-where-digit-applies", TWO_DIGITS, ["26320:1:LT F3 58", "26320:1:LT F4 58", "12002:1:59"], {},
     "ptp_59_where_anatomic_modifier_applies", ["26320", "12002"]),
    ("tendon-repair-mutually-exclusive", HAND, [CLEAN_REMOVAL, "26418:1:LT F3", "26410:1:LT F3"], {}, "ptp_mutually_exclusive", ["26320", "26410"]),
    ("wound-exploration-mutually-exclusive", HAND, [CLEAN_REMOVAL, "11010:1:LT F3"], {}, "ptp_mutually_exclusive", ["26320", "11010"]),
    ("anesthesia-by-surgeon-ind-0", HAND, [CLEAN_REMOVAL, "01810:1:"], {}, "ptp_not_bypassable", ["26320", "01810"]),
    ("digital-block-with-59-ind-0", HAND, [CLEAN_REMOVAL, "64450:1:59"], {}, "ptp_bypass_without_distinct_site", ["26320", "64450"]),
    ("brachial-block-xs-ind-0", HAND, [CLEAN_REMOVAL, "64415:1:XS"], {}, "ptp_not_bypassable", ["26320", "64415"]),
    ("microscope-ind-0", HAND, [CLEAN_REMOVAL, "69990:1:59"], {}, "ptp_not_bypassable", ["26320", "69990"]),
    ("amputation-includes-removal", dict(**HAND, same_site=("amputation",)), ["26951:1:LT F3", "26320:1:LT F3 58"], {}, "ptp_bundled", ["26951", "26320"]),
    # --- E/M (DOMAIN §4.1: 57 / 25 / 24) ---
    ("em-day-0-no-modifier", ELECTIVE, ["99213:1:", "26320:1:LT F3"], dict(day=200), "em_decision_for_surgery_without_57", ["99213", "26320"]),
    ("em-day-minus-1-no-modifier", ELECTIVE, ["99214:1:::1", "26320:1:LT F3"], dict(day=200), "em_decision_for_surgery_without_57", ["99214", "26320"]),
    ("em-25-same-problem", ELECTIVE, ["99213:1:25:T84.84XA", "26320:1:LT F3:T84.84XA"], dict(day=200), "em_25_without_separate_problem", ["99213", "26320"]),
    ("em-25-no-diagnosis", ELECTIVE, ["99213:1:25", "26320:1:LT F3"], dict(day=200), "em_25_without_separate_problem", ["99213", "26320"]),
    ("em-57-planned-removal", HAND, ["99213:1:57", CLEAN_REMOVAL], {}, "em_57_for_planned_procedure", ["99213", "26320"]),
    ("em-in-global-no-24", HAND, ["99213:1:::10"], dict(day=30), "em_in_global_without_24", ["99213"]),
    ("em-in-global-25-not-24", HAND, ["99213:1:25::10"], dict(day=30), "em_in_global_without_24", ["99213"]),
    # --- MUE (DOMAIN §3: 26320 MUE 4, MAI 3) ---
    ("mue-one-line", HAND, ["26320:5:LT F3 58"], {}, "mue_line_exceeded", ["26320"]),
    ("mue-sum-of-lines", dict(digits=("thumb", "index", "middle", "ring", "small"), **STAGED),
     ["26320:1:LT FA 58", "26320:1:LT F1 58", "26320:1:LT F2 58", "26320:1:LT F3 58", "26320:1:LT F4 58"], {}, "units_above_mue", ["26320"]),
    ("mue-20670-one-line", HAND, [CLEAN_REMOVAL, "20670:4:RT F9"], {}, "mue_line_exceeded", ["20670"]),
    # --- digits and line modifiers ---
    ("same-digit-two-lines", HAND, [CLEAN_REMOVAL, "26320:1:LT F3 58"], {}, "same_digit_two_lines", ["26320"]),
    ("two-digits-on-one-line", TWO_DIGITS, ["26320:1:LT F3 F4 58"], {}, "line_modifiers_contradict", ["26320"]),
    ("finger-of-other-hand", HAND, ["26320:1:RT F3 58"], {}, "line_modifiers_contradict", ["26320"]),
    ("line-digit-not-in-note", TWO_DIGITS, ["26320:1:LT F3 58", "26320:1:LT F2 58"], {}, "wrong_finger_modifier", ["26320"]),
    # --- documentation and lost revenue ---
    ("tenolysis-not-documented", HAND, [CLEAN_REMOVAL, "26445:1:LT F3"], {}, "billed_code_not_documented", ["26445"]),
    ("debridement-not-documented", HAND, [CLEAN_REMOVAL, "11042:1:RT F9"], {}, "billed_code_not_documented", ["11042"]),
    ("tenolysis-left-off", dict(**HAND, same_site=("tenolysis",)), [CLEAN_REMOVAL], {}, "documented_procedure_not_billed", []),
    ("second-digit-left-off", TWO_DIGITS, ["26320:1:LT F3 58"], {}, "documented_site_not_billed", ["26320"]),
    # --- place of service ---
    ("78-in-office", UNPLANNED, ["26320:1:LT F3 78"], dict(day=12, pos="11"), "modifier_78_pos_office", ["26320"]),
]
# fmt: on


@pytest.mark.parametrize("name,f_kw,lines,opts,risk_id,on_lines", CASES, ids=[c[0] for c in CASES])
def test_claim_risk(name: str, f_kw: dict, lines: list[str], opts: dict, risk_id: str, on_lines: list[str]) -> None:
    c = code(f_kw, claim(*lines, **opts))
    found = risks(c)
    assert risk_id in found, sorted(found)
    assert found[risk_id] == on_lines
    risk = next(r for r in c.risks if r.id == risk_id)
    assert risk.message.strip() and risk.severity in ("high", "medium", "low")


# Claims a careful coder would submit: no high-severity risk.
# fmt: off
CLEAN = [
    ("removal-alone-asc", HAND, [CLEAN_REMOVAL], {}),
    ("two-digits-two-lines", TWO_DIGITS, ["26320:1:LT F3 58", "26320:1:LT F4 58"], {}),
    ("20670-on-another-documented-digit", TWO_DIGITS, ["26320:1:LT F3 58", "20670:1:LT F4 58"], {}),
    ("capsulotomy-on-another-digit", dict(**HAND, same_site=("capsulotomy",)), [CLEAN_REMOVAL, "26525:1:LT F4"], {}),
    ("debridement-xs-second-site", dict(**TWO_DIGITS, complexity=("infection_debridement",)), ["26320:1:LT F3 58", "26320:1:LT F4 58", "11042:1:LT F2"], {}),
    ("tenolysis-documented-and-billed", dict(**HAND, same_site=("tenolysis",)), [CLEAN_REMOVAL, "26445:1:LT F3"], {}),
    ("em-57-decision-day-0", ELECTIVE, ["99214:1:57", "26320:1:LT F3"], dict(day=200)),
    ("em-57-decision-day-minus-1", ELECTIVE, ["99204:1:57::1", "26320:1:LT F3"], dict(day=200)),
    ("em-25-separate-problem", ELECTIVE, ["99213:1:25:M65.331", "26320:1:LT F3:T84.84XA"], dict(day=200)),
    ("em-in-global-with-24", HAND, ["99213:1:24:M65.331:10"], dict(day=30)),
    ("em-two-days-before-outside-windows", ELECTIVE, ["99213:1:::2", "26320:1:LT F3"], dict(day=200)),
    ("four-digits-at-mue", dict(digits=("index", "middle", "ring", "small"), **STAGED),
     ["26320:1:LT F1 58", "26320:1:LT F2 58", "26320:1:LT F3 58", "26320:1:LT F4 58"], {}),
    ("78-in-hopd", UNPLANNED, ["26320:1:LT F3 78"], dict(day=12, pos="22")),
    ("78-in-asc", UNPLANNED, ["26320:1:LT F3 78"], dict(day=12, pos="24")),
]
# fmt: on


@pytest.mark.parametrize("name,f_kw,lines,opts", CLEAN, ids=[c[0] for c in CLEAN])
def test_clean_claim_has_no_high_risk(name: str, f_kw: dict, lines: list[str], opts: dict) -> None:
    c = code(f_kw, claim(*lines, **opts))
    assert [r.id for r in c.risks if r.severity == "high"] == []


def test_every_claim_risk_has_a_scenario() -> None:
    declared = set(yaml.safe_load((RULES_DIR / "ncci.yaml").read_text(encoding="utf-8"))["denial_risks"])
    assert sorted(declared - {c[4] for c in CASES}) == []


def test_indicator_0_is_never_bypassed_by_any_modifier() -> None:
    for mods in ("", "59", "XS", "XU", "LT", "F4", "RT F9 59"):
        c = code(HAND, claim(CLEAN_REMOVAL, f"01810:1:{mods}"))
        assert "ptp_not_bypassable" in risks(c), mods


def test_single_line_fields_keep_their_meaning() -> None:
    """The single-line fields mean one line: same risks as before, and no line-structure check
    reads a union of modifiers over several sites as one line."""
    single = ClaimContext(index_surgery_date=INDEX, removal_date=INDEX + timedelta(days=30), index_cpt="26727",
                          billed_cpt="26320", billed_units=2, billed_modifiers="LT F3 F4 58")
    c = code(TWO_DIGITS, single)
    assert [r for r in c.risks if r.severity == "high"] == []
    assert all(r.lines == [] for r in c.risks)


def test_multi_line_claim_equals_single_line_on_the_removal_line() -> None:
    """A two-line claim (E/M with 57 + the removal) raises on the removal line what the single-line
    fields raise, naming the line."""
    single = code(HAND, ClaimContext(index_surgery_date=INDEX, removal_date=INDEX + timedelta(days=30), index_cpt="26727",
                                     billed_cpt="26320", billed_units=1, billed_modifiers="LT F4"))
    multi = code(HAND, claim("26320:1:LT F4", pos=None))
    assert {r.id for r in single.risks} == {r.id for r in multi.risks}
    assert all(r.lines == ["26320"] for r in multi.risks)


def test_pos_office_without_78_is_not_a_risk() -> None:
    c = code(HAND, claim(CLEAN_REMOVAL, pos="11"))
    assert "modifier_78_pos_office" not in risks(c)

