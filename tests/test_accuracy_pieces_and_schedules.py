"""A broken wire's piece taken out, headers framed by rules, and removals told against their
schedule: brought forward by a problem the note says is there today, kept to the schedule despite
one, or planned months out."""
from __future__ import annotations

from notecheck.checker import Checker

from claim_lines import claim_lines


def test_a_segment_of_a_broken_wire_taken_out_is_a_removal(checker: Checker) -> None:
    note = (
        "Op note 3/02/2025: L ring finger P1 fx, CRPP with 2 buried K-wires 2/10/2025. At 3 wks XR shows the "
        "ulnar wire broken at the fracture; the proximal segment has backed out and is painful at the MCP. "
        "Radial wire intact. Unplanned return. WALANT, 5 mm incision over the proximal segment, segment "
        "removed w/ needle driver. 5-0 nylon."
    )
    result = checker.check(note)
    assert result.procedure.suggested_cpt == "26320"
    assert claim_lines(checker, note) == [("26320", ["F3", "LT"])]


def test_the_piece_may_be_named_after_it_came_out(checker: Checker) -> None:
    note = (
        "Dx: painful retained broken K-wire fragment, R index P2.\n"
        "Description: 1 cm midaxial incision over the palpable fragment. The fragment was located under mini "
        "C-arm, grasped with a mosquito, and removed. It measured 6 mm and was a K-wire segment with a sheared "
        "end. Skin closed with 5-0 nylon.\n"
    )
    assert checker.check(note).procedure.suggested_cpt == "26320"


def test_a_bone_fragment_in_a_note_without_broken_hardware_is_no_implant(checker: Checker) -> None:
    # A guard: only a note that affirms broken hardware reads a removed "fragment" as hardware.
    note = (
        "Procedure: excision of loose body, right index DIP joint. Old K-wire tracks healed. Through a dorsal "
        "incision the loose osteochondral fragment was identified and removed. Closed with 5-0 nylon."
    )
    assert checker.check(note).procedure.suggested_cpt is None


def test_a_header_framed_by_rules_opens_its_section(checker: Checker) -> None:
    # "--- Procedure Narrative ---" ends the allergy field above it: the removal is told in its own section.
    note = (
        "=== PROCEDURE NOTE ===\n"
        "Anesthesia: [x] MAC [x] Local: digital block\n\n"
        "--- Procedure ---\n"
        "Removal of plate and screws, right small finger proximal phalanx\n\n"
        "--- History ---\n"
        "ORIF 09/2023 with a 1.5 mm plate + 5 screws. Healed. Plate edge catches on his apron.\n"
        "PMH: none. Meds: none. Allergies: NKDA.\n\n"
        "--- Procedure Narrative ---\n"
        "Timeout. Ulnar midaxial incision through the old scar. Screws x5 removed, all intact. Plate lifted out.\n"
    )
    result = checker.check(note)
    assert [i.type for i in result.findings.implants] == ["plate", "screw"]
    assert {e.section for i in result.findings.implants for e in i.evidence} <= {"procedure", "procedure_description"}
    assert claim_lines(checker, note) == [("26320", ["F9", "RT"])]


def test_a_plan_told_at_that_time_then_overtaken_is_an_unplanned_return(checker: Checker) -> None:
    note = (
        "PROCEDURE NOTE left index finger: I pinned the middle phalanx fracture on 6/3/2024 with two buried "
        "K-wires, the plan at that time was to take them out in the OR at around 4 weeks, however at 2 weeks "
        "the distal wire had backed out into the DIP joint, so today under digital block a 4 mm incision was "
        "made and the wire was pulled intact, the other wire left in until the originally planned removal."
    )
    assert checker.check(note).findings.planned_status.value == "unplanned"


def test_an_early_removal_named_as_the_road_not_taken_keeps_the_plan(checker: Checker) -> None:
    note = (
        "HPI: CRPP R thumb P1 9/8/2025 with two buried K-wires; removal at 6 weeks was planned at the time of "
        "pinning. Her 4-week films showed the distal wire had migrated 2 mm; she had no symptoms and it was "
        "decided to keep her on the original schedule rather than bring the removal forward.\n"
        "Procedure: under digital block both wires were removed through 3 mm incisions. Fracture united.\n"
    )
    assert checker.check(note).findings.planned_status.value == "planned"


def test_a_complication_present_today_brings_the_planned_pull_forward(checker: Checker) -> None:
    note = (
        "POV 7/01/25 -- L RF P1 fx s/p CRPP 6/12/25, exposed K-wires x2. Planned to pull at 4 wks.\n"
        "Today: purulence and erythema around both pin sites, tender. Pin tract infxn.\n"
        "Pins pulled in clinic today, cx swab sent. Keflex. Recheck 1 wk.\n"
    )
    assert checker.check(note).findings.planned_status.value == "unplanned"


def test_the_removal_sentence_that_says_today_is_no_complaint(checker: Checker) -> None:
    # A guard: "the pins came out today" tells the removal, not a wire that migrated.
    note = "proc room 7/01/25\nthe pins came out today L RF 4 wks post crpp as planned\ndig block\nboth pulled intact\n"
    assert checker.check(note).findings.planned_status.value == "planned"


def test_a_plate_planned_out_months_after_the_index_is_a_staged_removal(checker: Checker) -> None:
    note = (
        "History: ORIF L middle finger P1 11/6/2024 with a dorsal plate under the extensor. The index note "
        "documented that we would plan to remove it once united, typically at 4-6 months; she agreed.\n"
        "Procedure: Removal of plate and screws, left middle finger proximal phalanx, through the old incision.\n"
    )
    result = checker.check(note)
    assert "staged_removal" in {i.value for i in result.findings.indications}
    assert result.findings.planned_status.value == "planned"


def test_months_of_restriction_after_a_removal_are_no_plan(checker: Checker) -> None:
    # A guard on the months of a staged plan: only "at" or "after" a number of months plans a removal.
    note = (
        "Indications: healed R ring P1 fracture, prominent plate, pain. We discussed removal and the need to "
        "avoid contact sports for about 3 months afterwards.\n"
        "Procedure: plate and screws removed through the old incision.\n"
    )
    assert "staged_removal" not in {i.value for i in checker.check(note).findings.indications}


def test_a_case_slightly_longer_for_teaching_documents_no_extra_work(checker: Checker) -> None:
    note = (
        "Procedure: Removal of plate and screws, right small finger P1. Old incision reopened, screws removed, "
        "plate lifted out.\n"
        "Total case time slightly longer than usual because resident first case of the day; no intraoperative "
        "difficulty.\n"
    )
    assert checker.check(note).findings.complexity_factors == []


def test_a_broken_piece_left_in_bone_is_no_side(checker: Checker) -> None:
    note = (
        "Dx: healed R pinky middle phalanx fx s/p CRPP w/ 2 buried k-wires\n"
        "Proc: planned removal buried k-wires R small finger\n"
        "Two small inc over the wire ends. first wire out no problem. Second wire snapped at the bone surface "
        "when pulled - broken piece left in bone about 8 mm - small window w/ a burr, fragment grabbed and "
        "pulled. all metal out on fluoro.\n"
    )
    assert checker.check(note).findings.laterality.value == "right"
    assert claim_lines(checker, note) == [("26320", ["F9", "RT"])]


def test_a_general_difficulty_beside_specific_factors_is_no_factor_of_its_own(checker: Checker) -> None:
    note = (
        "Procedure: removal of plate and screws, left ring finger P1.\n"
        "Description: Difficult removal - dense scar around the plate, released sharply. Plate and five screws "
        "removed intact.\n"
    )
    values = [c.value for c in checker.check(note).findings.complexity_factors]
    assert "scar_tissue" in values and "other" not in values
