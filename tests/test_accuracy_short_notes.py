"""Failure classes found by the blind batches b12 and b13 (first contact in sample_notes/README.md):
short notes typed in lower-case shorthand, SOAP plans that record the visit's pin pull without
saying "today", and operations named only in a consent risk list. Notes written for this file."""
from __future__ import annotations

import pytest

from notecheck.checker import Checker


@pytest.mark.parametrize("site, digit, modifier", [("l if", "index", "F1"), ("r sf", "small", "F9"), ("lt rf", "ring", "F3")])
def test_lower_case_side_and_digit_shorthand(checker: Checker, site: str, digit: str, modifier: str) -> None:
    note = (
        "proc rm 6/27/23\n"
        f"the pins came out today {site} 4 wks post crpp as planned\n"
        "dig block 2% plain 3ml\n"
        "both pulled w/ needle driver through stab incisions intact no issues\n"
        "fx nontender xr united\n"
    )
    result = checker.check(note)
    assert [d.value for d in result.findings.digits] == [digit]
    assert result.procedure.suggested_cpt == "26320"
    assert modifier in {m.code for m in result.modifiers}


def test_if_alone_is_a_word_not_a_digit(checker: Checker) -> None:
    result = checker.check("Procedure: removal of K-wire, right ring finger P1. Check if the wire is intact. Wire removed.\n")
    assert [d.value for d in result.findings.digits] == ["ring"]


@pytest.mark.parametrize("plan, done", [
    ("P: wire pulled in clinic, no anaesthetic, child tolerated well. Bandaid.", True),
    ("P: wire to be pulled in clinic at the next visit.", False),
    ("P: K-wire pulled at 4 wks in clinic.", False),
])
def test_a_soap_plan_that_records_the_visits_pin_pull(checker: Checker, plan: str, done: bool) -> None:
    note = (
        "Hand clinic\n"
        "S: 9yo, 4 wk post CRPP L index P1 neck fx. No pain.\n"
        "O: 1 K-wire exposed, pin site clean. XR: healed.\n"
        "A: healed P1 neck fx.\n"
        f"{plan}\n"
    )
    result = checker.check(note)
    assert result.procedure.is_implant_removal is done
    assert result.procedure.suggested_cpt is None  # a clinic pin pull is in the global package


def test_an_operation_named_in_the_consent_risk_list_is_not_done_today(checker: Checker) -> None:
    note = (
        "PROCEDURE: Removal of infected silicone implant, left long finger MCP joint, with debridement.\n"
        "INDICATIONS: infected MCP implant. We discussed the risks, including persistent infection, spread to adjacent "
        "joints, instability, loss of motion, tendon injury, need for further surgery, and amputation in the worst case. "
        "Consent signed.\n"
        "DESCRIPTION: dorsal incision, the implant was removed and the joint debrided. Closure.\n"
    )
    result = checker.check(note)
    assert result.procedure.suggested_cpt == "26320"
    assert not [p.value for p in result.findings.same_site_procedures]


def test_a_short_note_on_one_line_keeps_its_fields(checker: Checker) -> None:
    lines = ["BRIEF OP NOTE 22/01/2025", "Return to theatre - L middle finger.",
             "Indication: K-wire backed out ~6 mm from P2 (CRPP 10/01/25), not planned.", "Anaesth: digital block",
             "Findings: wire migrated, tract clean", "Procedure: wire pulled percutaneously, not replaced. Splint."]
    for text in ("\n".join(lines), " ".join(lines)):
        result = checker.check(text)
        assert result.procedure.is_implant_removal, text
        assert [d.value for d in result.findings.digits] == ["middle"], text


@pytest.mark.parametrize("told", ["k-wire buried at CRPP 18/6, removal planned for 6/52", "screw (fixed 2023) proud and painful"])
def test_the_index_operation_dated_in_shorthand_is_the_past(checker: Checker, told: str) -> None:
    note = (f"Hand clinic - minor procedure\nL long finger P2, {told}.\n"
            "Digital block. 5 mm incision, the hardware grasped and withdrawn. 1 x 5-0 suture.\n")
    result = checker.check(note)
    assert result.procedure.is_implant_removal
    assert result.procedure.suggested_cpt == "26320"


def test_the_side_of_a_site_told_only_in_the_soap_history(checker: Checker) -> None:
    note = (
        "S: L middle finger P1 fx CRPP 14 Mar 2024, buried K-wire left in. Now a tender lump, wire tip catching.\n"
        "O: wire end palpable under the skin at the P1 base. XR united.\n"
        "A/P: wire removal today in clinic treatment room: ring block, 3 mm stab incision, wire grasped and withdrawn intact.\n"
    )
    result = checker.check(note)
    assert result.findings.laterality.value == "left"
    assert {"LT", "F2"} <= {m.code for m in result.modifiers}


def test_an_implant_removed_when_no_wire_was_placed_is_not_provisional(checker: Checker) -> None:
    note = ("lt rf mcp silastic spacer out today. draining sinus dorsal mcp x 3 wk, purulent. ga, dorsal incision, "
            "implant removed in one piece, joint irrigated, left as resection spacer - no k-wire placed.\n")
    result = checker.check(note)
    assert result.procedure.suggested_cpt == "26320"


def test_a_pin_pulled_at_a_post_op_visit_is_a_pin_pull(checker: Checker) -> None:
    note = ("POST-OP VISIT\nS: 5 wks s/p CRPP R ring finger P2 w/ 0.045 K-wire. No pain.\n"
            "O: K-wire exposed at the tip, pin cap on, site clean.\n"
            "P: K-wire removal today as planned. Pin cap removed, wire pulled w/ needle driver, intact. Bandaid. RTC 4 wks.\n")
    result = checker.check(note)
    assert result.procedure.is_implant_removal and result.procedure.suggested_cpt is None


def test_a_side_field_run_together_with_the_operation(checker: Checker) -> None:
    lines = ["Peds sedation/proc note 03/02/2025",
             "7 y/o, L ring finger P1 base fx, CRPP 02/01/2025, wires buried under skin - removal at 4 wk planned.",
             "Sedation: intranasal midazolam by the peds ED team. Local 1% lido 1 ml at each site.",
             "Laterality: [ ] Right [x] Left", "2 tiny incisions, both K-wires found and removed intact.",
             "Healed on XR. Steri-strips."]
    for text in ("\n".join(lines), " ".join(lines)):
        result = checker.check(text)
        assert result.procedure.suggested_cpt == "26320", text
        assert result.findings.laterality.value == "left", text


@pytest.mark.parametrize("history", [
    "Hx: ORIF R small finger MC shaft fx 2/2023 (dorsal plate, 6 screws). Healed.",
    "Background: plate fixation of the thumb proximal phalanx base fracture 2022. United.",
    "Ind: ORIF Sept 2022 elsewhere, # united.",
    "Indication: lag screw fixation L index P1 spiral fx December 2024. Both healed.",
])
def test_a_bare_healed_after_the_fractures_sentence(checker: Checker, history: str) -> None:
    note = f"{history} Plate palpable and painful with grip.\nProcedure: hardware removed through the old incision under WALANT.\n"
    result = checker.check(note)
    assert "fracture_healed" in {i.value for i in result.findings.indications}


def test_a_healed_wound_after_the_fractures_sentence_is_not_the_fracture(checker: Checker) -> None:
    note = (
        "Hx: ORIF R small finger MC shaft fx 2/2023 (dorsal plate). Wound healed.\n"
        "Plate palpable and painful with grip.\nProcedure: hardware removed through the old incision under WALANT.\n"
    )
    result = checker.check(note)
    assert "fracture_healed" not in {i.value for i in result.findings.indications}


def test_lower_case_lines_typed_a_fact_each_are_sentences(checker: Checker) -> None:
    # "no incision needed" on one line must not negate the fracture's union on the next.
    note = (
        "proc rm note 3/14/24\n"
        "pt 34m s/p crpp lt rf p1 fx 2/13/24 kw x2 plan was out at 4 wks under block\n"
        "walant 1% lido w/ epi 4cc\n"
        "kw x2 removed w/ needle driver no incision needed\n"
        "fx clinically healed nontender xr bridging callus\n"
    )
    result = checker.check(note)
    assert "fracture_healed" in {i.value for i in result.findings.indications}


@pytest.mark.parametrize("dismantled", ["frame off today as planned, bands cut, frame dismantled, both kw pulled",
                                        "bands cut and the frame dismantled; both kw pulled"])
def test_a_finger_frame_taken_off_is_an_external_fixator(checker: Checker, dismantled: str) -> None:
    note = (
        "proc rm 4/9/25\n"
        "l mf pip # dislocation, dynamic traction (suzuki type, 2 kw + rubber bands) placed 3/12/25\n"
        f"dig block 1% 3cc. {dismantled}\n"
        "pip congruent on xr ROM 10-70\n"
    )
    result = checker.check(note)
    assert result.procedure.suggested_cpt is None
    assert "20694" in result.procedure.flags
